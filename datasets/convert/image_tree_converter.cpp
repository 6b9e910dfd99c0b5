#include "datasets/convert/image_tree_converter.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "datasets/convert/class_subset.h"
#include "datasets/convert/image_preparation.h"
#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/base/seconds_since.h"
#include "pipeline/data/encoded_shards.h"
#include "pipeline/data/shard_writer.h"
#include "pipeline/data/validation_split.h"
#include "pipeline/io/file_digest.h"
#include "pipeline/io/json_file.h"
#include "pipeline/io/text_file.h"
#include "pipeline/runs/run_folder.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Note = DatasetManifest::ConversionNote;

const std::vector<std::string>& splitNames() {
  static const std::vector<std::string> names{"train", "test"};
  return names;
}

// A block of --shard-size consecutive files of a split's sorted listing: one shard.
struct Block {
  std::string split;
  int64_t index = 0;
  int64_t first = 0;
  int64_t count = 0;
  int64_t blockCount = 0;
};

std::vector<Block> planBlocks(const ImageTree& tree, int64_t shardSize,
                              const std::string& sourceDir) {
  std::vector<Block> blocks;
  for (const std::string& split : splitNames()) {
    const auto total = static_cast<int64_t>(tree.splits.at(split).size());
    if (total == 0) throw InputError(sourceDir, split, "at least one image in this split");
    const int64_t count = (total + shardSize - 1) / shardSize;
    for (int64_t index = 0; index < count; ++index) {
      blocks.push_back(
          {split, index, index * shardSize, std::min(shardSize, total - index * shardSize), count});
    }
  }
  return blocks;
}

std::string relativePath(const std::string& path, const std::string& root) {
  return fs::path(path).lexically_relative(root).generic_string();
}

// The listing by content-free facts (every file's relative path and size): what "is this folder
// already this conversion?" compares, without reading the images again.
std::string listingSha256(const ImageTree& tree, const std::string& root) {
  std::string lines;
  for (const std::string& split : splitNames()) {
    for (const ImageFile& file : tree.splits.at(split)) {
      std::error_code error;
      const auto size = fs::file_size(file.path, error);
      lines += split + "\t" + relativePath(file.path, root) + "\t" +
               (error ? std::string("?") : std::to_string(size)) + "\n";
    }
  }
  return sha256OfString(lines);
}

// What identifies a conversion: an interrupted one is finished only with the same facts.
json conversionFacts(const ConvertOptions& options, const ImageTree& tree,
                     const std::string& listing) {
  return {{"dataset", tree.dataset},
          {"source_listing_sha256", listing},
          {"shard_size", options.shardSize},
          {"max_side", options.maxSide},
          {"jpeg_quality", options.jpegQuality},
          {"split_seed", options.splitSeed},
          {"val_fraction", options.valFraction}};
}

// True when `outDir` already holds this conversion; InputError when it holds anything else.
bool alreadyConverted(const ConvertOptions& options, const json& facts) {
  if (!fs::exists(options.outDir) ||
      (fs::is_directory(options.outDir) && fs::is_empty(options.outDir))) {
    return false;
  }
  const std::string manifestPath = runs::DatasetFolder(options.outDir).manifest();
  if (!fs::exists(manifestPath)) {
    throw InputError(options.outDir, "--out",
                     "a missing or empty folder, or one written by mu-data convert");
  }
  const DatasetManifest existing = readManifest(options.outDir);
  const auto* split = existing.findValidationSplit(static_cast<uint32_t>(options.splitSeed));
  const bool same = existing.dataset == facts["dataset"] &&
                    existing.sourceListingSha256 == facts["source_listing_sha256"] &&
                    existing.shardSize == options.shardSize &&
                    existing.maxSide == options.maxSide &&
                    existing.jpegQuality == options.jpegQuality && split != nullptr &&
                    split->fraction == options.valFraction;
  if (!same) {
    throw InputError(manifestPath, "dataset",
                     "this folder holds another conversion (dataset '" + existing.dataset +
                         "', other files or options); choose another --out");
  }
  return true;
}

// The dataset's facts every shard repeats. source_sha256 is known only at the end.
DatasetManifest baseManifest(const ImageTree& tree, const ConvertOptions& options) {
  DatasetManifest manifest;
  manifest.dataset = tree.dataset;
  manifest.encoding = shards::kJpegEncoding;
  manifest.numClasses = static_cast<int>(tree.classNames.size());
  manifest.classNames = tree.classNames;
  manifest.sourceClasses = options.classList();
  manifest.channels = 3;  // every image decodes to RGB; its size varies (0 x 0 here)
  manifest.mean = tree.mean;
  manifest.std = tree.std;
  manifest.shardSize = options.shardSize;
  manifest.codeVersion = codeVersion();
  manifest.maxSide = options.maxSide;
  manifest.jpegQuality = options.jpegQuality;
  return manifest;
}

json notesJson(const std::vector<Note>& notes) {
  json out = json::array();
  for (const Note& note : notes) out.push_back({{"path", note.path}, {"reason", note.reason}});
  return out;
}

// Converts one block into its shard at `path`.
void convertBlock(const Block& block, const ImageTree& tree, const ConvertOptions& options,
                  const std::string& sourceDir, const std::string& path, JpegCodec& codec) {
  const std::vector<ImageFile>& files = tree.splits.at(block.split);
  const ImagePreparation preparation{options.maxSide, static_cast<int>(options.jpegQuality)};
  std::vector<EncodedImage> images;
  std::vector<Note> skipped, transcoded;
  std::string digestLines;
  for (int64_t i = block.first; i < block.first + block.count; ++i) {
    const ImageFile& file = files[static_cast<size_t>(i)];
    const std::string relative = relativePath(file.path, sourceDir);
    std::vector<uint8_t> bytes = readBinaryFile(file.path);
    digestLines += relative + " " + sha256OfString({bytes.begin(), bytes.end()}) + "\n";
    PreparedImage prepared;
    try {
      prepared = prepareImage(std::move(bytes), preparation, codec);
    } catch (const ImageError& error) {
      if (!options.skipBad) {
        throw InputError(file.path, "image",
                         std::string("a complete JPEG or PNG image: ") + error.what() +
                             " (--skip-bad leaves such files out and lists them)");
      }
      skipped.push_back({relative, error.what()});
      continue;
    }
    if (!prepared.transcoded.empty()) transcoded.push_back({relative, prepared.transcoded});
    images.push_back({std::move(prepared.bytes), file.label, prepared.height, prepared.width, i});
  }
  const json conversion{{"source_first", block.first},
                        {"source_count", block.count},
                        {"source_sha256", sha256OfString(digestLines)},
                        {"skipped", notesJson(skipped)},
                        {"transcoded", notesJson(transcoded)}};
  writeEncodedShard(path, baseManifest(tree, options), block.split, block.index, block.blockCount,
                    images, {{"conversion", conversion.dump()}});
}

std::vector<Note> notesOf(const json& list) {
  std::vector<Note> notes;
  for (const json& note : list) {
    notes.push_back({note.at("path").get<std::string>(), note.at("reason").get<std::string>()});
  }
  return notes;
}

// Rank 0, once every shard exists: ids, the validation split, the manifest; then the rename.
ConvertResult finishConversion(const std::vector<Block>& blocks, const ImageTree& tree,
                               const ConvertOptions& options, const std::string& sourceDir,
                               const std::string& staging) {
  DatasetManifest manifest = baseManifest(tree, options);
  ConvertResult result;
  std::map<std::string, int64_t> totals;
  std::vector<int64_t> counts;
  std::vector<int32_t> trainLabels;
  std::string blockDigests;
  for (const Block& block : blocks) {
    const std::string path =
        (fs::path(staging) / shards::shardFileName(block.split, block.index)).string();
    const EncodedShard shard(path);
    const json conversion = json::parse(shard.stringAttribute("conversion"));
    blockDigests += conversion.at("source_sha256").get<std::string>() + "\n";
    for (Note& note : notesOf(conversion.at("skipped"))) manifest.skipped.push_back(note);
    for (Note& note : notesOf(conversion.at("transcoded"))) manifest.transcoded.push_back(note);
    counts.push_back(shard.size());
    totals[block.split] += shard.size();
    if (block.split == "train") {
      trainLabels.insert(trainLabels.end(), shard.labels().begin(), shard.labels().end());
    }
    manifest.splits[block.split].shards.push_back(shards::shardFileName(block.split, block.index));
  }
  manifest.sourceSha256 = sha256OfString(blockDigests);
  manifest.sourceListingSha256 = listingSha256(tree, sourceDir);
  manifest.sources = {{sourceDir, manifest.sourceSha256}};
  std::map<std::string, int64_t> nextId;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Block& block = blocks[b];
    const std::string path =
        (fs::path(staging) / manifest.splits[block.split].shards[static_cast<size_t>(block.index)])
            .string();
    finishEncodedShard(path, nextId[block.split], totals[block.split], manifest.sourceSha256);
    nextId[block.split] += counts[b];
  }
  for (const std::string& split : splitNames()) manifest.splits[split].count = totals[split];
  const auto seed = static_cast<uint32_t>(options.splitSeed);
  const TrainValSplit split =
      makeValidationSplit(trainLabels, manifest.numClasses, seed, options.valFraction);
  manifest.validationSplits.push_back(
      writeValidationSplit(staging, manifest, seed, options.valFraction, split));
  writeManifest(staging, manifest);
  fs::remove(fs::path(staging) / "conversion.json");
  if (fs::exists(options.outDir)) fs::remove(options.outDir);  // an empty folder (checked)
  fs::rename(staging, options.outDir);

  result.trainCount = totals["train"];
  result.testCount = totals["test"];
  result.shardCount = static_cast<int64_t>(blocks.size());
  result.skipped = static_cast<int64_t>(manifest.skipped.size());
  result.transcoded = static_cast<int64_t>(manifest.transcoded.size());
  return result;
}

}  // namespace

ConvertResult convertImageTree(const ConvertOptions& options, const SourceFormat& format,
                               const MpiRuntime& runtime) {
  options.validate();
  const std::string sourceDir = options.sourceDir;
  if (sourceDir.empty()) {
    throw InputError("--source", "value", "required for format '" + format.name + "'");
  }
  const auto start = std::chrono::steady_clock::now();
  // A class subset renames the dataset and lists only its files: both enter the conversion's
  // facts, so another subset (or the full tree) is another conversion.
  const ImageTree tree = selectClasses(format.listTree(sourceDir), options.classList());
  const json facts = conversionFacts(options, tree, listingSha256(tree, sourceDir));
  ConvertResult result;
  if (alreadyConverted(options, facts)) {
    result.alreadyConverted = true;
    return result;
  }
  const std::vector<Block> blocks = planBlocks(tree, options.shardSize, sourceDir);
  const std::string staging = fs::path(options.outDir).lexically_normal().string() + ".partial";
  const std::string factsFile = (fs::path(staging) / "conversion.json").string();
  if (runtime.rank() == 0) {
    fs::create_directories(staging);
    if (fs::exists(factsFile) && readJsonFile(factsFile) != facts) {
      throw InputError(factsFile, "conversion",
                       "this interrupted conversion's sources and options; it had others: remove " +
                           staging + " or convert into another --out");
    }
    if (!fs::exists(factsFile)) writeJsonFile(factsFile, facts);
  }
  runtime.barrier();

  // Each rank converts the blocks b with b mod ranks == its rank; finished shards are kept.
  JpegCodec codec;
  int64_t images = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (static_cast<int>(b % static_cast<size_t>(runtime.size())) != runtime.rank()) continue;
    const Block& block = blocks[b];
    const std::string path =
        (fs::path(staging) / shards::shardFileName(block.split, block.index)).string();
    if (fs::exists(path)) continue;
    convertBlock(block, tree, options, sourceDir, path, codec);
    images += block.count;
    if (runtime.rank() == 0) {
      const double seconds = secondsSince(start);
      std::fprintf(stderr,
                   "[convert] %s shard %lld/%lld: %lld images on this rank, %.0f images/s\n",
                   block.split.c_str(), static_cast<long long>(block.index + 1),
                   static_cast<long long>(block.blockCount), static_cast<long long>(images),
                   seconds > 0 ? images / seconds : 0.0);
    }
  }
  result.readSeconds = secondsSince(start);
  runtime.barrier();
  const auto finishStart = std::chrono::steady_clock::now();
  if (runtime.rank() == 0) {
    const double readSeconds = result.readSeconds;
    result = finishConversion(blocks, tree, options, sourceDir, staging);
    result.readSeconds = readSeconds;
  }
  result.writeSeconds = secondsSince(finishStart);
  runtime.barrier();
  return result;
}

}  // namespace mu
