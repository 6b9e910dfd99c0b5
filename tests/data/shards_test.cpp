// Shard files round-trip the images exactly whatever the shard size, and a damaged or foreign
// shard is reported with its file name instead of being read.

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "pipeline/base/error.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/data/shard_writer.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/hdf5_file.h"
#include "tests/support/damaged_hdf5.h"
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
  // Found by fuzz_dataset_manifest (corpus/dataset_manifest/regression-number-overflow): a number
  // too large for a double is nlohmann's out_of_range, not a parse_error, and escaped the reader.
  std::ofstream(dir.file("manifest.json")) << "{\"schema\": \"mu-shards/1\", \"x\": 5e555556}";
  try {
    readManifest(dir.path());
    FAIL() << "a manifest with 5e555556 was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("manifest.json: json: expected valid JSON"),
              std::string::npos)
        << error.what();
  }
}

// A manifest whose count or image shape its shards do not hold is named before anything is
// allocated for it (a damaged count asked LibTorch for terabytes, a negative one for a negative
// size: c10::Error, an unexpected failure, instead of bad input).
TEST(Shards, ACountOrShapeTheShardsDoNotHoldIsNamed) {
  test::ScratchDir dir("shards-count");
  test::writePatternDataset(dir.path(), test::makePatternImages(20, 2), 2, 10);
  std::ifstream in(dir.file("manifest.json"));
  const nlohmann::json good = nlohmann::json::parse(in);
  const auto expectNamed = [&](const std::function<void(nlohmann::json&)>& damage,
                               const std::string& field) {
    nlohmann::json manifest = good;
    damage(manifest);
    std::ofstream(dir.file("manifest.json")) << manifest.dump();
    try {
      loadSplit(dir.path(), "train");
      FAIL() << "accepted: " << manifest.dump();
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("manifest.json: " + field), std::string::npos)
          << error.what();
    }
  };
  expectNamed([](nlohmann::json& m) { m["splits"]["train"]["count"] = int64_t{1} << 40; },
              "splits.train.count: 1099511627776, but its shards hold 20 images");
  expectNamed([](nlohmann::json& m) { m["splits"]["train"]["count"] = -1; }, "splits.train.count");
  expectNamed([](nlohmann::json& m) { m["splits"]["train"]["count"] = 19; }, "splits.train.count");
  expectNamed([](nlohmann::json& m) { m["image_shape"] = {3, -8, 6}; }, "image_shape");
  // Found by fuzz_dataset_manifest (tests/fuzz/corpus/dataset_manifest/regression-float-count):
  // nlohmann converts 1e99 to int with undefined behaviour; integer fields hold whole numbers.
  expectNamed([](nlohmann::json& m) { m["num_classes"] = 1e99; }, "num_classes");
  expectNamed([](nlohmann::json& m) { m["image_shape"] = {3, 8.5, 6}; }, "image_shape");
  expectNamed([](nlohmann::json& m) { m["image_shape"] = {0, 8, 6}; }, "image_shape");
  expectNamed(
      [](nlohmann::json& m) {
        m["splits"]["train"]["shards"] = nlohmann::json::array();
        m["splits"]["train"]["count"] = 0;
        m["image_shape"] = {3, 8, 1 << 30};
      },
      "image_shape");
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

// Writes 200 pattern images in two shards with their seed-3 validation split, rewrites the shards
// and the split file in HDF5's oldest format (as they were written before they carried
// checksums), checks that they still read, applies `damage` to `file` and expects the reading to
// name it as damaged.
bool damagedDatasetFileIsNamed(const std::string& name, const std::string& file,
                               const std::function<void(const std::string&)>& damage) {
  test::ScratchDir dir(name);
  const ImageSet images = test::makePatternImages(200, 4);
  DatasetManifest manifest = test::writePatternDataset(dir.path(), images, 4, 100);
  const TrainValSplit drawn = makeValidationSplit(images.labels, 4, 3, 0.1);
  manifest.validationSplits.push_back(writeValidationSplit(dir.path(), manifest, 3, 0.1, drawn));
  writeManifest(dir.path(), manifest);
  for (const char* written : {"train-00000.h5", "train-00001.h5", "split-seed3.h5"}) {
    test::rewriteInOldestFormat(dir.file(written));
  }
  const auto read = [&] { loadValidationSplit(dir.path(), loadSplit(dir.path(), "train"), 3); };
  read();
  damage(dir.file(file));
  return test::namesDamage(dir.file(file), read);
}

// Damage that once ended in std::bad_alloc (exit 1) or in a wrong value is named.
TEST(Shards, DamagedShardOrSplitFileOfTheOldestFormatIsNamed) {
  // An impossible number of images (a huge first extent), allocated before it was read.
  test::expectInChildProcess([] {
    return damagedDatasetFileIsNamed(
        "shards-damaged-extent", "train-00000.h5", [](const std::string& path) {
          test::flipByte(path, test::oldestFormatExtentByte(path, {100, 3, 8, 6}));
        });
  });
  // A string's size in the global heap (grown by 16 MiB): the library skipped the strings after
  // it and read the shard's dataset name as "" (a misleading refusal).
  test::expectInChildProcess([] {
    return damagedDatasetFileIsNamed(
        "shards-damaged-heap", "train-00001.h5", [](const std::string& path) {
          // The collection's header is 16 bytes; its first object's size is the next header's
          // last 8.
          test::flipByte(path, test::findInFile(path, "GCOL").at(0) + 16 + 10);
        });
  });
  // An impossible number of training ids in the split file: 180 (200 less 10 %) made huge.
  test::expectInChildProcess([] {
    return damagedDatasetFileIsNamed(
        "shards-damaged-split", "split-seed3.h5", [](const std::string& path) {
          test::flipByte(path, test::oldestFormatExtentByte(path, {180}));
        });
  });
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

// A writer killed mid-write never removes its temporary: the next start in the folder does (in
// the folder and one level down), but never one whose writer still runs, nor anything that only
// looks like one.
TEST(AtomicOutput, TemporariesOfEndedWritersAreRemoved) {
  test::ScratchDir dir("atomic-abandoned");
  const std::string ended = std::to_string(test::endedProcessId());
  const std::string running = std::to_string(::getpid());
  fs::create_directories(dir.file("round1/deeper"));  // two levels down: not looked into
  fs::create_directories(dir.file("data.tmp-" + ended + "-1"));
  std::ofstream(dir.file("last.h5.tmp-" + ended + "-0")) << std::string(1000, 'x');
  std::ofstream(dir.file("round1/pruned.h5.tmp-" + ended + "-3")) << std::string(200, 'x');
  std::ofstream(dir.file("data.tmp-" + ended + "-1/train-00000.h5")) << std::string(30, 'x');
  std::ofstream(dir.file("round1/deeper/last.h5.tmp-" + ended + "-4")) << "kept";
  // "x": a name shorter than the final name looked for.
  const std::vector<std::string> others = {"last.h5",
                                           "best.h5.tmp-" + running + "-7",
                                           "notes.tmp-x-1",
                                           ".tmp-" + ended + "-2",
                                           "b.tmp-" + ended + "-0",
                                           "x"};
  for (const std::string& name : others) std::ofstream(dir.file(name)) << "4 by";

  const AbandonedTemporaries one = removeAbandonedTemporaries(dir.path(), "data");
  EXPECT_EQ(one.count, 1);
  EXPECT_EQ(one.bytes, 30u);
  const AbandonedTemporaries rest = removeAbandonedTemporaries(dir.path());
  EXPECT_EQ(rest.count, 3);  // last.h5's, round1/pruned.h5's and b's
  EXPECT_EQ(rest.bytes, 1204u);
  EXPECT_EQ(test::listFolder(dir.path()),
            (std::vector<std::string>{".tmp-" + ended + "-2", "best.h5.tmp-" + running + "-7",
                                      "last.h5", "notes.tmp-x-1", "round1", "x"}));
  EXPECT_EQ(test::listFolder(dir.file("round1")), std::vector<std::string>{"deeper"});
  EXPECT_EQ(test::listFolder(dir.file("round1/deeper")).size(), 1u);
}

}  // namespace
}  // namespace mu
