// mu-transfer end to end on real Fashion-MNIST split by class (tinycnn, one thread per rank): a
// source model of classes 0-4, dense and pruned, fitted to classes 5-9. A linear probe changes the
// head and nothing else (BatchNorm statistics included) on two ranks; fine-tuning keeps the
// source's masks or drops them; a killed run resumes to the uninterrupted run's weights; bad input
// exits 2.

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
using test::readTensors;

constexpr const char* kSourceTraining =
    " --arch tinycnn --epochs 4 --batch-size 64 --train-limit 3000 --lr 0.1 --milestones 3"
    " --rewind-epoch 1 --threads 1 --quiet";
constexpr const char* kTransferTraining =
    " --epochs 4 --batch-size 64 --train-limit 1200 --lr 0.1 --threads 1 --quiet";

bool isHead(const std::string& name) {
  return name.rfind("fc.", 0) == 0;  // tinycnn's final Linear layer
}

class MuTransfer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<test::ScratchDir>("mu-transfer");
    for (const auto& [classes, dir] :
         {std::pair<std::string, std::string>{"0-4", sourceData()}, {"5-9", targetData()}}) {
      const test::CommandResult converted = test::runCommand(
          test::programPath("mu-data") + " convert --format fashion-mnist --classes " + classes +
          " --out " + dir);
      ASSERT_EQ(converted.exitCode, 0) << converted.output;
    }
    const test::CommandResult trained =
        test::runCommand(test::programPath("mu-train") + " --data " + sourceData() + " --run-dir " +
                         work_->file("source") + kSourceTraining);
    ASSERT_EQ(trained.exitCode, 0) << trained.output;
    const test::CommandResult pruned =
        test::runCommand(test::programPath("mu-prune") + " --from " + work_->file("source") +
                         " --data " + sourceData() + " --run-dir " + work_->file("pruned") +
                         kSourceTraining + " --rate 0.5 --rounds 1");
    ASSERT_EQ(pruned.exitCode, 0) << pruned.output;
  }
  static void TearDownTestSuite() { work_.reset(); }

  static std::string sourceData() { return work_->file("fmnist-0-4"); }
  static std::string targetData() { return work_->file("fmnist-5-9"); }
  static std::string dense() { return work_->file("source") + "/best.h5"; }
  static std::string sparse() { return work_->file("pruned") + "/round-1/best.h5"; }
  static std::string scratch(const std::string& name) { return work_->file(name); }

  static std::string transfer(const std::string& from, const std::string& runDir,
                              const std::string& extra) {
    return test::programPath("mu-transfer") + " --from " + from + " --data " + targetData() +
           " --run-dir " + runDir + kTransferTraining + " " + extra;
  }

  static std::unique_ptr<test::ScratchDir> work_;
};
std::unique_ptr<test::ScratchDir> MuTransfer::work_;

TEST_F(MuTransfer, LinearProbeOnTwoRanksChangesOnlyTheHead) {
  const std::string run = scratch("probe");
  const test::CommandResult probe = test::runCommand(std::string(kMpirun) + "-np 2 " +
                                                     transfer(dense(), run, "--mode linear-probe"));
  ASSERT_EQ(probe.exitCode, 0) << probe.output;
  EXPECT_NE(probe.output.find("mu-transfer: done: linear-probe of tinycnn"), std::string::npos)
      << probe.output;

  for (const char* group : {"/params", "/buffers"}) {
    const auto source = readTensors(dense(), group);
    const auto fitted = readTensors(run + "/best.h5", group);
    ASSERT_EQ(source.size(), fitted.size()) << group;
    int heads = 0;
    for (const auto& [name, values] : source) {
      if (isHead(name)) {
        ++heads;
        EXPECT_NE(values, fitted.at(name)) << name << " never trained";
      } else {
        EXPECT_EQ(values, fitted.at(name)) << name << " moved in a linear probe";
      }
    }
    if (std::string(group) == "/params") {
      EXPECT_EQ(heads, 2);  // fc.weight, fc.bias
    }
  }
  // The head now scores the target's five classes.
  EXPECT_EQ(readTensors(run + "/best.h5", "/params").at("fc.weight").size(), 5u * 16u);

  const nlohmann::json results = readJson(run + "/results.json");
  EXPECT_EQ(results["world_size"], 2);
  EXPECT_EQ(results["transfer"]["mode"], "linear-probe");
  EXPECT_EQ(results["transfer"]["target_dataset"], "fashion-mnist[5-9]");
  EXPECT_EQ(results["transfer"]["source"]["dataset"], "fashion-mnist[0-4]");
  EXPECT_EQ(results["transfer"]["target_classes"], 5);
  // Features of five other garments still separate sandals, shirts, sneakers, bags and boots far
  // better than chance (20 %).
  EXPECT_GT(results["test_accuracy"].get<double>(), 50.0) << results.dump();
  EXPECT_TRUE(readJson(run + "/config.json")["options"]["arch"] == "tinycnn");
}

TEST_F(MuTransfer, FineTuningKeepsOrDropsTheSourceMasks) {
  const auto sourceMasks = readTensors(sparse(), "/masks");
  ASSERT_EQ(sourceMasks.size(), 2u);  // conv1.weight, conv2.weight

  const std::string kept = scratch("fine-tune-kept");
  const test::CommandResult keep =
      test::runCommand(transfer(sparse(), kept, "--mode fine-tune --masks keep"));
  ASSERT_EQ(keep.exitCode, 0) << keep.output;
  EXPECT_EQ(readTensors(kept + "/best.h5", "/masks"), sourceMasks);
  const auto keptParams = readTensors(kept + "/best.h5", "/params");
  const auto sourceParams = readTensors(sparse(), "/params");
  for (const auto& [name, mask] : sourceMasks) {
    const std::vector<float>& weight = keptParams.at(name);
    EXPECT_NE(weight, sourceParams.at(name)) << name << " never trained";
    for (size_t i = 0; i < mask.size(); ++i) {
      if (mask[i] == 0.0f) {
        ASSERT_EQ(weight[i], 0.0f) << name << "[" << i << "]";
      }
    }
  }
  EXPECT_NEAR(readJson(kept + "/results.json")["transfer"]["source"]["sparsity"].get<double>(), 0.5,
              0.01);

  const std::string dropped = scratch("fine-tune-dropped");
  const test::CommandResult drop =
      test::runCommand(transfer(sparse(), dropped, "--mode fine-tune --masks drop"));
  ASSERT_EQ(drop.exitCode, 0) << drop.output;
  EXPECT_TRUE(readTensors(dropped + "/best.h5", "/masks").empty());
  const auto droppedParams = readTensors(dropped + "/best.h5", "/params");
  int64_t regrown = 0;
  for (const auto& [name, mask] : sourceMasks) {
    for (size_t i = 0; i < mask.size(); ++i) {
      if (mask[i] == 0.0f && droppedParams.at(name)[i] != 0.0f) ++regrown;
    }
  }
  EXPECT_GT(regrown, 0) << "pruned weights stayed zero although the masks were dropped";
}

TEST_F(MuTransfer, KilledRunResumesToTheSameWeights) {
  const std::string whole = scratch("whole");
  const std::string extra = "--mode fine-tune --checkpoint-every-steps 4";
  const test::CommandResult uninterrupted = test::runCommand(transfer(dense(), whole, extra));
  ASSERT_EQ(uninterrupted.exitCode, 0) << uninterrupted.output;

  const std::string killed = scratch("killed");
  EXPECT_EQ(test::interruptCommand(transfer(dense(), killed, extra), killed + "/last.h5", "KILL"),
            137);
  ASSERT_FALSE(fs::exists(killed + "/results.json"));
  const test::CommandResult resumed = test::runCommand(transfer(dense(), killed, extra));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  test::expectSameTensors(whole + "/best.h5", killed + "/best.h5", {"/params", "/buffers"});
  EXPECT_EQ(readJson(whole + "/results.json")["test_accuracy"],
            readJson(killed + "/results.json")["test_accuracy"]);

  // Finished: the same command does nothing; another source in this folder is refused.
  const test::CommandResult again = test::runCommand(transfer(dense(), killed, extra));
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_NE(again.output.find("is complete"), std::string::npos) << again.output;
  const test::CommandResult other = test::runCommand(transfer(sparse(), killed, extra));
  EXPECT_EQ(other.exitCode, 2) << other.output;
  EXPECT_NE(other.output.find("source.json"), std::string::npos) << other.output;
}

TEST_F(MuTransfer, BadInputExitsTwoAndWritesNothing) {
  auto expectRefused = [](const std::string& commandLine, const std::string& run,
                          const std::string& message) {
    const test::CommandResult result = test::runCommand(commandLine);
    EXPECT_EQ(result.exitCode, 2) << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(run)) << commandLine;
  };
  const std::string run = scratch("bad");
  expectRefused(transfer(dense(), run, "--arch resnet20s"), run, "--arch");
  expectRefused(transfer(scratch("missing.h5"), run, ""), run, "missing.h5");
  expectRefused(transfer(dense(), run, "--mode probe"), run, "--mode");
}

}  // namespace
}  // namespace mu
