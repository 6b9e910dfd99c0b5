// The unlearning library (docs/reference-behaviour.md §3, §6): forget sets against numpy fixtures,
// the method registry and its options, each method's direction on a toy task, masks kept by every
// method, the l1 schedule and loss scaling, FF's variance rules and Fisher estimate and IU's update
// against direct computations, and resuming an iterative method after an interruption.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/base/stop_signal.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/inference/accuracy.h"
#include "pipeline/io/json_file.h"
#include "pipeline/masks/masks.h"
#include "pipeline/unlearning/method_registry.h"
#include "pipeline/unlearning/methods/fisher_forgetting.h"
#include "pipeline/unlearning/methods/influence_unlearning.h"
#include "pipeline/unlearning/methods/l1_sparse.h"
#include "pipeline/unlearning/methods/random_labels.h"
#include "tests/support/test_support.h"
#include "tests/unlearning/unlearning_toy_data.h"

namespace mu {
namespace {

namespace po = boost::program_options;
using test::allTraining;
using test::classForgetSet;
using test::flatParameters;
using test::toyModel;
using test::toyTrainSplit;

// ---------------------------------------------------------------------------------------------
// Helpers

// A method configured the way a stage does it: its options parsed from a command line.
std::unique_ptr<UnlearningMethod> methodWith(const std::string& name,
                                             const std::vector<std::string>& arguments = {}) {
  std::unique_ptr<UnlearningMethod> method = makeUnlearningMethod(name);
  OptionTable table;
  method->registerOptions(table);
  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(table.description(name)).run(), values);
  po::notify(values);
  return method;
}

// A split with a labels tensor only (forget-set selection reads nothing else).
LoadedSplit labelsOnly(int64_t count, int classes) {
  LoadedSplit split;
  split.manifest.dataset = "synthetic";
  split.manifest.numClasses = classes;
  split.labels = torch::arange(count, torch::kInt64).remainder(classes);
  return split;
}

ForgetRequest request(const std::string& mode, int64_t forgetClass, int64_t count,
                      const std::string& idsFile = "") {
  ForgetRequest made;
  made.mode = mode;
  made.forgetClasses = ClassList(forgetClass);
  made.count = count;
  made.seed = 2;
  made.idsFile = idsFile;
  return made;
}

template <typename Call>
std::string inputErrorOf(Call&& call) {
  try {
    call();
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no InputError)";
}

// The toy task of every method test: 320 samples, class 0 forgotten, a model trained on all.
class ToyUnlearning : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { torch::set_num_threads(1); }

  ToyUnlearning() : train_(toyTrainSplit(320)), forget_(classForgetSet(train_, 0)) {}

  // The "original" model: the tiny CNN fine-tuned on every sample (trained once per suite run by
  // the library's own FT), copied into a fresh model for each use.
  std::shared_ptr<Classifier> originalModel() {
    static std::shared_ptr<Classifier> trained;
    if (!trained) {
      trained = toyModel();
      ForgetSet everything = forget_;
      everything.retainIds = allTraining(train_).trainIds;
      auto context = contextFor(*trained, everything);
      context.batchSize = 32;
      methodWith("ft", {"--ft-epochs", "12", "--ft-lr", "0.05"})->run(context);
    }
    auto model = toyModel();
    test::copyParameters(*trained, *model);
    return model;
  }

  UnlearnContext contextFor(Classifier& model, const ForgetSet& forget) {
    UnlearnContext context(model, comm_, train_, forget, progress_);
    context.batchSize = 32;
    context.seed = 5;
    return context;
  }
  UnlearnContext contextFor(Classifier& model) { return contextFor(model, forget_); }

  Accuracy accuracyOn(Classifier& model, const std::vector<int64_t>& rows) {
    return evaluateAccuracy(model, *train_.source, train_.labels, rows, comm_);
  }

  SingleProcessCommunicator comm_;
  ProgressReporter progress_{"test", false};
  LoadedSplit train_;
  ForgetSet forget_;
};

// ---------------------------------------------------------------------------------------------
// Forget sets (docs/reference-behaviour.md §3, Appendix A)

TEST(ForgetSet, RandomForgettingDrawsNumpysRandomStateOfSeedMinusOne) {
  // numpy 1.24: r = RandomState(1).choice(45000, 4500, replace=False)
  const LoadedSplit train = labelsOnly(45000, 10);
  const ForgetSet set =
      selectForgetSet(request("random", -1, 4500), train, allTraining(train), 1, 0.0);
  ASSERT_EQ(set.forgetIds.size(), 4500u);
  const std::set<int64_t> chosen(set.forgetIds.begin(), set.forgetIds.end());
  for (int64_t id : {25275, 12561, 24707, 25066, 33429, 44157, 40878, 23566}) {  // r[:8]
    EXPECT_EQ(chosen.count(id), 1u) << id;
  }
  // sorted(r)[:6] and sum(r): the whole draw, not just its head.
  EXPECT_EQ(std::vector<int64_t>(set.forgetIds.begin(), set.forgetIds.begin() + 6),
            (std::vector<int64_t>{10, 44, 45, 69, 85, 88}));
  EXPECT_EQ(std::accumulate(set.forgetIds.begin(), set.forgetIds.end(), int64_t{0}), 102444727);
  EXPECT_FALSE(set.wholeClass);
  ASSERT_EQ(set.retainIds.size(), 40500u);
  std::vector<int64_t> both;
  std::set_union(set.forgetIds.begin(), set.forgetIds.end(), set.retainIds.begin(),
                 set.retainIds.end(), std::back_inserter(both));
  EXPECT_EQ(both, allTraining(train).trainIds);
}

TEST(ForgetSet, DrawsPositionsInTheTrainingSplitNotIds) {
  // 50 000 ids, every tenth held out for validation: position p of D_tr is id p + p / 9.
  const LoadedSplit train = labelsOnly(50000, 10);
  TrainValSplit split;
  for (int64_t id = 0; id < 50000; ++id) {
    (id % 10 == 9 ? split.valIds : split.trainIds).push_back(id);
  }
  const ForgetSet set = selectForgetSet(request("random", -1, 4500), train, split, 1, 0.1);
  const std::set<int64_t> chosen(set.forgetIds.begin(), set.forgetIds.end());
  for (int64_t position : {25275, 12561, 24707, 25066, 33429, 44157, 40878, 23566}) {
    EXPECT_EQ(chosen.count(position + position / 9), 1u) << position;
  }
  EXPECT_EQ(set.retainIds.size(), 40500u);
}

TEST(ForgetSet, ClassWiseTakesTheWholeClassOrASeededPartOfIt) {
  const LoadedSplit train = labelsOnly(45000, 10);
  const ForgetSet whole =
      selectForgetSet(request("class", 3, 0), train, allTraining(train), 1, 0.0);
  EXPECT_TRUE(whole.wholeClass);
  ASSERT_EQ(whole.forgetIds.size(), 4500u);
  for (int64_t id : whole.forgetIds) ASSERT_EQ(id % 10, 3);
  // TA leaves the forgotten class out.
  const std::vector<int64_t> testRows = whole.testRows(torch::arange(20).remainder(10));
  EXPECT_EQ(testRows.size(), 18u);
  EXPECT_EQ(std::count(testRows.begin(), testRows.end(), 13), 0);

  // numpy: RandomState(1).choice(where(arange(45000) % 10 == 3)[0], 5, replace=False)
  const ForgetSet part = selectForgetSet(request("class", 3, 5), train, allTraining(train), 1, 0.0);
  EXPECT_EQ(part.forgetIds, (std::vector<int64_t>{443, 623, 12373, 15463, 29093}));
  EXPECT_FALSE(part.wholeClass);
  EXPECT_EQ(part.testRows(torch::arange(20).remainder(10)).size(), 20u);
}

TEST(ForgetSet, SeveralClassesAreForgottenTogether) {
  const LoadedSplit train = labelsOnly(45000, 10);
  ForgetRequest several = request("class", 0, 0);
  several.forgetClasses = ClassList::parse("1,4,7");
  const ForgetSet whole = selectForgetSet(several, train, allTraining(train), 1, 0.0);
  EXPECT_TRUE(whole.wholeClass);
  ASSERT_EQ(whole.forgetIds.size(), 13500u);
  for (int64_t id : whole.forgetIds) ASSERT_TRUE(id % 10 == 1 || id % 10 == 4 || id % 10 == 7);
  // TA leaves every forgotten class out.
  EXPECT_EQ(whole.testRows(torch::arange(20).remainder(10)).size(), 14u);

  // n of them, drawn from the classes' pooled positions. numpy: RandomState(1).choice(
  // where(isin(arange(45000) % 10, [1, 4]))[0], 5, replace=False)
  several.forgetClasses = ClassList::parse("4,1");
  several.count = 5;
  const ForgetSet part = selectForgetSet(several, train, allTraining(train), 1, 0.0);
  EXPECT_EQ(part.forgetIds, (std::vector<int64_t>{6604, 14874, 26104, 28931, 42954}));
  EXPECT_FALSE(part.wholeClass);

  test::ScratchDir dir("unlearning-forget-classes");
  writeForgetSet(dir.file("forget_set.json"), whole);
  EXPECT_EQ(readJsonFile(dir.file("forget_set.json"))["forget_class"], nlohmann::json({1, 4, 7}));
  EXPECT_EQ(readForgetSet(dir.file("forget_set.json")).request.forgetClasses,
            ClassList::parse("1,4,7"));
}

TEST(ClassList, ParsesListsAndWritesOneClassAsTheNumberItWas) {
  EXPECT_EQ(ClassList::parse("1,4,7").classes(), (std::vector<int64_t>{1, 4, 7}));
  EXPECT_EQ(ClassList::parse("3").text(), "3");
  EXPECT_EQ(nlohmann::json(ClassList::parse("3")), nlohmann::json(3));  // config hashes unchanged
  EXPECT_EQ(nlohmann::json(ClassList::parse("2,0")), nlohmann::json({2, 0}));
  EXPECT_EQ(nlohmann::json(3).get<ClassList>(), ClassList(3));
  EXPECT_EQ(nlohmann::json({2, 0}).get<ClassList>(), ClassList::parse("2,0"));
  for (const char* bad : {"", "1,,2", "one", "1,4x", "1,1"}) {
    EXPECT_NE(inputErrorOf([&] { ClassList::parse(bad); }).find("--forget-class"),
              std::string::npos)
        << bad;
  }
}

TEST(ForgetSet, BadRequestsNameTheOptionOrTheFile) {
  const LoadedSplit train = labelsOnly(100, 4);
  TrainValSplit split = allTraining(train);
  split.trainIds.erase(split.trainIds.begin() + 50);  // id 50 is a validation id
  split.valIds = {50};
  auto select = [&](const ForgetRequest& made) {
    return inputErrorOf([&] { selectForgetSet(made, train, split, 1, 0.1); });
  };
  EXPECT_NE(select(request("class", 4, 0)).find("--forget-class"), std::string::npos);
  EXPECT_NE(select(request("class", -1, 0)).find("--forget-class"), std::string::npos);
  EXPECT_NE(select(request("random", -1, 100)).find("--forget-count"), std::string::npos);
  EXPECT_NE(select(request("class", 1, 26)).find("--forget-count"), std::string::npos);
  EXPECT_NE(select(request("random", -1, 0)).find("--forget-count"), std::string::npos);
  EXPECT_NE(select(request("everything", 0, 0)).find("--forget"), std::string::npos);

  test::ScratchDir dir("unlearning-forget-ids");
  auto idsFile = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
  };
  EXPECT_NE(select(request("ids", 0, 0, idsFile("dup", "3\n7\n3\n"))).find("duplicate"),
            std::string::npos);
  EXPECT_NE(select(request("ids", 0, 0, idsFile("val", "3\n50\n"))).find("id 50"),
            std::string::npos);
  EXPECT_NE(select(request("ids", 0, 0, idsFile("big", "3\n100\n"))).find("id 100"),
            std::string::npos);
  EXPECT_NE(select(request("ids", 0, 0, idsFile("text", "3\nseven\n"))).find("line 2"),
            std::string::npos);
  EXPECT_NE(select(request("ids", 0, 0, dir.file("missing"))).find("missing"), std::string::npos);

  const ForgetSet fromFile =
      selectForgetSet(request("ids", 0, 0, idsFile("good", "# forget these\n9\n2 # two\n\n40\n")),
                      train, split, 1, 0.1);
  EXPECT_EQ(fromFile.forgetIds, (std::vector<int64_t>{2, 9, 40}));
  EXPECT_EQ(fromFile.retainIds.size(), 96u);
  writeForgetSet(dir.file("forget_set.json"), fromFile);
  const ForgetSet reread = readForgetSet(dir.file("forget_set.json"));
  EXPECT_EQ(reread.forgetIds, fromFile.forgetIds);
  EXPECT_EQ(reread.retainIds, fromFile.retainIds);
  EXPECT_EQ(reread.valIds, split.valIds);
}

// ---------------------------------------------------------------------------------------------
// Registry and options

TEST(MethodRegistry, ListsTheMethodsAndRefusesUnknownOnesListingThem) {
  // The paper's methods, in the order it presents them (the registry may hold more after them).
  const std::vector<std::string> names = unlearningMethodNames();
  const std::vector<std::string> paper{"retrain", "ft", "ga", "ff", "iu", "l1-sparse", "rl"};
  ASSERT_GE(names.size(), paper.size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 7), paper);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  int exact = 0;
  for (const std::string& name : names) {
    const std::unique_ptr<UnlearningMethod> method = makeUnlearningMethod(name);
    EXPECT_EQ(method->name(), name);
    EXPECT_FALSE(method->title().empty()) << name;
    exact += method->exact() ? 1 : 0;
  }
  EXPECT_EQ(exact, 1) << "one exact method, the report's reference (Retrain)";
  EXPECT_TRUE(makeUnlearningMethod("retrain")->exact());
  const std::string message = inputErrorOf([] { makeUnlearningMethod("fisher"); });
  EXPECT_NE(message.find("--method"), std::string::npos) << message;
  EXPECT_NE(message.find("'fisher'"), std::string::npos) << message;
  for (const std::string& name : names) {
    EXPECT_NE(message.find(name), std::string::npos) << name << " missing from: " << message;
  }
}

TEST(MethodRegistry, EachMethodHasItsOwnOptionsWithTheReferenceDefaults) {
  std::map<std::string, nlohmann::json> options;
  std::set<std::string> seen;
  for (const std::string& name : unlearningMethodNames()) {
    options[name] = makeUnlearningMethod(name)->optionsJson();
    for (const auto& entry : options[name].items()) {
      EXPECT_TRUE(seen.insert(entry.key()).second)
          << "option shared by two methods: " << entry.key();
    }
  }
  auto expectIterative = [&](const std::string& name, const std::string& prefix, int64_t epochs,
                             double lr) {
    const nlohmann::json& o = options.at(name);
    EXPECT_EQ(o.at(prefix + "-epochs"), epochs) << name;
    EXPECT_DOUBLE_EQ(o.at(prefix + "-lr").get<double>(), lr) << name;
    EXPECT_DOUBLE_EQ(o.at(prefix + "-momentum").get<double>(), 0.9) << name;
    EXPECT_DOUBLE_EQ(o.at(prefix + "-weight-decay").get<double>(), 5e-4) << name;
    EXPECT_EQ(o.at(prefix + "-milestones"), "91,136") << name;
    EXPECT_TRUE(makeUnlearningMethod(name)->iterative()) << name;
  };
  expectIterative("retrain", "retrain", 160, 0.1);
  expectIterative("ft", "ft", 10, 0.01);
  expectIterative("ga", "ga", 5, 1e-4);
  expectIterative("l1-sparse", "l1", 10, 0.01);
  expectIterative("rl", "rl", 10, 0.01);
  EXPECT_DOUBLE_EQ(options["l1-sparse"].at("l1-alpha").get<double>(), 1e-4);
  EXPECT_EQ(options["l1-sparse"].at("l1-no-l1-epochs"), 0);
  EXPECT_DOUBLE_EQ(options["ff"].at("ff-alpha").get<double>(), 3e-8);
  EXPECT_EQ(options["ff"].at("ff-batch-size"), 32);
  EXPECT_EQ(options["ff"].at("ff-augment"), false);
  EXPECT_DOUBLE_EQ(options["iu"].at("iu-alpha").get<double>(), 1.0);
  EXPECT_EQ(options["iu"].at("iu-woodfisher-samples"), 1000);
  EXPECT_EQ(options["iu"].at("iu-augment"), false);
  EXPECT_FALSE(makeUnlearningMethod("ff")->iterative());
  EXPECT_FALSE(makeUnlearningMethod("iu")->iterative());
  EXPECT_TRUE(makeUnlearningMethod("retrain")->startsFromInitialWeights());
  EXPECT_FALSE(makeUnlearningMethod("ft")->startsFromInitialWeights());

  // Parsed values land in the method.
  EXPECT_EQ(methodWith("ga", {"--ga-lr", "0.001"})->optionsJson().at("ga-lr"), 0.001);
}

TEST(MethodRegistry, ImpossibleOptionValuesNameTheOption) {
  auto errorOf = [](const std::string& name, const std::vector<std::string>& arguments) {
    return inputErrorOf([&] { methodWith(name, arguments)->validate(); });
  };
  EXPECT_NE(errorOf("ft", {"--ft-epochs", "0"}).find("--ft-epochs"), std::string::npos);
  EXPECT_NE(errorOf("ga", {"--ga-lr", "-1"}).find("--ga-lr"), std::string::npos);
  EXPECT_NE(errorOf("retrain", {"--retrain-milestones", "91,x"}).find("--retrain-milestones"),
            std::string::npos);
  EXPECT_NE(errorOf("rl", {"--rl-momentum", "1"}).find("--rl-momentum"), std::string::npos);
  EXPECT_NE(errorOf("l1-sparse", {"--l1-no-l1-epochs", "11"}).find("--l1-no-l1-epochs"),
            std::string::npos);
  EXPECT_NE(errorOf("l1-sparse", {"--l1-alpha", "-1e-4"}).find("--l1-alpha"), std::string::npos);
  EXPECT_NE(errorOf("ff", {"--ff-alpha", "-1"}).find("--ff-alpha"), std::string::npos);
  EXPECT_NE(errorOf("ff", {"--ff-batch-size", "0"}).find("--ff-batch-size"), std::string::npos);
  EXPECT_NE(errorOf("iu", {"--iu-woodfisher-samples", "0"}).find("--iu-woodfisher-samples"),
            std::string::npos);
  EXPECT_EQ(errorOf("l1-sparse", {"--l1-no-l1-epochs", "10"}), "(no InputError)");
}

// ---------------------------------------------------------------------------------------------
// l1-sparse (docs/reference-behaviour.md §6.6)

TEST(L1Sparse, GammaDecaysLinearlyPerEpoch) {
  const double alpha = 1e-4;
  for (int64_t epoch = 0; epoch < 10; ++epoch) {  // alpha, 0.9 alpha, ..., 0.1 alpha
    EXPECT_NEAR(l1Gamma(alpha, epoch, 10, 0), alpha * (10 - epoch) / 10.0, 1e-18) << epoch;
  }
  // E0 final epochs without the term: alpha (1 - t / 6) for t < 6, then 0.
  EXPECT_DOUBLE_EQ(l1Gamma(alpha, 0, 10, 4), alpha);
  EXPECT_DOUBLE_EQ(l1Gamma(alpha, 3, 10, 4), alpha * 0.5);
  EXPECT_DOUBLE_EQ(l1Gamma(alpha, 6, 10, 4), 0.0);
  EXPECT_DOUBLE_EQ(l1Gamma(alpha, 9, 10, 4), 0.0);
  // E0 = E: the reference's constant gamma.
  for (int64_t epoch = 0; epoch < 10; ++epoch)
    EXPECT_DOUBLE_EQ(l1Gamma(alpha, epoch, 10, 10), alpha);
}

TEST(L1Sparse, LossGradientIsTheBatchMeanPlusGammaSignWhateverTheSlicing) {
  torch::set_num_threads(1);
  auto model = toyModel();
  const LoadedSplit data = toyTrainSplit(8);
  const torch::Tensor images = data.images.to(torch::kFloat32) / 255.0;
  const double gamma = 0.01;
  const LossFunction loss = l1RegularisedLoss(model->parameters(), [&] { return gamma; });
  auto gradientOf = [&](const std::vector<std::pair<int64_t, int64_t>>& slices) {
    model->zero_grad();
    for (const auto& [begin, end] : slices) {
      loss(model->forward(images.slice(0, begin, end)), data.labels.slice(0, begin, end), 8)
          .backward();
    }
    std::vector<torch::Tensor> flat;
    for (const auto& parameter : model->parameters()) flat.push_back(parameter.grad().reshape(-1));
    return torch::cat(flat).clone();
  };
  const torch::Tensor oneRank = gradientOf({{0, 8}});
  const torch::Tensor threeRanks = gradientOf({{0, 3}, {3, 6}, {6, 8}});
  EXPECT_TRUE(torch::allclose(oneRank, threeRanks, 1e-5, 1e-7));

  model->zero_grad();
  torch::nn::functional::cross_entropy(model->forward(images), data.labels).backward();
  std::vector<torch::Tensor> direct;
  for (const auto& parameter : model->parameters()) {
    direct.push_back((parameter.grad() + gamma * parameter.detach().sign()).reshape(-1));
  }
  EXPECT_TRUE(torch::allclose(oneRank, torch::cat(direct), 1e-5, 1e-7));
}

// ---------------------------------------------------------------------------------------------
// FF (docs/reference-behaviour.md §6.5)

TEST(FisherForgetting, VarianceRulesOfFisherNew) {
  const int64_t classes = 3;
  const double alpha = 2.0;
  // Classifier weight [C, 2]: clamp 1e3 then 1e2, x alpha, mean over dim 1, forgotten row, x10.
  const torch::Tensor fcWeight = torch::tensor({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}});
  const torch::Tensor fcFisher = torch::tensor({{0.f, 1e-4f}, {1.f, 4.f}, {0.5f, 1e6f}});
  FisherPosterior fc = fisherPosterior(fcWeight, fcFisher, alpha, classes, {1});
  // rows: (100 + 100) / 2 * 2, forgotten, (2 + 1e-6) / 2 * 2; then x10
  const torch::Tensor fcVariance =
      torch::tensor({{2000.f, 2000.f}, {1e-3f, 1e-3f}, {20.00001f, 20.00001f}});
  EXPECT_TRUE(torch::allclose(fc.variance, fcVariance, 1e-5, 0)) << fc.variance;
  EXPECT_TRUE(torch::equal(fc.mean, torch::tensor({{1.f, 2.f}, {0.f, 0.f}, {5.f, 6.f}})));
  // Several forgotten classes: each of their rows.
  const FisherPosterior two = fisherPosterior(fcWeight, fcFisher, alpha, classes, {0, 2});
  EXPECT_TRUE(torch::equal(two.mean, torch::tensor({{0.f, 0.f}, {3.f, 4.f}, {0.f, 0.f}})));
  // Without a whole forgotten class the mean is theta and no row is special.
  fc = fisherPosterior(fcWeight, fcFisher, alpha, classes, {});
  EXPECT_TRUE(torch::equal(fc.mean, fcWeight));
  EXPECT_NEAR(fc.variance[1][0].item<double>(), (2.0 / (1 + 1e-8) + 2 * 0.25) / 2 * 10, 1e-4);

  // Classifier bias [C]: clamp 1e2, x alpha, x10 (no mean: one dimension).
  const FisherPosterior bias = fisherPosterior(
      torch::tensor({0.5f, -0.5f, 1.f}), torch::tensor({0.f, 0.1f, 1e-3f}), alpha, classes, {2});
  EXPECT_TRUE(torch::allclose(bias.variance, torch::tensor({2000.f, 200.f, 1e-3f}), 1e-5, 0))
      << bias.variance;
  EXPECT_TRUE(torch::equal(bias.mean, torch::tensor({0.5f, -0.5f, 0.f})));

  // Another 1-D parameter: clamp 1e3 only, x alpha, x10.
  const FisherPosterior other = fisherPosterior(
      torch::ones({4}), torch::tensor({0.f, 0.5f, 2.f, 1e-2f}), alpha, classes, {1});
  EXPECT_TRUE(torch::allclose(other.variance, torch::tensor({2e4f, 40.f, 10.f, 2e3f}), 1e-5, 0))
      << other.variance;
  EXPECT_TRUE(torch::equal(other.mean, torch::ones({4})));

  // A conv weight [out 2, in 3, 1, 2]: clamp 1e3, x alpha, mean over the input channels for each
  // kernel position separately, no x10, no forgotten row (size(0) != C).
  const torch::Tensor convFisher = torch::rand({2, 3, 1, 2}) + 1e-3;
  const FisherPosterior conv =
      fisherPosterior(torch::zeros({2, 3, 1, 2}), convFisher, alpha, classes, {1});
  for (int64_t out = 0; out < 2; ++out) {
    for (int64_t position = 0; position < 2; ++position) {
      double sum = 0;
      for (int64_t in = 0; in < 3; ++in) {
        sum += std::min(1.0 / (convFisher[out][in][0][position].item<double>() + 1e-8), 1e3);
      }
      for (int64_t in = 0; in < 3; ++in) {
        EXPECT_NEAR(conv.variance[out][in][0][position].item<double>(), alpha * sum / 3,
                    1e-5 * alpha * sum / 3);
      }
    }
  }
}

TEST_F(ToyUnlearning, FisherDiagonalMatchesADirectComputation) {
  auto model = originalModel();
  const TensorMap masks = test::halfMasks(*model);
  applyMasks(*model, masks);
  const ParameterLayout layout(*model, masks);
  const std::vector<int64_t> rows{5, 6, 9, 17, 30};  // batches of 2: {5, 6}, {9, 17}, {30}
  const StatisticsPass pass{*model, layout, comm_, train_, AugmentOptions{}, 0};
  const torch::Tensor fisher = fisherDiagonal(pass, rows, 2, progress_);

  model->eval();
  std::vector<torch::Tensor> expected;
  for (const auto& parameter : model->parameters())
    expected.push_back(torch::zeros_like(parameter));
  for (size_t begin = 0; begin < rows.size(); begin += 2) {
    const std::vector<int64_t> batch(rows.begin() + begin,
                                     rows.begin() + std::min(rows.size(), begin + 2));
    const torch::Tensor logits = model->forward(makeImageBatch(train_.images, batch));
    const torch::Tensor probabilities = torch::softmax(logits, 1).detach();
    for (int64_t label = 0; label < 4; ++label) {
      model->zero_grad();
      torch::nn::functional::cross_entropy(
          logits, torch::full({static_cast<int64_t>(batch.size())}, label, torch::kInt64))
          .backward({}, true);
      size_t index = 0;
      for (const auto& parameter : model->named_parameters()) {
        torch::Tensor gradient = parameter.value().grad();
        if (masks.count(parameter.key())) gradient = gradient * masks.at(parameter.key());
        expected[index++] += probabilities.select(1, label).mean() * gradient.pow(2);
      }
    }
  }
  for (auto& tensor : expected) tensor = tensor.reshape(-1) / 3.0;
  EXPECT_TRUE(torch::allclose(fisher, torch::cat(expected), 1e-5, 1e-12));
  EXPECT_GT(fisher.abs().sum().item<double>(), 0);
}

TEST_F(ToyUnlearning, FisherForgettingIsSeededAndZeroAlphaKeepsTheModel) {
  auto original = originalModel();
  auto first = originalModel();
  auto second = originalModel();
  auto firstContext = contextFor(*first);
  auto secondContext = contextFor(*second);
  const UnlearnOutcome outcome = methodWith("ff", {"--ff-alpha", "1e-6"})->run(firstContext);
  methodWith("ff", {"--ff-alpha", "1e-6"})->run(secondContext);
  EXPECT_TRUE(torch::equal(flatParameters(*first), flatParameters(*second)));
  EXPECT_FALSE(torch::equal(flatParameters(*first), flatParameters(*original)));
  EXPECT_FALSE(outcome.stopped);
  EXPECT_GT(outcome.seconds, 0);
  EXPECT_EQ(outcome.summary.at("fisher_batches"), (240 + 31) / 32);

  // alpha = 0 leaves every mean at theta0 with zero variance, except the whole forgotten class's
  // classifier row (mean 0, var 1e-3): only fc.weight[0] and fc.bias[0] move.
  auto zero = originalModel();
  auto zeroContext = contextFor(*zero);
  methodWith("ff", {"--ff-alpha", "0"})->run(zeroContext);
  for (const auto& parameter : zero->named_parameters()) {
    const torch::Tensor before = original->named_parameters()[parameter.key()];
    if (parameter.key() == "fc.weight" || parameter.key() == "fc.bias") {
      EXPECT_TRUE(torch::equal(parameter.value().slice(0, 1), before.slice(0, 1)));
      EXPECT_LT(parameter.value()[0].abs().max().item<double>(), 0.2);  // N(0, 1e-3)
      EXPECT_FALSE(torch::equal(parameter.value()[0], before[0]));
    } else {
      EXPECT_TRUE(torch::equal(parameter.value(), before)) << parameter.key();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IU (docs/reference-behaviour.md §6.7)

TEST(InfluenceUnlearning, ScalarRecursionEqualsTheReferenceVectorRecursion) {
  torch::manual_seed(21);
  const torch::Tensor v = torch::randn({50}, torch::kFloat64);
  const torch::Tensor g = torch::randn({10, 50}, torch::kFloat64);
  const double woodFisherN = 3.0;
  torch::Tensor k = v.clone();
  torch::Tensor o = g[0].clone();
  std::vector<double> g0DotG;
  std::vector<double> vDotG;
  for (int64_t n = 1; n < 10; ++n) {
    const double t = o.dot(g[n]).item<double>();
    k -= (k.dot(g[n]).item<double>() / (woodFisherN + t)) * o;
    o -= (t / (woodFisherN + t)) * o;
    g0DotG.push_back(g[0].dot(g[n]).item<double>());
    vDotG.push_back(v.dot(g[n]).item<double>());
  }
  const double c = woodFisherCoefficient(g0DotG, vDotG, woodFisherN);
  EXPECT_TRUE(torch::allclose(k, v - c * g[0], 1e-12, 1e-12));
  EXPECT_NE(c, 0.0);
  EXPECT_EQ(woodFisherSampleCount(40500, 1000), 1002);
  EXPECT_EQ(woodFisherSampleCount(500, 1000), 500);
}

TEST_F(ToyUnlearning, InfluenceUpdateMatchesADirectComputation) {
  // 4 forget and 12 retain samples; N_w = 5, so the recursion reads retain samples 0..6.
  ForgetSet small = forget_;
  small.forgetIds = {0, 4, 8, 12};
  small.retainIds = {1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15};
  auto model = originalModel();
  const TensorMap masks = test::halfMasks(*model);
  applyMasks(*model, masks);
  const torch::Tensor before = flatParameters(*model);

  // Per-sample gradients through .backward(), masked as the reference's weight_orig gradients.
  auto gradientOf = [&](int64_t id) {
    model->eval();
    model->zero_grad();
    torch::nn::functional::cross_entropy(model->forward(makeImageBatch(train_.images, {id})),
                                         train_.labels.slice(0, id, id + 1))
        .backward();
    std::vector<torch::Tensor> flat;
    for (const auto& parameter : model->named_parameters()) {
      torch::Tensor gradient = parameter.value().grad();
      if (masks.count(parameter.key())) gradient = gradient * masks.at(parameter.key());
      flat.push_back(gradient.reshape(-1));
    }
    return torch::cat(flat).to(torch::kFloat64);
  };
  torch::Tensor forgetSum = torch::zeros_like(before, torch::kFloat64);
  torch::Tensor retainSum = torch::zeros_like(before, torch::kFloat64);
  for (int64_t id : small.forgetIds) forgetSum += gradientOf(id);
  for (int64_t id : small.retainIds) retainSum += gradientOf(id);
  const double total = 16;
  const torch::Tensor v = forgetSum / total - retainSum * (4.0 / (total * 12.0));
  torch::Tensor k = v.clone();
  torch::Tensor o = gradientOf(small.retainIds[0]);
  for (size_t n = 1; n < 7; ++n) {
    const torch::Tensor g = gradientOf(small.retainIds[n]);
    const torch::Tensor t = o.dot(g);
    k -= (k.dot(g) / (5.0 + t)) * o;
    o -= (t / (5.0 + t)) * o;
  }

  auto context = contextFor(*model, small);
  context.masks = masks;
  const UnlearnOutcome outcome =
      methodWith("iu", {"--iu-alpha", "0.5", "--iu-woodfisher-samples", "5"})->run(context);
  EXPECT_EQ(outcome.summary.at("woodfisher_samples"), 7);
  const torch::Tensor change = (flatParameters(*model) - before).to(torch::kFloat64);
  const double scale = k.abs().max().item<double>();
  ASSERT_GT(scale, 0);
  EXPECT_TRUE(torch::allclose(change, 0.5 * k, 1e-3, 1e-3 * scale + 1e-7))
      << (change - 0.5 * k).abs().max().item<double>() << " vs " << scale;
}

// ---------------------------------------------------------------------------------------------
// The iterative methods (docs/reference-behaviour.md §6.1-6.4, 6.6, 6.8) on the toy task

TEST_F(ToyUnlearning, GradientAscentRaisesTheForgetLoss) {
  auto model = originalModel();
  const double before = accuracyOn(*model, forget_.forgetIds).meanLoss();
  auto context = contextFor(*model);
  const UnlearnOutcome outcome =
      methodWith("ga", {"--ga-epochs", "4", "--ga-lr", "0.1"})->run(context);
  // The original model fits D_f almost perfectly (tiny loss, tiny gradients): ascent starts slowly.
  const double after = accuracyOn(*model, forget_.forgetIds).meanLoss();
  EXPECT_GT(after, 2 * before) << before << " -> " << after;
  EXPECT_EQ(outcome.epochsDone, 4);
  EXPECT_EQ(outcome.summary.at("epochs").size(), 4u);
}

TEST_F(ToyUnlearning, FineTuningAndL1SparseKeepRetainAccuracyAndL1ShrinksTheWeights) {
  auto original = originalModel();
  const double retainBefore = accuracyOn(*original, forget_.retainIds).percent();
  ASSERT_GT(retainBefore, 90.0);
  auto fineTuned = originalModel();
  auto fineTunedContext = contextFor(*fineTuned);
  methodWith("ft", {"--ft-epochs", "4"})->run(fineTunedContext);
  auto sparse = originalModel();
  auto sparseContext = contextFor(*sparse);
  const UnlearnOutcome outcome =
      methodWith("l1-sparse", {"--l1-epochs", "4", "--l1-alpha", "5e-3"})->run(sparseContext);
  EXPECT_GE(accuracyOn(*fineTuned, forget_.retainIds).percent(), retainBefore - 3.0);
  EXPECT_GE(accuracyOn(*sparse, forget_.retainIds).percent(), retainBefore - 3.0);
  // Same data, order and steps: only the l1 term differs.
  EXPECT_LT(flatParameters(*sparse).abs().sum().item<double>(),
            flatParameters(*fineTuned).abs().sum().item<double>());
  const nlohmann::json& epochs = outcome.summary.at("epochs");
  ASSERT_EQ(epochs.size(), 4u);
  EXPECT_DOUBLE_EQ(epochs[0].at("gamma").get<double>(), 5e-3);
  EXPECT_DOUBLE_EQ(epochs[3].at("gamma").get<double>(), 5e-3 * 0.25);
}

TEST_F(ToyUnlearning, RandomLabelsAreSeededUniformAndNotTheDataLabels) {
  std::vector<int64_t> counts(4, 0);
  int64_t changes = 0;
  for (int64_t id = 0; id < 4000; ++id) {
    const int64_t label = randomForgetLabel(5, 0, id, 4);
    ASSERT_EQ(label, randomForgetLabel(5, 0, id, 4));
    ++counts[static_cast<size_t>(label)];
    changes += label != randomForgetLabel(5, 1, id, 4);
  }
  for (int64_t count : counts) EXPECT_NEAR(count, 1000, 120);
  EXPECT_NEAR(changes, 3000, 150);  // a new draw each epoch
}

// Forget samples labelled out of range: cross-entropy throws if any of them is trained on, so a
// method that runs through never saw the forget set's labels (RL must replace them all; GA, which
// trains on them, must throw: the check can fail).
TEST_F(ToyUnlearning, RetainOnlyMethodsNeverSeeTheForgetSamples) {
  train_.labels = train_.labels.clone();
  for (int64_t id : forget_.forgetIds) train_.labels[id] = 99;
  const std::map<std::string, std::vector<std::string>> methods{
      {"retrain", {"--retrain-epochs", "1"}},
      {"ft", {"--ft-epochs", "1"}},
      {"l1-sparse", {"--l1-epochs", "1"}},
      {"rl", {"--rl-epochs", "1"}},
      {"ff", {}}};
  for (const auto& [name, arguments] : methods) {
    auto model = toyModel();
    const torch::Tensor before = flatParameters(*model);
    auto context = contextFor(*model);
    EXPECT_NO_THROW(methodWith(name, arguments)->run(context)) << name;
    EXPECT_FALSE(torch::equal(before, flatParameters(*model))) << name;
  }
  auto model = toyModel();
  auto context = contextFor(*model);
  EXPECT_ANY_THROW(methodWith("ga", {"--ga-epochs", "1"})->run(context));
}

// Every registered method, the paper's with short settings that must change the model; a method
// registered later runs with its own defaults.
TEST_F(ToyUnlearning, EveryMethodKeepsPrunedWeightsExactlyZero) {
  const std::map<std::string, std::vector<std::string>> quick{
      {"retrain", {"--retrain-epochs", "1"}},
      {"ft", {"--ft-epochs", "1"}},
      {"ga", {"--ga-epochs", "1", "--ga-lr", "0.01"}},
      {"ff", {"--ff-alpha", "1e-4"}},
      {"iu", {"--iu-woodfisher-samples", "20"}},
      {"l1-sparse", {"--l1-epochs", "1"}},
      {"rl", {"--rl-epochs", "1"}}};
  for (const std::string& name : unlearningMethodNames()) {
    auto model = originalModel();
    const TensorMap masks = test::halfMasks(*model);
    applyMasks(*model, masks);
    const torch::Tensor before = flatParameters(*model);
    auto context = contextFor(*model);
    context.masks = masks;
    context.augment = AugmentOptions{1, true};
    const auto settings = quick.find(name);
    methodWith(name, settings == quick.end() ? std::vector<std::string>{} : settings->second)
        ->run(context);
    if (settings != quick.end()) {
      EXPECT_FALSE(torch::equal(before, flatParameters(*model))) << name << " changed nothing";
    }
    for (const auto& [parameterName, mask] : masks) {
      const torch::Tensor pruned =
          model->named_parameters()[parameterName].masked_select(mask == 0);
      ASSERT_GT(pruned.numel(), 0);
      EXPECT_TRUE(torch::all(pruned == 0).item<bool>()) << name << " " << parameterName;
      const torch::Tensor kept = model->named_parameters()[parameterName].masked_select(mask == 1);
      EXPECT_GT(kept.abs().sum().item<double>(), 0) << name << " " << parameterName;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Resume and stop

struct Interrupted {};

struct SavedProgress {
  ResumePoint point;
  torch::Tensor weights;
  int reports = 0;
};

// Runs FT for 3 epochs from the original model, with augmentation; `interruptAt` decides from a
// report whether to "kill" the run right after saving it.
TEST_F(ToyUnlearning, ResumingAtAnEpochOrAStepEndsWithTheUninterruptedModel) {
  auto runFineTune = [&](Classifier& model, int64_t checkpointEverySteps,
                         const std::function<bool(const ProgressReport&)>& interruptAt,
                         const ResumePoint& resume, SavedProgress* saved) {
    auto context = contextFor(model);
    context.augment = AugmentOptions{1, true};
    context.checkpointEverySteps = checkpointEverySteps;
    context.resume = resume;
    context.saveProgress = [&](const ProgressReport& report) {
      if (saved == nullptr) return;
      ++saved->reports;
      saved->point.epoch = report.nextEpoch;
      saved->point.step = report.nextStep;
      saved->point.momentum.clear();
      for (const auto& [name, buffer] : report.sgd->momentum()) {
        saved->point.momentum[name] = buffer.clone();
      }
      saved->weights = flatParameters(model);
      if (interruptAt(report)) throw Interrupted{};
    };
    return methodWith("ft", {"--ft-epochs", "3"})->run(context);
  };
  auto straight = originalModel();
  SavedProgress straightReports;
  const UnlearnOutcome outcome = runFineTune(
      *straight, 0, [](const ProgressReport&) { return false; }, {}, &straightReports);
  EXPECT_EQ(outcome.epochsDone, 3);
  EXPECT_EQ(straightReports.reports, 3);  // one per epoch
  EXPECT_EQ(straightReports.point.epoch, 3);

  const std::vector<std::pair<std::string, std::function<bool(const ProgressReport&)>>> cuts{
      {"after epoch 1", [](const ProgressReport& r) { return r.epochEnded && r.nextEpoch == 1; }},
      {"inside epoch 2",
       [](const ProgressReport& r) { return !r.epochEnded && r.nextEpoch == 1; }}};
  for (const auto& [label, cut] : cuts) {
    auto model = originalModel();
    SavedProgress saved;
    EXPECT_THROW(runFineTune(*model, 3, cut, {}, &saved), Interrupted) << label;
    // A fresh process: the saved weights and momentum, then the same call from the saved point.
    auto resumed = originalModel();
    {
      torch::NoGradGuard noGrad;
      int64_t offset = 0;
      for (auto& parameter : resumed->parameters()) {
        parameter.copy_(
            saved.weights.slice(0, offset, offset + parameter.numel()).view(parameter.sizes()));
        offset += parameter.numel();
      }
    }
    EXPECT_EQ(saved.point.epoch, 1) << label;
    EXPECT_EQ(saved.point.step > 0, label == "inside epoch 2") << label;
    const UnlearnOutcome rest = runFineTune(
        *resumed, 3, [](const ProgressReport&) { return false; }, saved.point, nullptr);
    EXPECT_EQ(rest.epochsDone, 3) << label;
    EXPECT_TRUE(torch::equal(flatParameters(*resumed), flatParameters(*straight))) << label;
  }
}

// A stop signal cannot be withdrawn in-process, so this runs in a child process.
TEST_F(ToyUnlearning, StopSignalEndsIterativeAndOneShotMethodsWithoutChangingTheModel) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto model = originalModel();
        const torch::Tensor before = flatParameters(*model);
        requestStop();
        auto context = contextFor(*model);
        bool reportedStop = false;
        context.saveProgress = [&](const ProgressReport& report) {
          reportedStop = report.stopped && report.nextEpoch == 0 && report.nextStep == 0;
        };
        const UnlearnOutcome ft = methodWith("ft")->run(context);
        const bool ftOk = ft.stopped && ft.epochsDone == 0 && reportedStop &&
                          torch::equal(before, flatParameters(*model));
        const UnlearnOutcome ff = methodWith("ff")->run(context);
        const UnlearnOutcome iu = methodWith("iu")->run(context);
        const bool oneShotOk =
            ff.stopped && iu.stopped && torch::equal(before, flatParameters(*model));
        std::exit(ftOk && oneShotOk ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace mu
