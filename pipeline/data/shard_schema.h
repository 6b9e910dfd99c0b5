#pragma once
// The dataset-on-disk schema shared by mu-data (writer) and every stage (reader). The layout is
// documented for people in docs/SCHEMA.md; the names below are the single source for code.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/data/image_set.h"

namespace mu {
namespace shards {

inline constexpr const char* kSchemaVersion = "mu-shards/1";
inline constexpr const char* kLayout = "NCHW";

// How a dataset stores its pixels (manifest "encoding").
inline constexpr const char* kRawEncoding = "raw";    // decoded uint8 NCHW: small datasets
inline constexpr const char* kJpegEncoding = "jpeg";  // encoded files, variable sizes: ImageNet

// Datasets inside each shard file.
inline constexpr const char* kImages = "images";  // raw: uint8 [n, C, H, W]
inline constexpr const char* kLabels = "labels";  // int32 [n]
inline constexpr const char* kIds = "ids";        // int64 [n], sample id = source-order position
// JPEG shards: every image's bytes end to end, and where each one starts.
inline constexpr const char* kEncoded = "encoded";           // uint8 [total bytes]
inline constexpr const char* kOffsets = "offsets";           // int64 [n + 1]
inline constexpr const char* kHeights = "heights";           // int32 [n], decoded size
inline constexpr const char* kWidths = "widths";             // int32 [n]
inline constexpr const char* kSourceIndex = "source_index";  // int64 [n], in the sorted listing

// Datasets inside a validation-split file.
inline constexpr const char* kTrainIds = "train_ids";  // int64, ascending
inline constexpr const char* kValIds = "val_ids";      // int64, in draw order

std::string shardFileName(const std::string& split, int64_t index);
std::string validationSplitFileName(uint32_t seed);

}  // namespace shards

// The manifest: what the dataset is and where its shards are. Serialised as manifest.json.
struct DatasetManifest {
  struct Split {
    int64_t count = 0;
    std::vector<std::string> shards;  // file names relative to the dataset folder
  };
  struct ValidationSplit {
    uint32_t seed = 1;
    double fraction = 0.1;
    std::string file;
    int64_t trainCount = 0;
    int64_t valCount = 0;
  };

  // A source file the conversion left out (--skip-bad) or stored re-encoded, and why.
  struct ConversionNote {
    std::string path;
    std::string reason;
  };

  std::string schema = shards::kSchemaVersion;
  std::string dataset;
  std::string encoding = shards::kRawEncoding;  // raw | jpeg (image_shape H, W are 0: they vary)
  int numClasses = 0;
  std::vector<std::string> classNames;
  // mu-data convert --classes: the source dataset's class of each of ours (class i was source
  // class sourceClasses[i]); empty when the dataset holds every source class. Such a dataset is
  // named "<family>[<classes>]", e.g. "fashion-mnist[5-9]".
  std::vector<int64_t> sourceClasses;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::string layout = shards::kLayout;
  std::vector<double> mean;  // per channel, of images scaled to [0, 1]: the model's normalisation
  std::vector<double> std;
  std::string sourceSha256;  // SHA-256 over the sorted "name sha256" lines of every source file
  std::vector<SourceFile> sources;
  int64_t shardSize = 0;
  std::map<std::string, Split> splits;  // "train", "test"
  std::vector<ValidationSplit> validationSplits;
  std::string codeVersion;
  // JPEG datasets only.
  int64_t maxSide = 0;      // --max-side: longer sides were re-encoded down to this (0: none)
  int64_t jpegQuality = 0;  // of every image the conversion re-encoded
  std::string sourceListingSha256;  // the sorted relative paths and sizes: "already converted?"
  std::vector<ConversionNote> skipped;
  std::vector<ConversionNote> transcoded;

  bool encoded() const { return encoding != shards::kRawEncoding; }
  // The source format's dataset name, without a class subset's "[...]": "fashion-mnist" for
  // "fashion-mnist[5-9]". What per-dataset choices (augmentation, normalisation) go by.
  std::string family() const;

  const Split& split(const std::string& name, const std::string& manifestPath) const;
  // What a run records of the dataset it read, by content rather than by folder:
  // {"dataset": name, "source_sha256": ...}. A dataset folder may move between a run and its
  // resume; a different dataset may not.
  nlohmann::json identity() const;
  const ValidationSplit* findValidationSplit(uint32_t seed) const;
};

std::string manifestToJson(const DatasetManifest& manifest);
// Throws InputError naming `path` and the offending field.
DatasetManifest manifestFromJson(const std::string& text, const std::string& path);
DatasetManifest readManifest(const std::string& datasetDir);
void writeManifest(const std::string& datasetDir, const DatasetManifest& manifest);

// The combined checksum recorded as sourceSha256.
std::string combinedSourceSha256(const std::vector<SourceFile>& sources);

}  // namespace mu
