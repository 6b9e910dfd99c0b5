// A run folder holds one run: starting it again with other result-changing options, another
// dataset or another source model is refused with the differences named, while operational
// options (a moved dataset folder, the thread count) may change.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/base/error.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/io/json_file.h"
#include "pipeline/runs/run_config.h"
#include "pipeline/runs/run_folder.h"
#include "tests/support/test_support.h"

namespace mu::runs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string data = "/data/a";
  double lr = 0.1;
  int64_t threads = 2;
  void registerOptions(OptionTable& table) {
    table.add("data", &data, "dataset", OptionTable::Effect::kOperational)
        .add("lr", &lr, "learning rate")
        .add("threads", &threads, "threads", OptionTable::Effect::kOperational);
  }
};

const json kDataset{{"dataset", "fashion-mnist"}, {"source_sha256", "abc"}};

std::string refusal(const std::string& path, const RunConfig& now) {
  try {
    checkOrWriteRunConfig(path, now, 1, {});
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(JsonFile, AFolderWhereAJsonFileShouldBeIsNamedAsBadInput) {
  test::ScratchDir dir("json-folder");
  const std::string path = dir.file("results.json");
  fs::create_directories(path);
  try {
    readJsonFile(path);
    FAIL() << "a folder was read as JSON";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("a readable JSON file"), std::string::npos)
        << error.what();
  }
}

TEST(RunFolder, NamesEveryStagesFiles) {
  EXPECT_EQ(TrainFolder("/r").best(), "/r/best.h5");
  EXPECT_EQ(TrainFolder("/r").done(), "/r/results.json");
  EXPECT_EQ(PruneFolder("/p").round(3).last(), "/p/round-3/last.h5");
  EXPECT_EQ(PruneFolder("/p").pruned(2), "/p/round-2/pruned.h5");
  EXPECT_EQ(PruneFolder("/p").finalModel(5), "/p/round-5/best.h5");
  EXPECT_EQ(UnlearnFolder("/u").model(), "/u/unlearned.h5");
  EXPECT_EQ(UnlearnFolder("/u").evaluation(), "/u/evaluation.json");
  EXPECT_EQ(DatasetFolder("/d").done(), "/d/manifest.json");
  EXPECT_EQ(TaskStateFolder("/s", "train").running(), "/s/train.running.json");
}

TEST(RunConfig, ASecondStartMustChangeNothingThatChangesResults) {
  test::ScratchDir dir("run-config");
  const std::string path = dir.file("config.json");
  Options options;
  OptionTable table;
  options.registerOptions(table);
  checkOrWriteRunConfig(path, runConfigOf(table, kDataset), 2, {});
  const json written = readJsonFile(path);
  EXPECT_EQ(written["options_that_change_results"], json({{"lr", 0.1}}));
  EXPECT_EQ(written["inputs"], kDataset);
  EXPECT_EQ(written["world_size"], 2);

  // Operational options may change: a moved dataset folder, another thread count.
  options.data = "/scratch/a";
  options.threads = 8;
  EXPECT_EQ(refusal(path, runConfigOf(table, kDataset)), "");
  // A result-changing option may not.
  options.lr = 0.2;
  const std::string changed = refusal(path, runConfigOf(table, kDataset));
  EXPECT_NE(changed.find(path), std::string::npos) << changed;
  EXPECT_NE(changed.find("lr 0.1 (saved) vs 0.2 (now)"), std::string::npos) << changed;
  // Nor may the dataset, whatever folder it is in.
  options.lr = 0.1;
  json other = kDataset;
  other["source_sha256"] = "def";
  EXPECT_NE(refusal(path, runConfigOf(table, other)).find("input source_sha256"),
            std::string::npos);
}

TEST(RunConfig, AnOptionEarlierVersionsCountedAsResultChangingIsNotCompared) {
  // Runs written before --data became operational saved it among the result-changing options.
  test::ScratchDir dir("run-config-legacy");
  const std::string path = dir.file("config.json");
  std::ofstream(path) << json{{"options_that_change_results", {{"data", "/old"}, {"lr", 0.1}}}};
  Options options;
  OptionTable table;
  options.registerOptions(table);
  EXPECT_EQ(refusal(path, runConfigOf(table, kDataset)), "") << "a run of an earlier version";
  options.lr = 0.5;
  EXPECT_NE(refusal(path, runConfigOf(table, kDataset)), "");
}

TEST(RunConfig, AResumedRunMustBuildOnTheSameInput) {
  test::ScratchDir dir("run-input");
  InputRecord source;
  source.path = dir.file("source.json");
  source.record = {{"from", "/runs/a"}, {"source_config_hash", "1111"}};
  source.identity = {"source_config_hash"};
  source.describedBy = "from";
  source.what = "source run";
  source.option = "--from";
  checkOrRecordInput(source, {});
  EXPECT_EQ(readJsonFile(source.path), source.record);
  checkOrRecordInput(source, {});  // the same again: fine
  source.record = {{"from", "/runs/b"}, {"source_config_hash", "2222"}};
  try {
    checkOrRecordInput(source, {});
    FAIL() << "another source was accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              source.path +
                  ": source_config_hash: the same source run as before (\"/runs/a\"); "
                  "--from now names another (\"/runs/b\")");
  }
  EXPECT_EQ(readJsonFile(source.path)["from"], "/runs/a") << "the first record is kept";
}

}  // namespace
}  // namespace mu::runs
