// A lost rank never hangs a job: mu-train, mu-unlearn and mu-evaluate on two real MPI ranks, one
// of them killed with SIGKILL mid-run (and one whose checkpoint write fails while the other waits
// in a collective). The job ends within the 30 s the reliability issue allows, non-zero, naming
// the lost rank, and the same command run again resumes from the last checkpoint and finishes.
// Small runs (tinycnn on a slice of the real Fashion-MNIST, one thread per rank).

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using test::kMpirun;

// The bound on how long the other ranks may go on after one is lost.
constexpr double kLostRankBoundSeconds = 30.0;

std::string stage(const std::string& program, const std::string& options) {
  return test::programPath(program) + " --data " + test::fashionMnistDir() + " " + options;
}

std::string onTwoRanks(const std::string& command) {
  return std::string(kMpirun) + "-np 2 " + command;
}

// The job ended soon after the kill, failed, and the launcher's message names the lost rank.
void expectEndedNamingTheRank(const test::LostRankRun& run, int rank) {
  ASSERT_TRUE(run.killed) << "the job ended before its rank was killed:\n" << run.output;
  EXPECT_NE(run.exitCode, 0) << run.output;
  EXPECT_GE(run.secondsToEnd, 0.0) << run.output;
  EXPECT_LT(run.secondsToEnd, kLostRankBoundSeconds) << run.output;
  EXPECT_NE(run.output.find("rank " + std::to_string(rank)), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("signal 9"), std::string::npos) << run.output;
  std::printf("rank %d killed: the job ended %.1f s later with exit code %d\n", rank,
              run.secondsToEnd, run.exitCode);
}

class LostRank : public ::testing::Test {
 protected:
  // One small original model and an identity "unlearning" of it (its forget set and checkpoint),
  // for mu-unlearn and mu-evaluate to start from.
  static void SetUpTestSuite() {
    work_ = std::make_unique<test::ScratchDir>("lost-rank");
    const test::CommandResult trained = test::runCommand(
        stage("mu-train", "--run-dir " + original() +
                              " --arch tinycnn --epochs 1 --batch-size 64 --train-limit 1536"
                              " --rewind-epoch 0 --threads 1 --quiet"));
    ASSERT_EQ(trained.exitCode, 0) << trained.output;
    const test::CommandResult identity = test::runCommand(
        stage("mu-unlearn", "--run-dir " + identityRun() + " --original " + original() +
                                "/best.h5 --method identity --forget random --forget-count 300"
                                " --threads 1 --quiet"));
    ASSERT_EQ(identity.exitCode, 0) << identity.output;
  }
  static void TearDownTestSuite() { work_.reset(); }
  static std::string original() { return work_->file("original"); }
  static std::string identityRun() { return work_->file("identity"); }
  static std::string scratch(const std::string& name) { return work_->file(name); }

  static std::unique_ptr<test::ScratchDir> work_;
};
std::unique_ptr<test::ScratchDir> LostRank::work_;

// Not --quiet: a resumed run says where it resumes.
std::string trainCommand(const std::string& run) {
  return stage("mu-train", "--run-dir " + run +
                               " --arch tinycnn --epochs 2 --batch-size 64 --train-limit 640"
                               " --rewind-epoch 1 --checkpoint-every-steps 3 --threads 1");
}

TEST_F(LostRank, TrainingEndsWhenARankIsKilledAndResumes) {
  const std::string run = scratch("train");
  const std::string command = onTwoRanks(trainCommand(run));
  expectEndedNamingTheRank(test::killOneRank(command, 1, run + "/last.h5"), 1);
  ASSERT_FALSE(fs::exists(run + "/results.json")) << "the run ended before it was killed";
  const test::CommandResult resumed = test::runCommand(command);
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("[train] resuming"), std::string::npos) << resumed.output;
  EXPECT_TRUE(fs::exists(run + "/results.json"));
}

// Rank 0 fails to write (metrics.jsonl is a folder) while rank 1 goes on to the next collective:
// the error ends both, naming the rank, the file and the reason; with the folder gone, the same
// command resumes.
TEST_F(LostRank, AFailedWriteOnOneRankEndsTheOthers) {
  const std::string run = scratch("train-write");
  fs::create_directories(run + "/metrics.jsonl/in-the-way");
  const std::string command = onTwoRanks(trainCommand(run));
  const test::CommandResult failed = test::runCommand("timeout -s KILL 120 env " + command);
  EXPECT_EQ(failed.exitCode, 1) << failed.output;
  EXPECT_NE(failed.output.find("rank 0: error: mu-train: rename("), std::string::npos)
      << failed.output;
  EXPECT_NE(failed.output.find("metrics.jsonl) failed: Is a directory"), std::string::npos)
      << failed.output;
  fs::remove_all(run + "/metrics.jsonl");
  const test::CommandResult resumed = test::runCommand(command);
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  EXPECT_TRUE(fs::exists(run + "/results.json"));
}

TEST_F(LostRank, UnlearningEndsWhenTheWritingRankIsKilledAndResumes) {
  const std::string run = scratch("unlearn");
  const std::string command = onTwoRanks(
      stage("mu-unlearn", "--run-dir " + run + " --original " + original() +
                              "/best.h5 --method ft --ft-epochs 2 --forget random"
                              " --forget-count 300 --batch-size 128 --checkpoint-every-steps 2"
                              " --threads 1"));
  expectEndedNamingTheRank(test::killOneRank(command, 0, run + "/last.h5"), 0);
  ASSERT_FALSE(fs::exists(run + "/unlearned.h5")) << "the run ended before it was killed";
  const test::CommandResult resumed = test::runCommand(command);
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("[unlearn] resuming"), std::string::npos) << resumed.output;
  EXPECT_TRUE(fs::exists(run + "/unlearned.h5"));
}

// mu-evaluate keeps no checkpoints: killed a second in (loading or inference), it writes
// nothing, and the rerun evaluates from the start.
TEST_F(LostRank, EvaluationEndsWhenARankIsKilledAndRunsAgain) {
  const std::string out = scratch("evaluation.json");
  const std::string command = onTwoRanks(
      stage("mu-evaluate", "--checkpoint " + identityRun() + "/unlearned.h5 --forget-set " +
                               identityRun() + "/forget_set.json --out " + out + " --threads 1"));
  expectEndedNamingTheRank(test::killOneRank(command, 1, "", 1.0), 1);
  ASSERT_FALSE(fs::exists(out)) << "the evaluation ended before it was killed";
  const test::CommandResult again = test::runCommand(command);
  ASSERT_EQ(again.exitCode, 0) << again.output;
  EXPECT_TRUE(fs::exists(out));
}

}  // namespace
}  // namespace mu
