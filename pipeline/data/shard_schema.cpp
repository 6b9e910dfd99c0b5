#include "pipeline/data/shard_schema.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/file_digest.h"
#include "pipeline/io/json_number.h"
#include "pipeline/runs/run_folder.h"

namespace mu {
namespace shards {

std::string shardFileName(const std::string& split, int64_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "-%05lld.h5", static_cast<long long>(index));
  return split + buffer;
}

std::string validationSplitFileName(uint32_t seed) {
  return "split-seed" + std::to_string(seed) + ".h5";
}

}  // namespace shards

using nlohmann::json;

nlohmann::json DatasetManifest::identity() const {
  return {{"dataset", dataset}, {"source_sha256", sourceSha256}};
}

std::string DatasetManifest::family() const {
  return dataset.substr(0, dataset.find('['));
}

const DatasetManifest::Split& DatasetManifest::split(const std::string& name,
                                                     const std::string& manifestPath) const {
  auto found = splits.find(name);
  if (found == splits.end()) {
    throw InputError(manifestPath, "splits." + name, "expected this split to exist");
  }
  return found->second;
}

const DatasetManifest::ValidationSplit* DatasetManifest::findValidationSplit(uint32_t seed) const {
  for (const ValidationSplit& entry : validationSplits) {
    if (entry.seed == seed) return &entry;
  }
  return nullptr;
}

std::string manifestToJson(const DatasetManifest& manifest) {
  json doc;
  doc["schema"] = manifest.schema;
  doc["dataset"] = manifest.dataset;
  doc["encoding"] = manifest.encoding;
  doc["num_classes"] = manifest.numClasses;
  doc["class_names"] = manifest.classNames;
  // Only subsets carry the field: a full dataset's manifest (and so its identity) is unchanged.
  if (!manifest.sourceClasses.empty()) doc["source_classes"] = manifest.sourceClasses;
  doc["image_shape"] = {manifest.channels, manifest.height, manifest.width};
  doc["layout"] = manifest.layout;
  doc["mean"] = manifest.mean;
  doc["std"] = manifest.std;
  doc["source_sha256"] = manifest.sourceSha256;
  doc["sources"] = json::array();
  for (const SourceFile& source : manifest.sources) {
    doc["sources"].push_back({{"path", source.path}, {"sha256", source.sha256}});
  }
  doc["shard_size"] = manifest.shardSize;
  for (const auto& [name, split] : manifest.splits) {
    doc["splits"][name] = {{"count", split.count}, {"shards", split.shards}};
  }
  doc["validation_splits"] = json::array();
  for (const auto& entry : manifest.validationSplits) {
    doc["validation_splits"].push_back({{"seed", entry.seed},
                                        {"fraction", entry.fraction},
                                        {"file", entry.file},
                                        {"train_count", entry.trainCount},
                                        {"val_count", entry.valCount}});
  }
  doc["code_version"] = manifest.codeVersion;
  if (manifest.encoded()) {
    const auto notes = [](const std::vector<DatasetManifest::ConversionNote>& list) {
      json out = json::array();
      for (const auto& note : list) out.push_back({{"path", note.path}, {"reason", note.reason}});
      return out;
    };
    doc["max_side"] = manifest.maxSide;
    doc["jpeg_quality"] = manifest.jpegQuality;
    doc["source_listing_sha256"] = manifest.sourceListingSha256;
    doc["skipped"] = notes(manifest.skipped);
    doc["transcoded"] = notes(manifest.transcoded);
  }
  return doc.dump(2) + "\n";
}

namespace {

// Reads doc[key] as T, turning a missing key or a wrong type into an InputError that names the
// manifest file and the key path.
template <typename T>
T field(const json& doc, const std::string& key, const std::string& path,
        const std::string& prefix = "") {
  if (!doc.contains(key)) throw InputError(path, prefix + key, "missing");
  try {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return jsonInteger<T>(doc.at(key), path, prefix + key);
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
      return jsonIntegers<int>(doc.at(key), path, prefix + key);
    }
    return doc.at(key).get<T>();
  } catch (const json::exception& error) {
    throw InputError(path, prefix + key, std::string("has the wrong type: ") + error.what());
  }
}

// "source_classes": one non-negative integer per class of the dataset.
std::vector<int64_t> sourceClasses(const json& doc, const DatasetManifest& manifest,
                                   const std::string& path) {
  const json list = field<json>(doc, "source_classes", path);
  const bool integers =
      list.is_array() && std::all_of(list.begin(), list.end(), [](const json& entry) {
        return entry.is_number_integer() && entry.get<int64_t>() >= 0;
      });
  if (!integers || list.size() != static_cast<size_t>(manifest.numClasses)) {
    throw InputError(path, "source_classes",
                     "expected an array of " + std::to_string(manifest.numClasses) +
                         " non-negative integers (the source class of each class), found " +
                         list.dump());
  }
  return list.get<std::vector<int64_t>>();
}

}  // namespace

DatasetManifest manifestFromJson(const std::string& text, const std::string& path) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& error) {  // parse_error, and out_of_range for 1e999
    throw InputError(path, "json", std::string("expected valid JSON: ") + error.what());
  }
  DatasetManifest manifest;
  manifest.schema = field<std::string>(doc, "schema", path);
  if (manifest.schema != shards::kSchemaVersion) {
    throw InputError(
        path, "schema",
        std::string("expected '") + shards::kSchemaVersion + "', found '" + manifest.schema + "'");
  }
  manifest.dataset = field<std::string>(doc, "dataset", path);
  // Manifests written before JPEG datasets existed hold decoded pixels.
  manifest.encoding = doc.contains("encoding") ? field<std::string>(doc, "encoding", path)
                                               : std::string(shards::kRawEncoding);
  if (manifest.encoding != shards::kRawEncoding && manifest.encoding != shards::kJpegEncoding) {
    throw InputError(path, "encoding",
                     std::string("expected '") + shards::kRawEncoding + "' or '" +
                         shards::kJpegEncoding + "', found '" + manifest.encoding + "'");
  }
  manifest.numClasses = field<int>(doc, "num_classes", path);
  manifest.classNames = field<std::vector<std::string>>(doc, "class_names", path);
  if (doc.contains("source_classes")) manifest.sourceClasses = sourceClasses(doc, manifest, path);
  auto shape = field<std::vector<int>>(doc, "image_shape", path);
  if (shape.size() != 3) throw InputError(path, "image_shape", "expected [C, H, W]");
  manifest.channels = shape[0];
  manifest.height = shape[1];
  manifest.width = shape[2];
  // Sizes a real image has, so that no damaged value reaches an allocation: a JPEG dataset's
  // height and width are 0 (its images vary), a raw one's are at least 1.
  const int smallestSide = manifest.encoded() ? 0 : 1;
  constexpr int kLargestSide = 65535;
  if (manifest.channels < 1 || manifest.channels > 4 || manifest.height < smallestSide ||
      manifest.width < smallestSide || manifest.height > kLargestSide ||
      manifest.width > kLargestSide) {
    throw InputError(
        path, "image_shape",
        "expected [C, H, W] with C in 1..4 and H, W in " + std::to_string(smallestSide) + ".." +
            std::to_string(kLargestSide) + ", found [" + std::to_string(manifest.channels) + ", " +
            std::to_string(manifest.height) + ", " + std::to_string(manifest.width) + "]");
  }
  manifest.layout = field<std::string>(doc, "layout", path);
  if (manifest.layout != shards::kLayout) {
    throw InputError(path, "layout", std::string("expected ") + shards::kLayout);
  }
  manifest.mean = field<std::vector<double>>(doc, "mean", path);
  manifest.std = field<std::vector<double>>(doc, "std", path);
  if (manifest.mean.size() != static_cast<size_t>(manifest.channels) ||
      manifest.std.size() != static_cast<size_t>(manifest.channels)) {
    throw InputError(path, "mean/std", "expected one value per channel");
  }
  manifest.sourceSha256 = field<std::string>(doc, "source_sha256", path);
  for (const json& source : field<json>(doc, "sources", path)) {
    manifest.sources.push_back({field<std::string>(source, "path", path, "sources[]."),
                                field<std::string>(source, "sha256", path, "sources[].")});
  }
  manifest.shardSize = field<int64_t>(doc, "shard_size", path);
  const json splits = field<json>(doc, "splits", path);
  for (const auto& [name, split] : splits.items()) {
    const std::string prefix = "splits." + name + ".";
    manifest.splits[name] = {field<int64_t>(split, "count", path, prefix),
                             field<std::vector<std::string>>(split, "shards", path, prefix)};
    if (manifest.splits[name].count < 0) {
      throw InputError(
          path, prefix + "count",
          "expected a number of images, found " + std::to_string(manifest.splits[name].count));
    }
  }
  for (const json& entry : field<json>(doc, "validation_splits", path)) {
    const std::string prefix = "validation_splits[].";
    manifest.validationSplits.push_back({field<uint32_t>(entry, "seed", path, prefix),
                                         field<double>(entry, "fraction", path, prefix),
                                         field<std::string>(entry, "file", path, prefix),
                                         field<int64_t>(entry, "train_count", path, prefix),
                                         field<int64_t>(entry, "val_count", path, prefix)});
  }
  manifest.codeVersion = field<std::string>(doc, "code_version", path);
  if (manifest.encoded()) {
    const auto notes = [&](const char* key) {
      std::vector<DatasetManifest::ConversionNote> list;
      for (const json& note : field<json>(doc, key, path)) {
        const std::string prefix = std::string(key) + "[].";
        list.push_back({field<std::string>(note, "path", path, prefix),
                        field<std::string>(note, "reason", path, prefix)});
      }
      return list;
    };
    manifest.maxSide = field<int64_t>(doc, "max_side", path);
    manifest.jpegQuality = field<int64_t>(doc, "jpeg_quality", path);
    manifest.sourceListingSha256 = field<std::string>(doc, "source_listing_sha256", path);
    manifest.skipped = notes("skipped");
    manifest.transcoded = notes("transcoded");
  }
  return manifest;
}

DatasetManifest readManifest(const std::string& datasetDir) {
  const std::string path = runs::DatasetFolder(datasetDir).manifest();
  std::ifstream in(path);
  if (!in) {
    throw InputError(path, "file", "expected a dataset manifest (run `mu-data convert` first)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return manifestFromJson(text.str(), path);
}

void writeManifest(const std::string& datasetDir, const DatasetManifest& manifest) {
  writeFileAtomically(runs::DatasetFolder(datasetDir).manifest(), manifestToJson(manifest));
}

std::string combinedSourceSha256(const std::vector<SourceFile>& sources) {
  std::vector<std::string> lines;
  for (const SourceFile& source : sources) {
    lines.push_back(std::filesystem::path(source.path).filename().string() + " " + source.sha256);
  }
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (const std::string& line : lines) joined += line + "\n";
  return sha256OfString(joined);
}

}  // namespace mu
