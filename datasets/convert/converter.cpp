#include "datasets/convert/converter.h"

#include <chrono>
#include <filesystem>

#include "datasets/convert/class_subset.h"
#include "datasets/convert/normalisation.h"
#include "datasets/formats/format_registry.h"
#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/base/seconds_since.h"
#include "pipeline/data/shard_writer.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/runs/run_folder.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

// True when `outDir` already holds exactly this conversion; throws when it holds anything else,
// so a good dataset folder is never overwritten by a different one.
bool alreadyConverted(const ConvertOptions& options, const std::string& dataset,
                      const std::string& sourceSha256) {
  if (!fs::exists(options.outDir)) return false;
  if (!fs::is_directory(options.outDir)) {
    throw InputError(options.outDir, "--out", "exists and is not a folder");
  }
  if (fs::is_empty(options.outDir)) return false;
  const fs::path manifestPath = fs::path(runs::DatasetFolder(options.outDir).manifest());
  if (!fs::exists(manifestPath)) {
    throw InputError(options.outDir, "--out",
                     "is a non-empty folder without manifest.json; expected a missing or empty "
                     "folder, or one written by mu-data convert");
  }
  const DatasetManifest existing = readManifest(options.outDir);
  if (existing.dataset != dataset || existing.sourceSha256 != sourceSha256) {
    throw InputError(manifestPath.string(), "dataset",
                     "folder already holds '" + existing.dataset + "' (source sha256 " +
                         existing.sourceSha256.substr(0, 12) + "...), not '" + dataset +
                         "' from these sources (sha256 " + sourceSha256.substr(0, 12) +
                         "...); choose another --out");
  }
  const auto* split = existing.findValidationSplit(static_cast<uint32_t>(options.splitSeed));
  if (existing.shardSize != options.shardSize || !split || split->fraction != options.valFraction) {
    throw InputError(manifestPath.string(), "shard_size/validation_splits",
                     "folder holds this dataset converted with other options (shard size " +
                         std::to_string(existing.shardSize) +
                         "); choose another --out or remove it");
  }
  return true;
}

}  // namespace

void ConvertOptions::registerOptions(OptionTable& table) {
  table.addChoice("format", &format, sourceFormatNames(), "source format (`mu-data formats`)")
      .add("source", &sourceDir,
           "folder with the source files (default: the format's installed copy, if any)")
      .add("out", &outDir, "output dataset folder")
      .add("shard-size", &shardSize, "samples per shard file")
      .add("split-seed", &splitSeed, "seed of the train/validation split stored with the shards")
      .add("val-fraction", &valFraction, "fraction of each class held out for validation")
      .add("classes", &classes,
           "keep only these source classes, relabelled 0..k-1 in the order listed, as the "
           "dataset '<format>[<classes>]' (e.g. 5-9, 0,2,4 or 0-2,7; default: every class)")
      .add("max-side", &maxSide,
           "image trees: re-encode images whose longer side exceeds N pixels down to N (0: keep "
           "every size)")
      .add("jpeg-quality", &jpegQuality, "image trees: quality of the images re-encoded")
      .addFlag("skip-bad", &skipBad,
               "image trees: leave out files that do not decode (listed in the manifest) instead "
               "of stopping at the first");
}

void ConvertOptions::validate() const {
  if (outDir.empty()) throw InputError("--out", "value", "required: the dataset folder");
  if (splitSeed < 0 || splitSeed > 0xFFFFFFFFLL) {
    throw InputError("--split-seed", "value",
                     "a seed in [0, 2^32), got " + std::to_string(splitSeed));
  }
  if (shardSize <= 0) {
    throw InputError("--shard-size must be positive, got " + std::to_string(shardSize));
  }
  if (!(valFraction >= 0.0 && valFraction < 1.0)) {
    throw InputError("--val-fraction must be in [0, 1), got " + std::to_string(valFraction));
  }
  if (maxSide < 0) throw InputError("--max-side", "value", ">= 0 (0: keep every size)");
  if (jpegQuality < 1 || jpegQuality > 100) {
    throw InputError("--jpeg-quality", "value", "a JPEG quality in [1, 100]");
  }
  classList();  // bad syntax is refused before any source file is read
}

std::vector<int64_t> ConvertOptions::classList() const {
  if (classes.empty()) return {};
  return parseClassList(classes);
}

ConvertResult convertDataset(const ConvertOptions& options) {
  options.validate();
  const SourceFormat& format = findSourceFormat(options.format);
  if (format.load == nullptr) {
    throw InputError("--format", "value",
                     format.name +
                         " is a tree of image files, converted by every MPI rank "
                         "(convertImageTree), not read into memory");
  }
  const std::string sourceDir =
      options.sourceDir.empty() ? format.defaultSource : options.sourceDir;
  if (sourceDir.empty()) {
    throw InputError("--source", "value", "required for format '" + format.name + "'");
  }

  ConvertResult result;
  const auto readStart = std::chrono::steady_clock::now();
  const SourceDataset source = selectClasses(format.load(sourceDir), options.classList());
  result.readSeconds = secondsSince(readStart);
  result.trainCount = source.train.size();
  result.testCount = source.test.size();

  DatasetManifest manifest;
  manifest.dataset = source.name;
  manifest.numClasses = source.numClasses;
  manifest.classNames = source.classNames;
  manifest.sourceClasses = options.classList();
  manifest.channels = source.train.channels;
  manifest.height = source.train.height;
  manifest.width = source.train.width;
  // A subset keeps its family's reference constants; measured statistics are the subset's own.
  const ChannelStatistics statistics = normalisationFor(manifest.family(), source.train);
  manifest.mean = statistics.mean;
  manifest.std = statistics.std;
  manifest.sources = source.sources;
  manifest.sourceSha256 = combinedSourceSha256(source.sources);
  manifest.shardSize = options.shardSize;
  manifest.codeVersion = codeVersion();

  // The name includes the class subset: another subset is another dataset.
  if (alreadyConverted(options, manifest.dataset, manifest.sourceSha256)) {
    result.alreadyConverted = true;
    return result;
  }

  const auto writeStart = std::chrono::steady_clock::now();
  const fs::path parent = fs::absolute(options.outDir).parent_path();
  fs::create_directories(parent);
  // A conversion killed earlier left its whole half-written folder beside the output.
  const std::string outName = fs::path(options.outDir).lexically_normal().filename().string();
  if (!outName.empty()) removeAbandonedTemporaries(parent.string(), outName);
  AtomicDirectory output(options.outDir);
  for (const auto& [name, images] :
       {std::pair<std::string, const ImageSet*>{"train", &source.train}, {"test", &source.test}}) {
    auto files = writeSplitShards(output.path(), manifest, name, *images);
    result.shardCount += static_cast<int64_t>(files.size());
    manifest.splits[name] = {images->size(), std::move(files)};
  }
  const auto splitSeed = static_cast<uint32_t>(options.splitSeed);
  const TrainValSplit split =
      makeValidationSplit(source.train.labels, source.numClasses, splitSeed, options.valFraction);
  manifest.validationSplits.push_back(
      writeValidationSplit(output.path(), manifest, splitSeed, options.valFraction, split));
  writeManifest(output.path(), manifest);
  output.commit();
  result.writeSeconds = secondsSince(writeStart);
  return result;
}

}  // namespace mu
