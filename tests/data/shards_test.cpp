// Shard files round-trip the images exactly whatever the shard size, and a damaged or foreign
// shard is reported with its file name instead of being read.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "pipeline/base/error.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/data/shard_writer.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/hdf5_file.h"
#include "tests/support/shard_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

torch::Tensor imagesAsTensor(const ImageSet& images) {
  return torch::from_blob(const_cast<uint8_t*>(images.pixels.data()),
                          {images.size(), images.channels, images.height, images.width},
                          torch::kUInt8)
      .clone();
}

TEST(Shards, RoundTripIsExactForAnyShardSize) {
  const ImageSet images = test::makePatternImages(30, 4);
  for (int64_t shardSize : {1, 7, 30, 1000}) {
    test::ScratchDir dir("shards-roundtrip");
    const DatasetManifest written = test::writePatternDataset(dir.path(), images, 4, shardSize);
    EXPECT_EQ(static_cast<int64_t>(written.splits.at("train").shards.size()),
              (30 + shardSize - 1) / shardSize);
    const LoadedSplit loaded = loadSplit(dir.path(), "train");
    ASSERT_EQ(loaded.size(), 30);
    EXPECT_TRUE(torch::equal(loaded.images, imagesAsTensor(images))) << "shard size " << shardSize;
    for (int64_t i = 0; i < 30; ++i) EXPECT_EQ(loaded.labels[i].item<int64_t>(), i % 4);
    EXPECT_EQ(loaded.manifest.dataset, "pattern");
    EXPECT_EQ(loaded.manifest.channels, 3);
  }
}

TEST(Shards, EachShardDescribesItself) {
  test::ScratchDir dir("shards-attributes");
  test::writePatternDataset(dir.path(), test::makePatternImages(10, 2), 2, 4);
  const Hdf5File file = Hdf5File::openReadOnly(dir.file("train-00001.h5"));
  EXPECT_EQ(file.stringAttribute("schema"), shards::kSchemaVersion);
  EXPECT_EQ(file.stringAttribute("dataset"), "pattern");
  EXPECT_EQ(file.stringAttribute("split"), "train");
  EXPECT_EQ(file.stringAttribute("layout"), "NCHW");
  EXPECT_EQ(file.intAttribute("shard_index"), 1);
  EXPECT_EQ(file.intAttribute("shard_count"), 3);
  EXPECT_EQ(file.intAttribute("first_id"), 4);
  EXPECT_EQ(file.intArrayAttribute("image_shape"), (std::vector<int64_t>{3, 8, 6}));
  EXPECT_EQ(file.datasetShape("images"), (std::vector<hsize_t>{4, 3, 8, 6}));
  EXPECT_EQ(file.readVector<int64_t>("ids"), (std::vector<int64_t>{4, 5, 6, 7}));
  EXPECT_EQ(file.stringArrayAttribute("class_names"),
            (std::vector<std::string>{"class0", "class1"}));
}

TEST(Shards, TruncatedShardNamesTheFile) {
  test::ScratchDir dir("shards-truncated");
  test::writePatternDataset(dir.path(), test::makePatternImages(20, 2), 2, 10);
  const std::string shard = dir.file("train-00001.h5");
  fs::resize_file(shard, fs::file_size(shard) / 2);
  try {
    loadSplit(dir.path(), "train");
    FAIL() << "a truncated shard was read";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("train-00001.h5"), std::string::npos) << error.what();
  }
}

TEST(Shards, MissingShardAndForeignShardAreErrors) {
  test::ScratchDir dir("shards-foreign");
  test::ScratchDir other("shards-other");
  test::writePatternDataset(dir.path(), test::makePatternImages(20, 2), 2, 10);
  test::writePatternDataset(other.path(), test::makePatternImages(20, 2), 2, 10, "another");
  fs::copy_file(other.file("train-00001.h5"), dir.file("train-00001.h5"),
                fs::copy_options::overwrite_existing);
  EXPECT_THROW(
      {
        try {
          loadSplit(dir.path(), "train");
        } catch (const InputError& error) {
          EXPECT_NE(std::string(error.what()).find("dataset"), std::string::npos);
          EXPECT_NE(std::string(error.what()).find("another"), std::string::npos);
          throw;
        }
      },
      InputError);
  fs::remove(dir.file("train-00001.h5"));
  EXPECT_THROW(loadSplit(dir.path(), "train"), InputError);
  EXPECT_THROW(loadSplit(dir.path(), "test"), InputError);
}

TEST(Shards, CorruptManifestIsAnError) {
  test::ScratchDir dir("shards-manifest");
  test::writePatternDataset(dir.path(), test::makePatternImages(4, 2), 2, 10);
  std::ofstream(dir.file("manifest.json")) << "{\"schema\": \"mu-shards/1\", \"dataset\": 3}";
  try {
    readManifest(dir.path());
    FAIL() << "a corrupt manifest was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("manifest.json"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("dataset"), std::string::npos);
  }
}

TEST(Shards, ValidationSplitIsReadBackOrRecomputedIdentically) {
  test::ScratchDir dir("shards-split");
  const ImageSet images = test::makePatternImages(200, 4);
  DatasetManifest manifest = test::writePatternDataset(dir.path(), images, 4, 64);
  const TrainValSplit drawn = makeValidationSplit(images.labels, 4, 3, 0.1);
  manifest.validationSplits.push_back(writeValidationSplit(dir.path(), manifest, 3, 0.1, drawn));
  writeManifest(dir.path(), manifest);
  const LoadedSplit train = loadSplit(dir.path(), "train");
  const TrainValSplit stored = loadValidationSplit(dir.path(), train, 3);
  EXPECT_EQ(stored.valIds, drawn.valIds);
  EXPECT_EQ(stored.trainIds, drawn.trainIds);
  EXPECT_EQ(stored.valIds.size(), 20u);  // int(0.1 * 50) for each of 4 classes
  const TrainValSplit computed = loadValidationSplit(dir.path(), train, 4);
  EXPECT_EQ(computed.valIds, makeValidationSplit(images.labels, 4, 4, 0.1).valIds);
  EXPECT_NE(computed.valIds, stored.valIds);
}

TEST(AtomicOutput, UncommittedFilesVanishAndCommittedOnesReplace) {
  test::ScratchDir dir("atomic");
  const std::string target = dir.file("result.txt");
  writeFileAtomically(target, "good");
  {
    AtomicFile failed(target);
    std::ofstream(failed.path()) << "half-writ";
    // no commit: as if the stage failed here
  }
  std::ifstream in(target);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "good");
  EXPECT_EQ(test::listFolder(dir.path()), std::vector<std::string>{"result.txt"});
}

}  // namespace
}  // namespace mu
