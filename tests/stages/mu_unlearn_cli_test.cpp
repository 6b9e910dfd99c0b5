// mu-unlearn end to end on real Fashion-MNIST shards (tinycnn on a slice, one thread per rank):
// the methods run on a pruned model under two MPI ranks and keeps its masks, the run folder holds
// the forget set, the unlearned checkpoint and RTE, a killed run resumes to the same weights, and
// bad input exits 2 writing nothing.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using test::kMpirun;
using test::readJson;
using test::readTensors;

constexpr const char* kTraining =
    " --arch tinycnn --epochs 2 --batch-size 64 --train-limit 1536 --lr 0.1 --rewind-epoch 1"
    " --threads 1 --quiet";

std::string stage(const std::string& program, const std::string& runDir, const std::string& extra) {
  return test::programPath(program) + " --data " + test::fashionMnistDir() + " --run-dir " +
         runDir + " " + extra;
}

// Short settings for every method so that each runs in seconds; GA on the forget set only.
constexpr const char* kShortMethods =
    " --threads 1 --quiet --batch-size 256 --ft-epochs 1 --ga-epochs 1 --l1-epochs 1"
    " --rl-epochs 1 --retrain-epochs 1 --iu-woodfisher-samples 50 --ff-batch-size 512";

class MuUnlearn : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<test::ScratchDir>("mu-unlearn");
    const test::CommandResult dense = test::runCommand(stage("mu-train", dense_(), kTraining));
    ASSERT_EQ(dense.exitCode, 0) << dense.output;
    const test::CommandResult pruned = test::runCommand(
        stage("mu-prune", work_->file("omp"), std::string(kTraining) + " --from " + dense_()));
    ASSERT_EQ(pruned.exitCode, 0) << pruned.output;
  }
  static void TearDownTestSuite() { work_.reset(); }
  static std::string dense_() { return work_->file("dense"); }
  static std::string sparseModel() { return work_->file("omp") + "/round-1/best.h5"; }
  static std::string scratch(const std::string& name) { return work_->file(name); }

  static std::unique_ptr<test::ScratchDir> work_;
};
std::unique_ptr<test::ScratchDir> MuUnlearn::work_;

// Every weight whose mask is 0 is exactly 0, and the masks are the original's.
void expectMasksKept(const std::string& original, const std::string& unlearned) {
  const auto masks = readTensors(original, "/masks");
  ASSERT_EQ(readTensors(unlearned, "/masks"), masks);
  const auto params = readTensors(unlearned, "/params");
  for (const auto& [name, mask] : masks) {
    for (size_t i = 0; i < mask.size(); ++i) {
      if (mask[i] == 0.0f) {
        ASSERT_EQ(params.at(name)[i], 0.0f) << unlearned << " " << name << "[" << i << "]";
      }
    }
  }
}

TEST_F(MuUnlearn, MethodsKeepTheMasksOnTwoRanks) {
  // FT and RL share retrain's loop and sample path (the library tests cover each method's masks).
  for (const char* method : {"retrain", "ga", "ff", "iu", "l1-sparse"}) {
    const std::string run = scratch(std::string("sparse-") + method);
    const test::CommandResult result =
        test::runCommand(std::string(kMpirun) + "-np 2 " +
                         stage("mu-unlearn", run,
                               "--original " + sparseModel() + " --method " + method +
                                   " --forget random --forget-count 300" + kShortMethods));
    ASSERT_EQ(result.exitCode, 0) << method << "\n" << result.output;
    const nlohmann::json results = readJson(run + "/results.json");
    EXPECT_EQ(results["method"], method);
    EXPECT_EQ(results["world_size"], 2);
    EXPECT_GT(results["RTE_s"].get<double>(), 0.0);
    EXPECT_EQ(results["forget"]["forget_samples"], 300);
    EXPECT_NEAR(results["sparsity_percent"].get<double>(), 95.0, 0.1);
    // The accuracies are mu-evaluate's work unless --final-accuracy asks for them here too.
    EXPECT_FALSE(results.contains("forget_accuracy")) << results.dump();
    EXPECT_NE(result.output.find("accuracies: mu-evaluate"), std::string::npos) << result.output;
    const nlohmann::json forgetSet = readJson(run + "/forget_set.json");
    EXPECT_EQ(forgetSet["forget_ids"].size(), 300u);
    expectMasksKept(sparseModel(), run + "/unlearned.h5");
  }
}

TEST_F(MuUnlearn, ClassWiseForgettingAndAFinishedRun) {
  const std::string run = scratch("ga-class");
  const std::string command = stage("mu-unlearn", run,
                                    "--original " + dense_() +
                                        "/best.h5 --method ga --ga-lr 0.05 --forget class"
                                        " --forget-class 3 --final-accuracy" +
                                        kShortMethods);
  const test::CommandResult result = test::runCommand(command);
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const nlohmann::json forgetSet = readJson(run + "/forget_set.json");
  EXPECT_TRUE(forgetSet["whole_class"].get<bool>());
  // D_f and D_r partition what the model was trained on: the first 1536 ids of the seed-1
  // training split (--train-limit 1536), not all 54 000.
  EXPECT_EQ(forgetSet["forget_ids"].size() + forgetSet["retain_ids"].size(), 1536u);
  EXPECT_EQ(readJson(run + "/results.json")["forget"]["train_limit"].get<int64_t>(), 1536);
  // Gradient ascent at a high rate wipes out the forgotten class.
  EXPECT_LT(readJson(run + "/results.json")["forget_accuracy"].get<double>(), 5.0);
  const test::CommandResult again = test::runCommand(command);
  EXPECT_EQ(again.exitCode, 0);
  EXPECT_NE(again.output.find("already complete"), std::string::npos) << again.output;
  // A damaged record of the original model is named, field and file, not taken for a match.
  std::ofstream(run + "/original.json") << R"({"path": "best.h5", "config_hash": 7})";
  const test::CommandResult damaged = test::runCommand(command);
  EXPECT_EQ(damaged.exitCode, 2) << damaged.output;
  EXPECT_NE(damaged.output.find("original.json"), std::string::npos) << damaged.output;
  EXPECT_NE(damaged.output.find("config_hash"), std::string::npos) << damaged.output;
}

TEST_F(MuUnlearn, SeveralClassesAreForgottenTogether) {
  const std::string run = scratch("ga-classes");
  const test::CommandResult result = test::runCommand(
      stage("mu-unlearn", run,
            "--original " + dense_() + "/best.h5 --method ga --forget class --forget-class 3,5" +
                kShortMethods));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const nlohmann::json forgetSet = readJson(run + "/forget_set.json");
  EXPECT_TRUE(forgetSet["whole_class"].get<bool>());
  EXPECT_EQ(forgetSet["forget_class"], nlohmann::json({3, 5}));
  EXPECT_EQ(readJson(run + "/results.json")["forget"]["class"], nlohmann::json({3, 5}));
  EXPECT_EQ(readJson(run + "/config.json")["options"]["forget-class"], nlohmann::json({3, 5}));
}

TEST_F(MuUnlearn, KilledRunResumesToTheSameWeights) {
  const std::string flags = "--original " + dense_() +
                            "/best.h5 --method ft --ft-epochs 2 --forget random --forget-count "
                            "500 --checkpoint-every-steps 20 --threads 1 --quiet --batch-size 256";
  const std::string reference = scratch("ft-reference");
  ASSERT_EQ(test::runCommand(stage("mu-unlearn", reference, flags)).exitCode, 0);
  const std::string run = scratch("ft-killed");
  EXPECT_EQ(test::interruptCommand(stage("mu-unlearn", run, flags), run + "/last.h5", "KILL"), 137);
  ASSERT_FALSE(fs::exists(run + "/results.json")) << "the run ended before it was killed";
  const test::CommandResult resumed = test::runCommand(stage("mu-unlearn", run, flags));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  test::expectSameTensors(reference + "/unlearned.h5", run + "/unlearned.h5", {"/params"});
}

// --channels-last on a CPU changes only the order of float sums (oneDNN's NHWC kernels), and the
// checkpoint is written in the usual layout.
TEST_F(MuUnlearn, ChannelsLastOnTheCpuUnlearnsTheSameModel) {
  const std::string flags = "--original " + dense_() +
                            "/best.h5 --method ft --forget random --forget-count 500" +
                            kShortMethods;
  const std::string plain = scratch("ft-contiguous");
  const std::string nhwc = scratch("ft-channels-last");
  ASSERT_EQ(test::runCommand(stage("mu-unlearn", plain, flags)).exitCode, 0);
  const test::CommandResult result =
      test::runCommand(stage("mu-unlearn", nhwc, flags + " --channels-last"));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto expected = readTensors(plain + "/unlearned.h5", "/params");
  const auto actual = readTensors(nhwc + "/unlearned.h5", "/params");
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [name, values] : expected) {
    ASSERT_EQ(actual.at(name).size(), values.size()) << name;
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_NEAR(actual.at(name)[i], values[i], 1e-4) << name << "[" << i << "]";
    }
  }
}

// Gradient ascent at a huge step: its loss may grow, but a non-finite one stops the run (exit 3,
// naming --ga-lr) and no unlearned model is written.
TEST_F(MuUnlearn, ADivergingMethodStopsWithExitCode3) {
  const std::string run = scratch("diverging");
  const test::CommandResult result = test::runCommand(
      stage("mu-unlearn", run,
            "--original " + dense_() +
                "/best.h5 --method ga --ga-lr 1e12 --ga-epochs 3 --batch-size 64 --threads 1"));
  EXPECT_EQ(result.exitCode, 3) << result.output;
  EXPECT_NE(result.output.find("lower --ga-lr"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(run + "/unlearned.h5"));
  EXPECT_FALSE(fs::exists(run + "/results.json"));
}

TEST_F(MuUnlearn, BadInputExitsTwoAndWritesNothing) {
  const std::string run = scratch("bad");
  auto expectRefused = [&](const std::string& extra, const std::string& message) {
    const test::CommandResult result = test::runCommand(
        stage("mu-unlearn", run, "--original " + dense_() + "/best.h5 --quiet " + extra));
    EXPECT_EQ(result.exitCode, 2) << extra << "\n" << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(run)) << extra;
  };
  expectRefused("--method forget-everything", "--method: value: one of retrain, ft");
  expectRefused("--method ft --forget-class 10", "a class in 0..9");
  expectRefused("--method ft --forget-class 2,10", "a class in 0..9");
  expectRefused("--method ft --forget-class 2,2", "each class once");
  expectRefused("--method ft --forget-class 2,x", "a comma-separated list");
  expectRefused("--method ft --forget random --forget-count 2000", "at most the pool's 1536");
  std::ofstream(scratch("ids.txt")) << "5\n7\n5\n";
  expectRefused("--method ft --forget ids --forget-ids " + scratch("ids.txt"), "duplicate");
  std::ofstream(scratch("unknown.txt")) << "5\n99999999\n";
  expectRefused("--method ft --forget ids --forget-ids " + scratch("unknown.txt"), "id 99999999");
  // A checkpoint of another dataset: the same model written for "cifar10".
  const std::string foreign = scratch("foreign.h5");
  fs::copy_file(dense_() + "/best.h5", foreign);
  ASSERT_EQ(test::runCommand("/usr/bin/python3 -c \"import h5py; f = h5py.File('" + foreign +
                             "', 'r+'); f.attrs['dataset'] = 'cifar10'\"")
                .exitCode,
            0);
  const test::CommandResult wrongData =
      test::runCommand(stage("mu-unlearn", run, "--original " + foreign + " --method ft --quiet"));
  EXPECT_EQ(wrongData.exitCode, 2) << wrongData.output;
  EXPECT_NE(wrongData.output.find("a model of fashion-mnist"), std::string::npos)
      << wrongData.output;
  EXPECT_FALSE(fs::exists(run));
}

}  // namespace
}  // namespace mu
