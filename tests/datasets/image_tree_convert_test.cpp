// mu-data convert on trees of image files, on synthetic trees that
// datasets/tools/make_image_tree.py writes in ImageNet's, TinyImageNet's and ImageFolder's
// layouts, with the odd files real ImageNet holds (greyscale, CMYK, a PNG named .JPEG, truncated
// and empty files). 1 and 2 ranks write the same shards; a killed conversion leaves no dataset
// folder and the same command finishes it; bad files are refused by name or, with --skip-bad,
// left out and listed; the shards stay readable without our code.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pipeline/data/encoded_shards.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/io/json_file.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

const std::string kMpirun =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np ";

void makeTree(const std::string& dir, const std::string& options) {
  const test::CommandResult made =
      test::runCommand("/usr/bin/python3 " + std::string(MU_SOURCE_DIR) +
                       "/datasets/tools/make_image_tree.py " + dir + " " + options);
  ASSERT_EQ(made.exitCode, 0) << made.output;
}

std::string convert(const std::string& format, const std::string& source, const std::string& out,
                    const std::string& extra = "") {
  return test::programPath("mu-data") + " convert --format " + format + " --source " + source +
         " --out " + out + " --shard-size 64 " + extra;
}

// Everything a split's shards hold, for comparing two conversions.
struct SplitContents {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<int32_t> labels, heights, widths;
  std::vector<int64_t> ids, sourceIndices;
};

void expectSameContents(const SplitContents& a, const SplitContents& b, const std::string& what) {
  EXPECT_EQ(a.bytes.size(), b.bytes.size()) << what;
  EXPECT_TRUE(a.bytes == b.bytes) << what << ": the encoded images differ";
  EXPECT_EQ(a.labels, b.labels) << what;
  EXPECT_EQ(a.heights, b.heights) << what;
  EXPECT_EQ(a.widths, b.widths) << what;
  EXPECT_EQ(a.ids, b.ids) << what;
  EXPECT_EQ(a.sourceIndices, b.sourceIndices) << what;
}

SplitContents readSplit(const std::string& dir, const std::string& split) {
  const DatasetManifest manifest = readManifest(dir);
  SplitContents contents;
  for (const std::string& name : manifest.splits.at(split).shards) {
    const EncodedShard shard((fs::path(dir) / name).string());
    for (int64_t row = 0; row < shard.size(); ++row) contents.bytes.push_back(shard.bytes(row));
    const auto append = [](auto& to, const auto& from) {
      to.insert(to.end(), from.begin(), from.end());
    };
    append(contents.labels, shard.labels());
    append(contents.heights, shard.heights());
    append(contents.widths, shard.widths());
    append(contents.ids, shard.ids());
    append(contents.sourceIndices, shard.sourceIndices());
  }
  return contents;
}

class ImageTreeConvert : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new test::ScratchDir("image-tree-convert");
    makeTree(work_->file("tree"), "--odd-files --classes 10 --train-per-class 40");
  }
  static void TearDownTestSuite() {
    delete work_;
    work_ = nullptr;
  }
  static std::string path(const std::string& name) { return work_->file(name); }
  static test::ScratchDir* work_;
};

test::ScratchDir* ImageTreeConvert::work_ = nullptr;

TEST_F(ImageTreeConvert, ABadFileIsRefusedByNameAndNothingIsLeftBehind) {
  const test::CommandResult run =
      test::runCommand(convert("imagefolder", path("tree"), path("refused")));
  EXPECT_EQ(run.exitCode, 2) << run.output;
  EXPECT_NE(run.output.find("odd_empty.jpg"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("--skip-bad"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(path("refused")));
}

TEST_F(ImageTreeConvert, OneAndTwoRanksWriteTheSameShardsAndSkipOnlyTheBrokenFiles) {
  const test::CommandResult one =
      test::runCommand(convert("imagefolder", path("tree"), path("one"), "--skip-bad"));
  ASSERT_EQ(one.exitCode, 0) << one.output;
  const test::CommandResult two = test::runCommand(
      kMpirun + "2 " + convert("imagefolder", path("tree"), path("two"), "--skip-bad"));
  ASSERT_EQ(two.exitCode, 0) << two.output;

  const DatasetManifest manifest = readManifest(path("one"));
  EXPECT_EQ(manifest.encoding, "jpeg");
  EXPECT_EQ(manifest.numClasses, 10);
  EXPECT_EQ(manifest.classNames.front(), "class_00");
  // 400 generated images + grey, CMYK and PNG; the truncated and empty files are left out.
  EXPECT_EQ(manifest.splits.at("train").count, 403);
  EXPECT_EQ(manifest.splits.at("test").count, 100);
  ASSERT_EQ(manifest.skipped.size(), 2u);
  EXPECT_EQ(manifest.skipped[0].path, "train/class_00/odd_empty.jpg");
  EXPECT_EQ(manifest.skipped[1].path, "train/class_00/odd_truncated.jpg");
  ASSERT_EQ(manifest.transcoded.size(), 2u);
  EXPECT_EQ(manifest.transcoded[0].path, "train/class_00/odd_cmyk.jpg");
  EXPECT_EQ(manifest.transcoded[1].path, "train/class_00/odd_png.jpg");

  for (const char* split : {"train", "test"}) {
    const SplitContents a = readSplit(path("one"), split);
    expectSameContents(a, readSplit(path("two"), split), split);
    // ids are the positions among the images kept, in sorted-path order.
    for (size_t i = 0; i < a.ids.size(); ++i) ASSERT_EQ(a.ids[i], static_cast<int64_t>(i));
  }
  EXPECT_EQ(readManifest(path("two")).sourceSha256, manifest.sourceSha256);
  // Sorted-path order: class_00's files first, and its label 0.
  const SplitContents train = readSplit(path("one"), "train");
  EXPECT_EQ(train.labels.front(), 0);
  EXPECT_EQ(train.labels.back(), 9);
}

TEST_F(ImageTreeConvert, ShardsAreReadableWithH5pyAndPil) {
  const test::CommandResult made = test::runCommand(
      convert("imagefolder", path("tree"), path("h5py"), "--skip-bad --max-side 64"));
  ASSERT_EQ(made.exitCode, 0) << made.output;
  const std::string script =
      "import h5py, io, json\n"
      "from PIL import Image\n"
      "m = json.load(open('" +
      path("h5py") +
      "/manifest.json'))\n"
      "f = h5py.File('" +
      path("h5py") +
      "/' + m['splits']['train']['shards'][1], 'r')\n"
      "o = f['offsets'][:]\n"
      "for i in range(len(f['labels'])):\n"
      "    im = Image.open(io.BytesIO(f['encoded'][o[i]:o[i + 1]].tobytes()))\n"
      "    assert im.size == (f['widths'][i], f['heights'][i]), i\n"
      "    assert max(im.size) <= 64, im.size\n"
      "print('read', len(f['labels']), 'images', m['max_side'])\n";
  std::ofstream(path("read.py")) << script;
  const test::CommandResult read = test::runCommand("/usr/bin/python3 " + path("read.py"));
  EXPECT_EQ(read.exitCode, 0) << read.output;
  EXPECT_NE(read.output.find("read 64 images 64"), std::string::npos) << read.output;
}

TEST_F(ImageTreeConvert, AKilledConversionLeavesNoDatasetAndTheSameCommandFinishesIt) {
  makeTree(path("big"), "--classes 4 --train-per-class 200 --min-side 300 --max-side 500");
  // --max-side re-encodes every image: slow enough to be caught half way.
  const std::string command = convert("imagefolder", path("big"), path("killed"), "--max-side 256");
  const std::string partial = path("killed") + ".partial";
  const test::CommandResult started = test::runCommand(
      "(" + command + " > " + path("killed.log") + " 2>&1 & echo $! > " + path("killed.pid") + ")");
  ASSERT_EQ(started.exitCode, 0);
  // Kill it once it has written a shard and before it is done.
  bool sawShard = false;
  for (int i = 0; i < 600 && !sawShard; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    sawShard = fs::exists(partial + "/train-00001.h5");
  }
  ASSERT_TRUE(sawShard) << test::runCommand("cat " + path("killed.log")).output;
  test::runCommand("kill -9 $(cat " + path("killed.pid") + ")");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(fs::exists(path("killed"))) << "a killed conversion must leave no dataset folder";

  const test::CommandResult rerun = test::runCommand(command);
  ASSERT_EQ(rerun.exitCode, 0) << rerun.output;
  EXPECT_FALSE(fs::exists(partial));
  const test::CommandResult whole =
      test::runCommand(convert("imagefolder", path("big"), path("whole"), "--max-side 256"));
  ASSERT_EQ(whole.exitCode, 0) << whole.output;
  expectSameContents(readSplit(path("killed"), "train"), readSplit(path("whole"), "train"),
                     "resumed against whole");
  // And once done, the command has nothing left to do.
  const test::CommandResult again = test::runCommand(command);
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_NE(again.output.find("already"), std::string::npos) << again.output;
}

TEST_F(ImageTreeConvert, AClassSubsetKeepsThoseClassesFilesRelabelledAsListed) {
  const test::CommandResult full =
      test::runCommand(convert("imagefolder", path("tree"), path("all"), "--skip-bad"));
  ASSERT_EQ(full.exitCode, 0) << full.output;
  // class_00 holds the broken files: a subset without it needs no --skip-bad.
  const std::string subset = convert("imagefolder", path("tree"), path("subset"), "--classes 3,1");
  const test::CommandResult run = test::runCommand(subset);
  ASSERT_EQ(run.exitCode, 0) << run.output;

  const DatasetManifest manifest = readManifest(path("subset"));
  EXPECT_EQ(manifest.dataset, "imagefolder[3,1]");
  EXPECT_EQ(manifest.family(), "imagefolder");
  EXPECT_EQ(manifest.sourceClasses, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(manifest.classNames, (std::vector<std::string>{"class_03", "class_01"}));
  EXPECT_EQ(manifest.splits.at("train").count, 80);
  EXPECT_EQ(manifest.splits.at("test").count, 20);
  for (const char* split : {"train", "test"}) {
    // The full conversion's images of classes 1 and 3, in its order, with labels 1 and 0.
    const SplitContents all = readSplit(path("all"), split);
    SplitContents expected;
    for (size_t i = 0; i < all.labels.size(); ++i) {
      if (all.labels[i] != 1 && all.labels[i] != 3) continue;
      expected.bytes.push_back(all.bytes[i]);
      expected.labels.push_back(all.labels[i] == 3 ? 0 : 1);
    }
    const SplitContents kept = readSplit(path("subset"), split);
    EXPECT_TRUE(kept.bytes == expected.bytes) << split << ": not the full conversion's images";
    EXPECT_EQ(kept.labels, expected.labels) << split;
  }

  const test::CommandResult again = test::runCommand(subset);
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_NE(again.output.find("already holds this conversion"), std::string::npos) << again.output;
  // Another subset, or the subset into the full dataset's folder, is another conversion.
  const test::CommandResult other =
      test::runCommand(convert("imagefolder", path("tree"), path("subset"), "--classes 1,3"));
  EXPECT_EQ(other.exitCode, 2) << other.output;
  EXPECT_NE(other.output.find("imagefolder[3,1]"), std::string::npos) << other.output;
  const test::CommandResult intoFull = test::runCommand(
      convert("imagefolder", path("tree"), path("all"), "--skip-bad --classes 3,1"));
  EXPECT_EQ(intoFull.exitCode, 2) << intoFull.output;
  const test::CommandResult outside =
      test::runCommand(convert("imagefolder", path("tree"), path("outside"), "--classes 10"));
  EXPECT_EQ(outside.exitCode, 2) << outside.output;
  EXPECT_NE(outside.output.find("--classes"), std::string::npos) << outside.output;
  EXPECT_FALSE(fs::exists(path("outside")));
}

TEST_F(ImageTreeConvert, ImageNetAndTinyImageNetLayoutsKeepTheirWnidsAndLabels) {
  makeTree(path("imagenet"), "--layout imagenet --classes 3 --train-per-class 5");
  const test::CommandResult imagenet =
      test::runCommand(convert("imagenet", path("imagenet"), path("imagenet-shards")));
  ASSERT_EQ(imagenet.exitCode, 0) << imagenet.output;
  const DatasetManifest manifest = readManifest(path("imagenet-shards"));
  EXPECT_EQ(manifest.dataset, "imagenet");
  EXPECT_EQ(manifest.classNames, (std::vector<std::string>{"n01440764", "n01441764", "n01442764"}));
  // The flat val/ takes its labels from LOC_val_solution.csv: 10 per class, in file order.
  const SplitContents val = readSplit(path("imagenet-shards"), "test");
  ASSERT_EQ(val.labels.size(), 30u);
  EXPECT_EQ(val.labels[0], 0);
  EXPECT_EQ(val.labels[29], 2);

  makeTree(path("tiny"), "--layout tinyimagenet --classes 3 --train-per-class 5");
  const test::CommandResult tiny =
      test::runCommand(convert("tinyimagenet", path("tiny"), path("tiny-shards")));
  ASSERT_EQ(tiny.exitCode, 0) << tiny.output;
  const SplitContents tinyTrain = readSplit(path("tiny-shards"), "train");
  EXPECT_EQ(tinyTrain.labels, (std::vector<int32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2}));
  EXPECT_EQ(readSplit(path("tiny-shards"), "test").labels.size(), 30u);

  // A flat val/ without its labels is refused by name.
  fs::remove(path("imagenet") + "/LOC_val_solution.csv");
  const test::CommandResult unlabelled =
      test::runCommand(convert("imagenet", path("imagenet"), path("imagenet-unlabelled")));
  EXPECT_EQ(unlabelled.exitCode, 2) << unlabelled.output;
  EXPECT_NE(unlabelled.output.find("LOC_val_solution.csv"), std::string::npos) << unlabelled.output;
}

}  // namespace
}  // namespace mu
