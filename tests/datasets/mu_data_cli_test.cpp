// mu-data convert end to end: the real Fashion-MNIST (Debian's dataset-fashion-mnist) becomes
// shards whose labels and pixels match the IDX files byte for byte; a rerun does nothing; bad
// input exits 2 with one clear line and leaves nothing behind. --classes keeps some classes,
// relabelled in the order listed, as a dataset of its own name.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/data/shard_reader.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

const std::string kFashionDir = "/usr/share/datasets/fashion-mnist";

std::string muData(const std::string& arguments) {
  return test::programPath("mu-data") + " " + arguments;
}

// Compares a loaded split with the IDX files decoded here, independently of our readers.
void expectSplitMatchesIdx(const LoadedSplit& split, const std::string& imagesFile,
                           const std::string& labelsFile) {
  const std::vector<unsigned char> labels = test::readGzipFile(kFashionDir + "/" + labelsFile);
  const std::vector<unsigned char> images = test::readGzipFile(kFashionDir + "/" + imagesFile);
  const int64_t count = static_cast<int64_t>(labels.size()) - 8;  // 8-byte IDX label header
  ASSERT_EQ(split.size(), count);
  ASSERT_EQ(static_cast<int64_t>(images.size()), 16 + count * 28 * 28);
  const torch::Tensor expectedLabels =
      torch::from_blob(const_cast<unsigned char*>(labels.data()) + 8, {count}, torch::kUInt8)
          .to(torch::kInt64);
  EXPECT_TRUE(torch::equal(split.labels, expectedLabels));
  const torch::Tensor expectedImages = torch::from_blob(
      const_cast<unsigned char*>(images.data()) + 16, {count, 1, 28, 28}, torch::kUInt8);
  EXPECT_TRUE(torch::equal(split.images, expectedImages));
}

TEST(MuData, ConvertsRealFashionMnist) {
  test::ScratchDir work("mu-data-fashion");
  const std::string out = work.file("fashion-mnist");
  const test::CommandResult run =
      test::runCommand(muData("convert --format fashion-mnist --shard-size 25000 --out " + out));
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("60000 train + 10000 test"), std::string::npos) << run.output;

  const LoadedSplit train = loadSplit(out, "train");
  const LoadedSplit test = loadSplit(out, "test");
  EXPECT_EQ(train.size() + test.size(), 70000);
  EXPECT_EQ(train.manifest.splits.at("train").shards.size(), 3u);
  expectSplitMatchesIdx(train, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
  expectSplitMatchesIdx(test, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
  EXPECT_TRUE(torch::equal(torch::bincount(train.labels), torch::full({10}, 6000, torch::kInt64)));

  // Normalisation measured on the training images (Fashion-MNIST is not in the reference).
  ASSERT_EQ(train.manifest.mean.size(), 1u);
  EXPECT_NEAR(train.manifest.mean[0], 0.2860, 5e-4);
  EXPECT_NEAR(train.manifest.std[0], 0.3530, 5e-4);

  // The seed-1 validation split: 10 % of each class.
  const TrainValSplit split = loadValidationSplit(out, train, 1);
  EXPECT_EQ(split.valIds.size(), 6000u);
  EXPECT_EQ(split.trainIds.size(), 54000u);

  // The schema as someone without our code sees it.
  const test::CommandResult dump = test::runCommand("h5dump -H " + out + "/train-00002.h5");
  ASSERT_EQ(dump.exitCode, 0) << dump.output;
  EXPECT_NE(dump.output.find("DATASET \"images\""), std::string::npos);
  EXPECT_NE(dump.output.find("H5T_STD_U8LE"), std::string::npos);
  EXPECT_NE(dump.output.find("( 10000, 1, 28, 28 )"), std::string::npos) << dump.output;
  EXPECT_NE(dump.output.find("ATTRIBUTE \"source_sha256\""), std::string::npos);

  // An identical rerun does nothing.
  const auto before = fs::last_write_time(out + "/train-00000.h5");
  const test::CommandResult again =
      test::runCommand(muData("convert --format fashion-mnist --shard-size 25000 --out " + out));
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_NE(again.output.find("nothing to do"), std::string::npos) << again.output;
  EXPECT_EQ(fs::last_write_time(out + "/train-00000.h5"), before);

  // Another dataset into the same folder is refused and the folder is untouched.
  const test::CommandResult other = test::runCommand(muData(
      "convert --format mnist --source " + kFashionDir + " --shard-size 25000 --out " + out));
  EXPECT_EQ(other.exitCode, 2) << other.output;
  EXPECT_NE(other.output.find("already holds 'fashion-mnist'"), std::string::npos) << other.output;
  EXPECT_EQ(fs::last_write_time(out + "/train-00000.h5"), before);
  EXPECT_EQ(loadSplit(out, "test").size(), 10000);
}

// --classes on the real Fashion-MNIST, compared with a full conversion made once.
class MuDataClasses : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new test::ScratchDir("mu-data-classes");
    const test::CommandResult run =
        test::runCommand(muData("convert --format fashion-mnist --out " + full()));
    ASSERT_EQ(run.exitCode, 0) << run.output;
  }
  static void TearDownTestSuite() {
    delete work_;
    work_ = nullptr;
  }
  static std::string full() { return work_->file("full"); }

  // Converts `classes` into a new folder named `name`; the run's output.
  static test::CommandResult convertClasses(const std::string& classes, const std::string& out) {
    return test::runCommand(
        muData("convert --format fashion-mnist --classes " + classes + " --out " + out));
  }

  // The subset's split holds the full conversion's images of `classes`, in their order there,
  // labelled by position in `classes`.
  static void expectSubsetOfFull(const std::string& subsetDir, const std::string& split,
                                 const std::vector<int64_t>& classes) {
    const LoadedSplit all = loadSplit(full(), split);
    const LoadedSplit subset = loadSplit(subsetDir, split);
    std::vector<int64_t> rows, labels;
    const auto allLabels = all.labels.accessor<int64_t, 1>();
    for (int64_t n = 0; n < all.size(); ++n) {
      const auto found = std::find(classes.begin(), classes.end(), allLabels[n]);
      if (found == classes.end()) continue;
      rows.push_back(n);
      labels.push_back(found - classes.begin());
    }
    ASSERT_EQ(subset.size(), static_cast<int64_t>(rows.size())) << split;
    EXPECT_TRUE(torch::equal(subset.labels, torch::tensor(labels))) << split;
    EXPECT_TRUE(torch::equal(subset.images, all.images.index_select(0, torch::tensor(rows))))
        << split << ": the images are not the full conversion's, in order";
  }

  static test::ScratchDir* work_;
};

test::ScratchDir* MuDataClasses::work_ = nullptr;

TEST_F(MuDataClasses, KeepsClassesFiveToNineAsADatasetOfItsOwn) {
  const std::string out = work_->file("fmnist-5-9");
  const test::CommandResult run = convertClasses("5-9", out);
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("30000 train + 5000 test"), std::string::npos) << run.output;

  const LoadedSplit train = loadSplit(out, "train");
  const LoadedSplit test = loadSplit(out, "test");
  EXPECT_TRUE(torch::equal(torch::bincount(train.labels), torch::full({5}, 6000, torch::kInt64)));
  EXPECT_TRUE(torch::equal(torch::bincount(test.labels), torch::full({5}, 1000, torch::kInt64)));
  expectSubsetOfFull(out, "train", {5, 6, 7, 8, 9});
  expectSubsetOfFull(out, "test", {5, 6, 7, 8, 9});

  const DatasetManifest& manifest = train.manifest;
  const DatasetManifest fullManifest = readManifest(full());
  EXPECT_EQ(manifest.dataset, "fashion-mnist[5-9]");
  EXPECT_EQ(manifest.family(), "fashion-mnist");
  EXPECT_EQ(manifest.numClasses, 5);
  EXPECT_EQ(manifest.sourceClasses, (std::vector<int64_t>{5, 6, 7, 8, 9}));
  EXPECT_EQ(manifest.classNames, std::vector<std::string>(fullManifest.classNames.begin() + 5,
                                                          fullManifest.classNames.end()));
  EXPECT_EQ(manifest.sourceSha256, fullManifest.sourceSha256);
  EXPECT_NE(manifest.identity(), fullManifest.identity());
  // Fashion-MNIST's statistics are measured: on the subset's own training images.
  EXPECT_GT(std::abs(manifest.mean[0] - fullManifest.mean[0]), 1e-3);
  // The validation split: 10 % of each of the subset's classes.
  const TrainValSplit split = loadValidationSplit(out, train, 1);
  EXPECT_EQ(split.valIds.size(), 3000u);
  EXPECT_EQ(split.trainIds.size(), 27000u);

  // The full dataset's manifest says nothing of subsets.
  std::stringstream fullText;
  fullText << std::ifstream(full() + "/manifest.json").rdbuf();
  EXPECT_EQ(fullText.str().find("source_classes"), std::string::npos);

  // The identical conversion again does nothing.
  const auto before = fs::last_write_time(out + "/train-00000.h5");
  const test::CommandResult again = convertClasses("5-9", out);
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_NE(again.output.find("already holds this conversion"), std::string::npos) << again.output;
  EXPECT_EQ(fs::last_write_time(out + "/train-00000.h5"), before);

  // Another subset, or the whole dataset, is another dataset: refused, the folders untouched.
  const auto fullBefore = fs::last_write_time(full() + "/train-00000.h5");
  const test::CommandResult intoFull = convertClasses("5-9", full());
  EXPECT_EQ(intoFull.exitCode, 2) << intoFull.output;
  EXPECT_NE(intoFull.output.find("already holds 'fashion-mnist'"), std::string::npos)
      << intoFull.output;
  const test::CommandResult otherSubset = convertClasses("0-4", out);
  EXPECT_EQ(otherSubset.exitCode, 2) << otherSubset.output;
  EXPECT_NE(otherSubset.output.find("already holds 'fashion-mnist[5-9]'"), std::string::npos)
      << otherSubset.output;
  EXPECT_EQ(fs::last_write_time(full() + "/train-00000.h5"), fullBefore);
  EXPECT_EQ(fs::last_write_time(out + "/train-00000.h5"), before);
}

TEST_F(MuDataClasses, NumbersTheClassesInTheListedOrder) {
  const std::string out = work_->file("fmnist-7-5");
  const test::CommandResult run = convertClasses("7,5", out);
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("12000 train + 2000 test"), std::string::npos) << run.output;
  expectSubsetOfFull(out, "train", {7, 5});
  expectSubsetOfFull(out, "test", {7, 5});
  const DatasetManifest manifest = readManifest(out);
  EXPECT_EQ(manifest.dataset, "fashion-mnist[7,5]");
  EXPECT_EQ(manifest.sourceClasses, (std::vector<int64_t>{7, 5}));
  EXPECT_EQ(manifest.classNames, (std::vector<std::string>{"Sneaker", "Sandal"}));
}

TEST_F(MuDataClasses, BadListsAreRefusedNamingTheOption) {
  for (const std::string classes : {"10", "5,5", "0-3,2", "5-x", "9-5", "''", "' '"}) {
    const std::string out = work_->file("bad");
    const test::CommandResult run = convertClasses(classes, out);
    EXPECT_EQ(run.exitCode, 2) << classes << ": " << run.output;
    EXPECT_NE(run.output.find("--classes"), std::string::npos) << classes << ": " << run.output;
    EXPECT_FALSE(fs::exists(out)) << classes;
  }
  const test::CommandResult outside = convertClasses("8-10", work_->file("bad"));
  EXPECT_NE(outside.output.find("class 10 is not one of fashion-mnist's 10 classes"),
            std::string::npos)
      << outside.output;
}

TEST(MuData, UnknownFormatListsTheValidOnes) {
  const test::CommandResult run = test::runCommand(muData("convert --format cifar11 --out x"));
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_NE(run.output.find("cifar11"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("fashion-mnist"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists("x"));
}

TEST(MuData, UnknownOptionAndBadValuesAreErrors) {
  EXPECT_EQ(test::runCommand(muData("convert --format mnist --out y --bogus 1")).exitCode, 2);
  EXPECT_EQ(test::runCommand(muData("convert --format mnist --out y --shard-size 0")).exitCode, 2);
  EXPECT_EQ(test::runCommand(muData("frobnicate")).exitCode, 2);
  EXPECT_FALSE(fs::exists("y"));
}

TEST(MuData, TruncatedSourceLeavesNothingBehind) {
  test::ScratchDir work("mu-data-truncated");
  const std::string source = work.file("source");
  fs::create_directories(source);
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    fs::copy_file(kFashionDir + "/" + name, source + "/" + name);
  }
  fs::resize_file(source + "/t10k-images-idx3-ubyte.gz", 100000);
  const test::CommandResult run = test::runCommand(
      muData("convert --format fashion-mnist --source " + source + " --out " + work.file("out")));
  EXPECT_EQ(run.exitCode, 2) << run.output;
  EXPECT_NE(run.output.find("t10k-images-idx3-ubyte.gz"), std::string::npos) << run.output;
  EXPECT_EQ(test::listFolder(work.path()), std::vector<std::string>{"source"});
}

// A conversion killed mid-write leaves its whole temporary folder beside the output: the next
// conversion into that folder removes it, and only it.
TEST(MuData, AKilledConversionsFolderIsRemovedByTheNext) {
  test::ScratchDir work("mu-data-killed");
  const std::string ended = std::to_string(test::endedProcessId());
  const std::string killed = work.file("out.tmp-" + ended + "-0");
  const std::string another = work.file("other.tmp-" + ended + "-0");
  fs::create_directories(killed);
  fs::create_directories(another);
  std::ofstream(killed + "/train-00000.h5") << "half a shard";
  const test::CommandResult run = test::runCommand(
      muData("convert --format fashion-mnist --classes 0,1 --out " + work.file("out")));
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("removed 1 half-written file(s)"), std::string::npos) << run.output;
  EXPECT_EQ(test::listFolder(work.path()),
            (std::vector<std::string>{"other.tmp-" + ended + "-0", "out"}));
}

}  // namespace
}  // namespace mu
