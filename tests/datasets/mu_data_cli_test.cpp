// mu-data convert end to end: the real Fashion-MNIST (Debian's dataset-fashion-mnist) becomes
// shards whose labels and pixels match the IDX files byte for byte; a rerun does nothing; bad
// input exits 2 with one clear line and leaves nothing behind.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

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

}  // namespace
}  // namespace mu
