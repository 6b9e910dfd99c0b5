// mu-evaluate end to end: a tinycnn trained by mu-train on a 2 000 / 500-image slice of the real
// Fashion-MNIST, a class-wise forget set made here, and the stage's results checked against a
// direct computation, against itself on two MPI ranks, on a rerun, and on bad input.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/data/forget_set.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/data/shard_writer.h"
#include "pipeline/evaluation/membership_inference.h"
#include "pipeline/models/model_registry.h"
#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kTrainImages = 2000;
constexpr int64_t kTestImages = 500;

ImageSet imageSetOf(const LoadedSplit& split, const std::vector<int64_t>& rows) {
  ImageSet set;
  set.channels = static_cast<int>(split.images.size(1));
  set.height = static_cast<int>(split.images.size(2));
  set.width = static_cast<int>(split.images.size(3));
  const torch::Tensor index = torch::tensor(rows);
  const torch::Tensor pixels = split.images.index_select(0, index).contiguous();
  set.pixels.assign(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
  const torch::Tensor labels = split.labels.index_select(0, index).to(torch::kInt).contiguous();
  set.labels.assign(labels.data_ptr<int32_t>(), labels.data_ptr<int32_t>() + labels.numel());
  return set;
}

std::vector<int64_t> firstRows(int64_t n) {
  std::vector<int64_t> rows(static_cast<size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

// The first images of Fashion-MNIST's train split and the chosen test rows, as a dataset of
// their own (same name, so checkpoints and forget sets of either agree on the dataset).
void writeSlice(const std::string& dir, const std::vector<int64_t>& testRows) {
  const LoadedSplit train = loadSplit(test::fashionMnistDir(), "train");
  const LoadedSplit test = loadSplit(test::fashionMnistDir(), "test");
  DatasetManifest manifest = train.manifest;
  manifest.validationSplits.clear();
  manifest.splits.clear();
  fs::create_directories(dir);
  const ImageSet trainImages = imageSetOf(train, firstRows(kTrainImages));
  const ImageSet testImages = imageSetOf(test, testRows);
  manifest.splits["train"] = {trainImages.size(),
                              writeSplitShards(dir, manifest, "train", trainImages)};
  manifest.splits["test"] = {testImages.size(),
                             writeSplitShards(dir, manifest, "test", testImages)};
  writeManifest(dir, manifest);
}

// Everything the tests share, made once: the slice, a trained checkpoint and a class-wise forget
// set of class 0 on the seed-1 split.
struct Fixture {
  test::ScratchDir dir{"evaluate-test"};
  std::string data = dir.file("fmnist-slice");
  std::string checkpoint;
  std::string forgetSet = dir.file("forget_set.json");

  Fixture() {
    writeSlice(data, firstRows(kTestImages));
    const std::string runDir = dir.file("train-run");
    const test::CommandResult run = test::runCommand(
        test::programPath("mu-train") + " --data " + data + " --run-dir " + runDir +
        " --arch tinycnn --epochs 2 --batch-size 64 --lr 0.05 --milestones 1 --rewind-epoch 1"
        " --threads 1 --quiet");
    if (run.exitCode != 0) throw std::runtime_error("mu-train failed: " + run.output);
    checkpoint = runDir + "/best.h5";
    const LoadedSplit train = loadSplit(data, "train");
    ForgetRequest request;
    request.mode = "class";
    request.forgetClasses = ClassList(0);
    writeForgetSet(forgetSet,
                   selectForgetSet(request, train, loadValidationSplit(data, train, 1), 1, 0.1));
  }
};

const Fixture& fixture() {
  static const Fixture shared;
  return shared;
}

test::CommandResult evaluate(const std::string& args, int ranks = 0) {
  const std::string launcher =
      ranks > 0 ? std::string(test::kMpirun) + "-np " + std::to_string(ranks) + " " : "";
  return test::runCommand(launcher + test::programPath("mu-evaluate") + " --data " +
                          fixture().data + " --threads 1 " + args);
}

std::string modelArgs(const std::string& forgetSet = fixture().forgetSet) {
  return " --checkpoint " + fixture().checkpoint + " --forget-set " + forgetSet;
}

// Top-1 accuracy in percent of the checkpoint on `rows`, computed here in one batch.
double directAccuracy(Classifier& model, const LoadedSplit& split,
                      const std::vector<int64_t>& rows) {
  torch::NoGradGuard noGrad;
  const torch::Tensor index = torch::tensor(rows);
  const torch::Tensor x = split.images.index_select(0, index).to(torch::kFloat).div(255);
  const torch::Tensor correct = model.forward(x).argmax(1).eq(split.labels.index_select(0, index));
  return 100.0 * correct.sum().item<double>() / static_cast<double>(rows.size());
}

TEST(EvaluateTest, AccuraciesMatchADirectComputation) {
  const std::string out = fixture().dir.file("direct.json");
  const test::CommandResult run = evaluate(modelArgs() + " --out " + out);
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("original on fashion-mnist/tinycnn"), std::string::npos) << run.output;
  const json results = test::readJson(out);

  const LoadedSplit train = loadSplit(fixture().data, "train");
  const LoadedSplit test = loadSplit(fixture().data, "test");
  const DatasetManifest& m = train.manifest;
  std::shared_ptr<Classifier> model =
      makeModel({"tinycnn", m.numClasses, m.channels, false, m.mean, m.std});
  loadCheckpoint(fixture().checkpoint, *model, nullptr, nullptr, {"tinycnn", m.numClasses});
  model->eval();
  const ForgetSet set = readForgetSet(fixture().forgetSet);
  const std::vector<int64_t> testRows = set.testRows(test.labels);
  EXPECT_NEAR(results["UA"].get<double>(), 100.0 - directAccuracy(*model, train, set.forgetIds),
              1e-9);
  EXPECT_NEAR(results["RA"].get<double>(), directAccuracy(*model, train, set.retainIds), 1e-9);
  EXPECT_NEAR(results["TA"].get<double>(), directAccuracy(*model, test, testRows), 1e-9);
  EXPECT_NEAR(results["val_acc"].get<double>(), directAccuracy(*model, train, set.valIds), 1e-9);

  // Class-wise forgetting: TA leaves class 0 out (docs/reference-behaviour.md §3.2), D_f is all of
  // class 0 in D_tr.
  EXPECT_EQ(results["sizes"]["test"].get<int64_t>(), static_cast<int64_t>(testRows.size()));
  EXPECT_LT(testRows.size(), static_cast<size_t>(kTestImages));
  EXPECT_EQ(results["sizes"]["forget"].get<size_t>(), set.forgetIds.size());

  // MIA-Efficacy from probabilities computed here (one batch: the last bits may differ, so a
  // decision or two may too).
  const auto predictions = [&](const LoadedSplit& split, const std::vector<int64_t>& rows) {
    torch::NoGradGuard noGrad;
    const torch::Tensor index = torch::tensor(rows);
    const torch::Tensor x = split.images.index_select(0, index).to(torch::kFloat).div(255);
    return PredictionSet{torch::softmax(model->forward(x), 1), split.labels.index_select(0, index)};
  };
  const MiaScores efficacy =
      miaEfficacy(predictions(train, set.retainIds), predictions(train, set.forgetIds),
                  predictions(test, testRows));
  EXPECT_NEAR(results["MIA_efficacy"].get<double>(), 100.0 * efficacy.confidence, 1.0);

  // Every field the paper's tables need.
  for (const char* field :
       {"method", "dataset", "arch", "seed", "sparsity", "UA", "RA", "TA", "val_acc",
        "MIA_efficacy", "mia", "privacy_mia", "RTE_s", "world_size", "config_hash", "code_version"})
    EXPECT_TRUE(results.contains(field)) << field;
  for (const char* group : {"mia", "privacy_mia"})
    for (const char* feature : {"correctness", "confidence", "entropy", "m_entropy", "prob"})
      EXPECT_TRUE(results[group][feature].is_number()) << group << "." << feature;
  EXPECT_EQ(results["method"], "original");
  EXPECT_TRUE(results["RTE_s"].is_null());
  EXPECT_DOUBLE_EQ(results["sparsity"].get<double>(), 0.0);
  EXPECT_EQ(results["config_hash"], readCheckpointMeta(fixture().checkpoint).configHash);
  EXPECT_DOUBLE_EQ(results["MIA_efficacy"].get<double>(),
                   results["mia"]["confidence"].get<double>());
}

TEST(EvaluateTest, TwoRanksGiveTheResultsOfOne) {
  const std::string one = fixture().dir.file("np1.json");
  const std::string two = fixture().dir.file("np2.json");
  const test::CommandResult first =
      evaluate(modelArgs() + " --out " + one + " --batch-size 128", 1);
  ASSERT_EQ(first.exitCode, 0) << first.output;
  const test::CommandResult second =
      evaluate(modelArgs() + " --out " + two + " --batch-size 128", 2);
  ASSERT_EQ(second.exitCode, 0) << second.output;
  json a = test::readJson(one);
  json b = test::readJson(two);
  EXPECT_EQ(a["evaluation_world_size"], 1);
  EXPECT_EQ(b["evaluation_world_size"], 2);
  for (json* results : {&a, &b}) {
    for (const char* varying : {"evaluation_world_size", "timing_s", "checkpoint"})
      results->erase(varying);
  }
  EXPECT_EQ(a.dump(2), b.dump(2));
}

TEST(EvaluateTest, UpToDateResultsAreNotRecomputed) {
  const std::string out = fixture().dir.file("resume.json");
  ASSERT_EQ(evaluate(modelArgs() + " --out " + out).exitCode, 0);
  const auto written = fs::last_write_time(out);
  const test::CommandResult again = evaluate(modelArgs() + " --out " + out);
  ASSERT_EQ(again.exitCode, 0) << again.output;
  EXPECT_NE(again.output.find("up to date"), std::string::npos) << again.output;
  EXPECT_EQ(fs::last_write_time(out), written);
  EXPECT_EQ(again.output.find("--force"), std::string::npos) << again.output;
  // Results of another code version stay (a rebuild does not redo a campaign), but say so.
  json stored = test::readJson(out);
  stored["code_version"] = "0.0.1+old";
  std::ofstream(out) << stored.dump(2);
  const test::CommandResult older = evaluate(modelArgs() + " --out " + out);
  ASSERT_EQ(older.exitCode, 0) << older.output;
  EXPECT_NE(older.output.find("computed by 0.0.1+old"), std::string::npos) << older.output;
  EXPECT_NE(older.output.find("--force recomputes"), std::string::npos) << older.output;
  // Another m-entropy formula changes the inputs, and --force recomputes anyway.
  const test::CommandResult buggy =
      evaluate(modelArgs() + " --out " + out + " --m-entropy reference-buggy");
  ASSERT_EQ(buggy.exitCode, 0) << buggy.output;
  EXPECT_EQ(buggy.output.find("up to date"), std::string::npos) << buggy.output;
  EXPECT_EQ(test::readJson(out)["m_entropy"], "reference-buggy");
  const test::CommandResult forced =
      evaluate(modelArgs() + " --out " + out + " --m-entropy reference-buggy --force");
  EXPECT_EQ(forced.output.find("up to date"), std::string::npos) << forced.output;
}

// Exit 2, a message naming the file, and no results file.
void expectBadInput(const std::string& args, const std::string& named) {
  const std::string out = fixture().dir.file("bad.json");
  const test::CommandResult run = evaluate(args + " --out " + out);
  EXPECT_EQ(run.exitCode, 2) << run.output;
  EXPECT_NE(run.output.find(named), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(EvaluateTest, BadInputExitsTwoAndWritesNothing) {
  const Fixture& f = fixture();
  json set = test::readJson(f.forgetSet);
  const auto writeSet = [&](const std::string& name, const json& doc) {
    const std::string path = f.dir.file(name);
    std::ofstream(path) << doc.dump();
    return path;
  };
  // A forget set of another dataset.
  json other = set;
  other["dataset"] = "cifar10";
  expectBadInput(modelArgs(writeSet("other.json", other)), "other.json");
  // An empty forget set.
  json empty = set;
  empty["forget_ids"] = json::array();
  expectBadInput(modelArgs(writeSet("empty.json", empty)), "empty.json");
  // An unreadable checkpoint.
  const std::string garbage = f.dir.file("garbage.h5");
  std::ofstream(garbage) << "not a checkpoint";
  expectBadInput(" --checkpoint " + garbage + " --forget-set " + f.forgetSet, "garbage.h5");
  // A test split with one class once the forgotten class is left out.
  const LoadedSplit test = loadSplit(f.data, "test");
  std::vector<int64_t> twoClasses;
  for (int64_t row = 0; row < test.size(); ++row)
    if (test.labels[row].item<int64_t>() <= 1) twoClasses.push_back(row);
  const std::string oneClassData = f.dir.file("one-class-test");
  if (!fs::exists(oneClassData)) writeSlice(oneClassData, twoClasses);
  const test::CommandResult run =
      test::runCommand(test::programPath("mu-evaluate") + " --data " + oneClassData + modelArgs() +
                       " --out " + f.dir.file("bad.json"));
  EXPECT_EQ(run.exitCode, 2) << run.output;
  EXPECT_NE(run.output.find("two classes"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(f.dir.file("bad.json")));
  // An unknown m-entropy formula.
  expectBadInput(modelArgs() + " --m-entropy nonsense", "--m-entropy");
}

}  // namespace
}  // namespace mu
