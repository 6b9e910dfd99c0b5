// mu-prune end to end on real Fashion-MNIST shards (tinycnn: 72 + 1152 = 1224 convolution
// weights, one thread): OMP on two MPI ranks, three IMP rounds with the exact kept counts, pruned
// weights that stay zero through retraining, resume after kills between and inside rounds to the
// weights of an uninterrupted run, and bad input that exits 2 writing nothing.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "pipeline/io/hdf5_file.h"
#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using test::kMpirun;
using test::readJson;
using test::readTensors;

constexpr int64_t kConvWeights = 72 + 1152;

// The dense source run: rewind weights saved after epoch 1, LR drop at epoch 3.
constexpr const char* kTraining =
    " --arch tinycnn --epochs 3 --batch-size 64 --train-limit 1536 --lr 0.1 --milestones 3"
    " --augment crop-flip --threads 1 --quiet";

std::string command(const std::string& program, const std::string& runDir, const std::string& extra,
                    int rewindEpoch = 1) {
  return test::programPath(program) + " --data " + test::fashionMnistDir() + " --run-dir " +
         runDir + kTraining + " --rewind-epoch " + std::to_string(rewindEpoch) + " " + extra;
}

// Three IMP rounds at 0.2, checkpointing inside epochs so that a kill loses little.
std::string impCommand(const std::string& source, const std::string& runDir) {
  return command("mu-prune", runDir,
                 "--from " + source + " --rate 0.2 --rounds 3 --checkpoint-every-steps 5");
}

// True when every weight whose mask is 0 is exactly 0 in the checkpoint.
void expectPrunedWeightsZero(const std::string& checkpoint) {
  const auto masks = readTensors(checkpoint, "/masks");
  const auto params = readTensors(checkpoint, "/params");
  ASSERT_EQ(masks.size(), 2u) << checkpoint;  // conv1.weight, conv2.weight
  for (const auto& [name, mask] : masks) {
    const std::vector<float>& weight = params.at(name);
    ASSERT_EQ(weight.size(), mask.size());
    int64_t pruned = 0;
    for (size_t i = 0; i < mask.size(); ++i) {
      if (mask[i] == 0.0f) {
        ++pruned;
        ASSERT_EQ(weight[i], 0.0f) << checkpoint << " " << name << "[" << i << "]";
      }
    }
    EXPECT_GT(pruned, 0) << name;
  }
}

class MuPrune : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<test::ScratchDir>("mu-prune");
    const test::CommandResult dense =
        test::runCommand(command("mu-train", source(), "--checkpoint-every-steps 5"));
    ASSERT_EQ(dense.exitCode, 0) << dense.output;
    const test::CommandResult pruned = test::runCommand(impCommand(source(), imp()));
    ASSERT_EQ(pruned.exitCode, 0) << pruned.output;
  }
  static void TearDownTestSuite() { work_.reset(); }
  static std::string source() { return work_->file("dense"); }
  static std::string imp() { return work_->file("imp"); }
  static std::string scratch(const std::string& name) { return work_->file(name); }

  static std::unique_ptr<test::ScratchDir> work_;
};
std::unique_ptr<test::ScratchDir> MuPrune::work_;

TEST_F(MuPrune, OmpOnTwoRanksKeepsTheExactCountAndZeros) {
  const std::string run = scratch("omp");
  const test::CommandResult omp =
      test::runCommand(std::string(kMpirun) + "-np 2 " +
                       command("mu-prune", run, "--from " + source() + " --rate 0.95"));
  ASSERT_EQ(omp.exitCode, 0) << omp.output;
  // round(0.95 * 1224) = 1163 pruned.
  EXPECT_NE(omp.output.find("round 1: 61 of 1224 weights remain"), std::string::npos) << omp.output;
  const nlohmann::json round = readJson(run + "/round-1/results.json");
  EXPECT_EQ(round["sparsity"]["remaining"], 61);
  EXPECT_EQ(round["sparsity"]["total"], kConvWeights);
  EXPECT_EQ(round["world_size"], 2);
  EXPECT_EQ(round["schedule_offset_epochs"], 1);
  for (const char* file : {"pruned.h5", "best.h5", "last.h5"}) {
    expectPrunedWeightsZero(run + "/round-1/" + file);
  }
  // Learning-rate rewinding by one epoch: the drop at schedule epoch 3 comes at round epoch 2.
  std::ifstream metrics(run + "/round-1/metrics.jsonl");
  std::vector<double> rates;
  for (std::string line; std::getline(metrics, line);) {
    rates.push_back(nlohmann::json::parse(line)["lr"].get<double>());
  }
  ASSERT_EQ(rates.size(), 3u);
  EXPECT_DOUBLE_EQ(rates[0], 0.1);
  EXPECT_NEAR(rates[2], 0.01, 1e-12);
  EXPECT_GT(readJson(run + "/results.json")["rounds"][0]["test_accuracy"].get<double>(), 10.0);
}

TEST_F(MuPrune, ImpRoundsKeepTheHandComputedCounts) {
  // 1224 -> -round(244.8) = 979 -> -round(195.8) = 783 -> -round(156.6) = 626 (density 0.511).
  const nlohmann::json results = readJson(imp() + "/results.json");
  ASSERT_EQ(results["rounds"].size(), 3u);
  const int64_t expected[] = {979, 783, 626};
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(results["rounds"][round]["remaining"], expected[round]) << "round " << round + 1;
    EXPECT_EQ(results["rounds"][round]["total"], kConvWeights);
    expectPrunedWeightsZero(imp() + "/round-" + std::to_string(round + 1) + "/best.h5");
  }
  EXPECT_DOUBLE_EQ(results["rate_per_round"].get<double>(), 0.2);
  // Each round's masks only remove weights from the previous round's.
  const auto first = readTensors(imp() + "/round-1/pruned.h5", "/masks");
  const auto second = readTensors(imp() + "/round-2/pruned.h5", "/masks");
  for (const auto& [name, mask] : second) {
    for (size_t i = 0; i < mask.size(); ++i) {
      if (first.at(name)[i] == 0.0f) {
        ASSERT_EQ(mask[i], 0.0f) << name << "[" << i << "]";
      }
    }
  }
  // A finished run does nothing.
  const test::CommandResult again = test::runCommand(impCommand(source(), imp()));
  EXPECT_EQ(again.exitCode, 0) << again.output;
}

TEST_F(MuPrune, KilledBetweenAndInsideRoundsResumesToTheSameWeights) {
  const std::string run = scratch("imp-killed");
  // Between rounds: right after round 1 wrote its results.
  EXPECT_EQ(
      test::interruptCommand(impCommand(source(), run), run + "/round-1/results.json", "KILL"),
      137);
  ASSERT_FALSE(fs::exists(run + "/results.json"));
  // Inside a round: after round 2's first epoch.
  EXPECT_EQ(
      test::interruptCommand(impCommand(source(), run), run + "/round-2/metrics.jsonl", "KILL"),
      137);
  ASSERT_FALSE(fs::exists(run + "/results.json"));
  const test::CommandResult resumed = test::runCommand(impCommand(source(), run));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  for (const char* file : {"round-2/pruned.h5", "round-3/last.h5", "round-3/best.h5"}) {
    test::expectSameTensors(imp() + "/" + file, run + "/" + file, {"/params", "/masks"});
  }
  EXPECT_EQ(readJson(run + "/results.json")["rounds"], readJson(imp() + "/results.json")["rounds"]);
}

TEST_F(MuPrune, SynflowPrunesAtInitialisation) {
  const std::string run = scratch("synflow");
  const test::CommandResult synflow = test::runCommand(
      command("mu-prune", run, "--prune-method synflow --rate 0.5 --synflow-iterations 20"));
  ASSERT_EQ(synflow.exitCode, 0) << synflow.output;
  const nlohmann::json round = readJson(run + "/round-1/results.json");
  EXPECT_NEAR(round["sparsity"]["remaining"].get<double>(), kConvWeights / 2.0, 10.0);
  EXPECT_EQ(round["schedule_offset_epochs"], 0);
  expectPrunedWeightsZero(run + "/round-1/best.h5");
}

TEST_F(MuPrune, BadInputExitsTwoAndWritesNothing) {
  auto expectRefused = [](const std::string& run, const std::string& extra,
                          const std::string& message, int rewindEpoch = 1) {
    const test::CommandResult result =
        test::runCommand(command("mu-prune", run, extra, rewindEpoch));
    EXPECT_EQ(result.exitCode, 2) << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(run)) << extra;
  };
  const std::string run = scratch("bad");
  expectRefused(run, "--from " + source() + " --rate 1.5", "outside (0, 1)");
  expectRefused(run, "--from " + source() + " --rate 0", "outside (0, 1)");
  // The source run saved its rewind weights after epoch 1, not 2.
  expectRefused(run, "--from " + source(), "holds epoch 1", 2);
  expectRefused(run, "--from " + source(), "positive epoch", 0);
  // A round folder of the IMP run is 20 % sparse already.
  expectRefused(run, "--from " + imp() + "/round-1 --target-sparsity 0.1", "already 20.02%");
  expectRefused(run, "--from " + scratch("nowhere"), "results.json");
  expectRefused(run, "--from " + source() + " --prune-method magnitudes", "magnitude, random");

  // A mask whose shape does not match the model's weight.
  const std::string damaged = scratch("damaged");
  fs::copy(source(), damaged, fs::copy_options::recursive);
  {
    Hdf5File file = Hdf5File::openReadWrite(damaged + "/last.h5");
    const std::vector<float> ones(8, 1.0f);
    file.writeDataset("/masks/conv1.weight", ones.data(), {8});
  }
  expectRefused(run, "--from " + damaged, "conv1.weight");

  // A run folder started from another source: its recorded source is kept, the run refused.
  const std::string started = scratch("started-elsewhere");
  fs::create_directories(started);
  std::ofstream(started + "/source.json") << R"({"from": "/elsewhere", "source_config_hash": "0"})";
  const test::CommandResult switched =
      test::runCommand(command("mu-prune", started, "--from " + source()));
  EXPECT_EQ(switched.exitCode, 2) << switched.output;
  EXPECT_NE(switched.output.find("source_config_hash"), std::string::npos) << switched.output;
  EXPECT_NE(switched.output.find("(\"/elsewhere\")"), std::string::npos) << switched.output;
  EXPECT_EQ(readJson(started + "/source.json")["from"], "/elsewhere");
}

}  // namespace
}  // namespace mu
