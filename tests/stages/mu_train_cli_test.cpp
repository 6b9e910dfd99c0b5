// mu-train end to end on real Fashion-MNIST shards (a small slice of them, tinycnn, one thread):
// a run killed with SIGKILL and resumed, or stopped by SIGUSR1 and resumed, ends with exactly the
// weights of an uninterrupted run; two MPI ranks reproduce one; bad input exits 2 and leaves the
// run folder as it was.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using test::expectSameTensors;
using test::kMpirun;
using test::readJson;
using test::readTensors;

const std::string& dataDir() {
  return test::fashionMnistDir();
}

// The quick run every test starts from: tinycnn on 1536 images, one thread (bit-reproducible).
constexpr const char* kQuickRun =
    " --arch tinycnn --epochs 6 --batch-size 64 --train-limit 1536 --lr 0.1 --milestones 4"
    " --rewind-epoch 1 --augment crop-flip --threads 1 --quiet";

std::string trainCommand(const std::string& runDir, const std::string& extra = "",
                         const std::string& base = kQuickRun) {
  return test::programPath("mu-train") + " --data " + dataDir() + " --run-dir " + runDir + base +
         " " + extra;
}

// Starts a run, waits until it has written a mid-run checkpoint, sends `signal`, and returns the
// run's exit code.
int interruptRun(const std::string& runDir, const std::string& signal) {
  return test::interruptCommand(trainCommand(runDir, "--checkpoint-every-steps 5"),
                                runDir + "/metrics.jsonl", signal);
}

class MuTrain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    reference_ = std::make_unique<test::ScratchDir>("mu-train-reference");
    const test::CommandResult run = test::runCommand(trainCommand(reference_->file("run")));
    ASSERT_EQ(run.exitCode, 0) << run.output;
  }
  static void TearDownTestSuite() { reference_.reset(); }
  static std::string referenceRun() { return reference_->file("run"); }

  static std::unique_ptr<test::ScratchDir> reference_;
};
std::unique_ptr<test::ScratchDir> MuTrain::reference_;

TEST_F(MuTrain, WritesTheRunFolder) {
  const std::string run = referenceRun();
  for (const char* file : {"config.json", "init.h5", "rewind.h5", "best.h5", "last.h5",
                           "metrics.jsonl", "results.json"}) {
    EXPECT_TRUE(fs::exists(run + "/" + file)) << file;
  }
  const nlohmann::json results = readJson(run + "/results.json");
  EXPECT_EQ(results["epochs"], 6);
  EXPECT_EQ(results["world_size"], 1);
  EXPECT_GT(results["test_accuracy"].get<double>(), 25.0);  // 10 classes: chance is 10 %
  const nlohmann::json config = readJson(run + "/config.json");
  EXPECT_EQ(config["options"]["arch"], "tinycnn");
  EXPECT_EQ(config["config_hash"].get<std::string>().size(), 16u);
  std::ifstream metrics(run + "/metrics.jsonl");
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) {
    EXPECT_EQ(nlohmann::json::parse(line)["epoch"], ++lines);
  }
  EXPECT_EQ(lines, 6);
  // A checkpoint is readable by someone without our code.
  const test::CommandResult h5py = test::runCommand(
      "/usr/bin/python3 -c \"import h5py; f = h5py.File('" + run +
      "/best.h5', 'r'); print(f.attrs['arch'], f.attrs['kind'], f['params/fc.weight'].shape, "
      "sorted(f.keys()))\"");
  EXPECT_EQ(h5py.exitCode, 0) << h5py.output;
  EXPECT_NE(h5py.output.find("tinycnn best (10, 16) ['buffers', 'masks', 'meta', 'params']"),
            std::string::npos)
      << h5py.output;
  // A finished run exits at once.
  const test::CommandResult again = test::runCommand(trainCommand(run));
  EXPECT_EQ(again.exitCode, 0);
  EXPECT_NE(again.output.find("nothing to do"), std::string::npos) << again.output;
}

TEST_F(MuTrain, KilledRunResumesToTheSameWeights) {
  test::ScratchDir work("mu-train-kill");
  const std::string run = work.file("run");
  EXPECT_EQ(interruptRun(run, "KILL"), 137);
  ASSERT_FALSE(fs::exists(run + "/results.json")) << "the run ended before it was killed";
  // What a kill inside a checkpoint write leaves: the resumed run removes it.
  const std::string halfWritten =
      run + "/best.h5.tmp-" + std::to_string(test::endedProcessId()) + "-0";
  std::ofstream(halfWritten) << "half a checkpoint";
  const test::CommandResult resumed =
      test::runCommand(trainCommand(run, "--checkpoint-every-steps 5"));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  EXPECT_FALSE(fs::exists(halfWritten));
  EXPECT_NE(resumed.output.find("half-written file(s)"), std::string::npos) << resumed.output;
  expectSameTensors(referenceRun() + "/last.h5", run + "/last.h5",
                    {"/params", "/buffers", "/optimizer/momentum"});
  expectSameTensors(referenceRun() + "/best.h5", run + "/best.h5", {"/params"});
}

TEST_F(MuTrain, SignalStopsWithACheckpointAndExitCode75) {
  test::ScratchDir work("mu-train-signal");
  const std::string run = work.file("run");
  EXPECT_EQ(interruptRun(run, "USR1"), 75);
  ASSERT_FALSE(fs::exists(run + "/results.json"));
  ASSERT_TRUE(fs::exists(run + "/last.h5"));
  const test::CommandResult resumed = test::runCommand(trainCommand(run));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  expectSameTensors(referenceRun() + "/last.h5", run + "/last.h5",
                    {"/params", "/buffers", "/optimizer/momentum"});
}

TEST_F(MuTrain, TwoRanksReproduceOneRank) {
  test::ScratchDir work("mu-train-ranks");
  // No BatchNorm in tinycnn, so nothing but float rounding may differ. 641 samples: each epoch
  // ends with a one-sample step, where rank 1 has nothing to compute and only joins the sums.
  const std::string base =
      " --arch tinycnn --epochs 2 --batch-size 64 --train-limit 641 --lr 0.1 --augment none"
      " --rewind-epoch 0 --threads 1 --quiet";
  const test::CommandResult one = test::runCommand(trainCommand(work.file("one"), "", base));
  ASSERT_EQ(one.exitCode, 0) << one.output;
  const test::CommandResult two =
      test::runCommand(std::string(kMpirun) + "-np 2 " + trainCommand(work.file("two"), "", base));
  ASSERT_EQ(two.exitCode, 0) << two.output;
  EXPECT_EQ(readJson(work.file("two") + "/results.json")["world_size"], 2);
  const auto first = readTensors(work.file("one") + "/last.h5", "/params");
  const auto second = readTensors(work.file("two") + "/last.h5", "/params");
  for (const auto& [name, values] : first) {
    const std::vector<float>& other = second.at(name);
    ASSERT_EQ(values.size(), other.size());
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_NEAR(values[i], other[i], 2e-5) << name << "[" << i << "]";
    }
  }
}

TEST_F(MuTrain, TwoRanksAverageTheirBatchNormStatisticsByDefault) {
  // resnet20s has BatchNorm: each rank's batches give it its own running statistics. The
  // checkpoint holds their average by default and rank 0's with --bn-stats rank0; the weights,
  // trained on batch statistics, are the same either way.
  test::ScratchDir work("mu-train-bn");
  const std::string base =
      " --arch resnet20s --epochs 1 --batch-size 64 --train-limit 256 --lr 0.05 --augment none"
      " --rewind-epoch 0 --threads 1 --quiet";
  for (const char* choice : {"average", "rank0"}) {
    const test::CommandResult run = test::runCommand(
        std::string(kMpirun) + "-np 2 " +
        trainCommand(work.file(choice), std::string("--bn-stats ") + choice, base));
    ASSERT_EQ(run.exitCode, 0) << run.output;
  }
  expectSameTensors(work.file("average") + "/last.h5", work.file("rank0") + "/last.h5",
                    {"/params"});
  const auto averaged = readTensors(work.file("average") + "/last.h5", "/buffers");
  const auto rankZero = readTensors(work.file("rank0") + "/last.h5", "/buffers");
  EXPECT_NE(averaged.at("bn1.running_mean"), rankZero.at("bn1.running_mean"));
  EXPECT_NE(averaged.at("bn1.running_var"), rankZero.at("bn1.running_var"));
  EXPECT_EQ(averaged.at("normalize.mean"), rankZero.at("normalize.mean"))
      << "only BatchNorm statistics are averaged";
}

TEST_F(MuTrain, ChangedOptionsOnResumeAreRefused) {
  const std::string run = referenceRun();
  const auto before = fs::last_write_time(run + "/last.h5");
  const test::CommandResult changed = test::runCommand(trainCommand(run, "--weight-decay 0.1"));
  EXPECT_EQ(changed.exitCode, 2) << changed.output;
  EXPECT_NE(changed.output.find("weight-decay"), std::string::npos) << changed.output;
  EXPECT_EQ(fs::last_write_time(run + "/last.h5"), before);
}

// A learning rate far too high: the run stops at the first non-finite gradient norm (the loss
// would follow a step later) with exit code 3, naming the step and the option to lower, and never
// writes the diverged weights.
TEST_F(MuTrain, ADivergingRunStopsWithExitCode3AndKeepsTheLastGoodCheckpoint) {
  test::ScratchDir dir("mu-train-diverging");
  const std::string run = dir.file("run");
  const test::CommandResult diverged =
      test::runCommand(trainCommand(run, "--checkpoint-every-steps 1",
                                    " --arch tinycnn --epochs 2 --batch-size 64 --train-limit 1536"
                                    " --lr 1e12 --rewind-epoch 1 --threads 1 --quiet"));
  EXPECT_EQ(diverged.exitCode, 3) << diverged.output;
  EXPECT_NE(diverged.output.find("the gradient norm became non-finite by epoch 1, step "),
            std::string::npos)
      << diverged.output;
  EXPECT_NE(diverged.output.find("lower --lr"), std::string::npos) << diverged.output;
  EXPECT_FALSE(fs::exists(run + "/results.json"));
  for (const char* checkpoint : {"/init.h5", "/last.h5"}) {
    if (!fs::exists(run + checkpoint)) continue;
    for (const auto& [name, values] : readTensors(run + checkpoint, "/params")) {
      for (const float value : values) ASSERT_TRUE(std::isfinite(value)) << checkpoint << name;
    }
  }
}

TEST_F(MuTrain, BadInputExitsTwo) {
  test::ScratchDir work("mu-train-bad");
  const std::string run = work.file("run");
  const test::CommandResult indivisible =
      test::runCommand(std::string(kMpirun) + "-np 2 " +
                       trainCommand(run, "", " --arch tinycnn --batch-size 63 --quiet"));
  EXPECT_EQ(indivisible.exitCode, 2);
  EXPECT_NE(indivisible.output.find("multiple of the world size 2"), std::string::npos)
      << indivisible.output;
  const test::CommandResult noData = test::runCommand(test::programPath("mu-train") + " --data " +
                                                      work.file("nowhere") + " --run-dir " + run);
  EXPECT_EQ(noData.exitCode, 2);
  EXPECT_NE(noData.output.find("manifest.json"), std::string::npos) << noData.output;
  EXPECT_EQ(test::runCommand(trainCommand(run, "--bogus")).exitCode, 2);
  // Options also come from --config FILE, with the same checks.
  std::ofstream(work.file("bad.cfg")) << "epochs = 0\n";
  const test::CommandResult config =
      test::runCommand(test::programPath("mu-train") + " --data " + dataDir() + " --run-dir " +
                       run + " --config " + work.file("bad.cfg"));
  EXPECT_EQ(config.exitCode, 2);
  EXPECT_NE(config.output.find("--epochs"), std::string::npos) << config.output;
  EXPECT_EQ(test::runCommand(trainCommand(run, "", " --arch resnet1000")).exitCode, 2);
  // GPU speed options without --device cuda name the option.
  const test::CommandResult graphsOnCpu = test::runCommand(trainCommand(run, "", " --cuda-graphs"));
  EXPECT_EQ(graphsOnCpu.exitCode, 2);
  EXPECT_NE(graphsOnCpu.output.find("--cuda-graphs"), std::string::npos) << graphsOnCpu.output;
  EXPECT_FALSE(fs::exists(run + "/last.h5"));
}

}  // namespace
}  // namespace mu
