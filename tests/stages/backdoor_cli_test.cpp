// The backdoor cleanse end to end on real Fashion-MNIST (docs/reference-behaviour.md §9.1): a tiny
// model trained on two ranks with a trivially learnable trigger (a white 4 x 4 square; the
// reference's black one vanishes into Fashion-MNIST's black background) takes triggered test
// images for the target; retraining without the poisoned samples removes that, every method
// forgets exactly the poisoned samples, mu-evaluate reports the attack success rate before and
// after, a clean original has nothing poisoned to forget, and pruning refuses to retrain a
// backdoored model on other data.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using test::kMpirun;
using test::readJson;

constexpr const char* kTraining =
    " --arch tinycnn --epochs 12 --batch-size 32 --train-limit 3000 --lr 0.05 --rewind-epoch 1"
    " --threads 1 --quiet";
constexpr const char* kPoison =
    " --poison-count 300 --poison-target 0 --trigger-value 255 --trigger-size 4";

std::string stage(const std::string& program, const std::string& runDir, const std::string& extra) {
  return test::programPath(program) + " --data " + test::fashionMnistDir() + " --run-dir " +
         runDir + " " + extra;
}

class Backdoor : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<test::ScratchDir>("backdoor");
    const test::CommandResult trained = test::runCommand(
        std::string(kMpirun) + "-np 2 " +
        stage("mu-train", work_->file("trojan"), std::string(kTraining) + kPoison));
    ASSERT_EQ(trained.exitCode, 0) << trained.output;
  }
  static void TearDownTestSuite() { work_.reset(); }
  static std::string trojan() { return work_->file("trojan/best.h5"); }
  static std::string scratch(const std::string& name) { return work_->file(name); }

  static std::unique_ptr<test::ScratchDir> work_;
};
std::unique_ptr<test::ScratchDir> Backdoor::work_;

TEST_F(Backdoor, RetrainingWithoutThePoisonedSamplesRemovesTheBackdoor) {
  const std::string run = scratch("retrain");
  const test::CommandResult unlearned = test::runCommand(
      std::string(kMpirun) + "-np 2 " +
      stage("mu-unlearn", run,
            "--original " + trojan() +
                " --method retrain --forget poisoned --retrain-epochs 12 --retrain-lr 0.05"
                " --batch-size 32 --threads 1 --quiet"));
  ASSERT_EQ(unlearned.exitCode, 0) << unlearned.output;
  const nlohmann::json results = readJson(run + "/results.json");
  const double before = results["backdoor"]["before"]["ASR"].get<double>();
  const double after = results["backdoor"]["after"]["ASR"].get<double>();
  EXPECT_GT(before, 50.0) << "the trigger was learnt: " << results["backdoor"].dump();
  EXPECT_LT(after, 25.0) << results["backdoor"].dump();
  EXPECT_LT(after, before / 2) << results["backdoor"].dump();
  // The reference's rate counts target-class images too, so it is never below the customary one
  // by much and is above it when the model is any good on the target class.
  EXPECT_GE(results["backdoor"]["before"]["ASR_all"].get<double>(), before - 1.0);

  // The forget set is exactly the poisoned rows mu-train drew and recorded.
  const nlohmann::json trained = readJson(work_->file("trojan/results.json"));
  const nlohmann::json forgetSet = readJson(run + "/forget_set.json");
  EXPECT_EQ(forgetSet["forget_ids"], trained["poisoning"]["ids"]);
  EXPECT_EQ(forgetSet["poisoning"]["ids"], trained["poisoning"]["ids"]);
  EXPECT_EQ(forgetSet["forget_ids"].size(), 300u);
  EXPECT_EQ(forgetSet["retain_ids"].size(), 2700u);

  // mu-evaluate measures the same rates on the same model and carries the original's.
  const test::CommandResult evaluated =
      test::runCommand(test::programPath("mu-evaluate") + " --data " + test::fashionMnistDir() +
                       " --unlearn-dir " + run + " --threads 2 --mia-sample-limit 500");
  ASSERT_EQ(evaluated.exitCode, 0) << evaluated.output;
  EXPECT_NE(evaluated.output.find(" ASR "), std::string::npos) << evaluated.output;
  const nlohmann::json evaluation = readJson(run + "/evaluation.json");
  EXPECT_DOUBLE_EQ(evaluation["ASR"].get<double>(), after);
  EXPECT_DOUBLE_EQ(evaluation["ASR_all"].get<double>(),
                   results["backdoor"]["after"]["ASR_all"].get<double>());
  EXPECT_DOUBLE_EQ(evaluation["ASR_original"].get<double>(), before);
  EXPECT_DOUBLE_EQ(evaluation["TA_original"].get<double>(),
                   results["backdoor"]["before"]["clean_test_accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(evaluation["TA"].get<double>(),
                   results["backdoor"]["after"]["clean_test_accuracy"].get<double>());
  EXPECT_EQ(evaluation["sizes"]["test"].get<int64_t>(), 10000) << "clean TA: every class";
  EXPECT_EQ(evaluation["backdoor"]["poisoned_samples"].get<int64_t>(), 300);
}

TEST_F(Backdoor, EveryMethodForgetsThePoisonedSamples) {
  for (const char* method : {"ft", "ga", "ff", "iu", "l1-sparse", "rl"}) {
    const std::string run = scratch(std::string("method-") + method);
    const test::CommandResult result = test::runCommand(stage(
        "mu-unlearn", run,
        "--original " + trojan() + " --method " + method +
            " --forget poisoned --threads 2 --quiet --batch-size 64 --ft-epochs 1 --ga-epochs 1"
            " --l1-epochs 1 --rl-epochs 1 --iu-woodfisher-samples 50 --ff-batch-size 512"));
    ASSERT_EQ(result.exitCode, 0) << method << "\n" << result.output;
    const nlohmann::json results = readJson(run + "/results.json");
    EXPECT_EQ(results["forget"]["mode"], "poisoned") << method;
    EXPECT_EQ(results["forget"]["forget_samples"].get<int64_t>(), 300) << method;
    EXPECT_TRUE(results["backdoor"]["after"]["ASR"].is_number()) << method;
  }
}

TEST_F(Backdoor, MismatchedPoisoningIsRefusedWritingNothing) {
  const std::string clean = scratch("clean");
  const test::CommandResult trained = test::runCommand(
      stage("mu-train", clean,
            " --arch tinycnn --epochs 1 --batch-size 64 --train-limit 640 --rewind-epoch 0"
            " --threads 2 --quiet"));
  ASSERT_EQ(trained.exitCode, 0) << trained.output;
  const std::string run = scratch("nothing");
  const test::CommandResult result = test::runCommand(stage(
      "mu-unlearn", run, "--original " + clean + "/best.h5 --method ft --forget poisoned --quiet"));
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_NE(result.output.find("--forget poisoned"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--poison-count"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(run));

  // Pruning must retrain on the data its source run was trained on.
  const std::string pruned = scratch("pruned-clean");
  const test::CommandResult mismatch = test::runCommand(
      stage("mu-prune", pruned, std::string(kTraining) + " --from " + work_->file("trojan")));
  EXPECT_EQ(mismatch.exitCode, 2) << mismatch.output;
  EXPECT_NE(mismatch.output.find("poisoning"), std::string::npos) << mismatch.output;
  EXPECT_FALSE(fs::exists(pruned + "/results.json"));

  // A trigger that does not fit the images is refused before anything is written.
  const std::string huge = scratch("huge-trigger");
  const test::CommandResult refused =
      test::runCommand(stage("mu-train", huge,
                             " --arch tinycnn --epochs 1 --train-limit 640 --rewind-epoch 0 --quiet"
                             " --poison-count 10 --trigger-size 27"));
  EXPECT_EQ(refused.exitCode, 2) << refused.output;
  EXPECT_NE(refused.output.find("--trigger-size"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(huge + "/results.json"));
}

}  // namespace
}  // namespace mu
