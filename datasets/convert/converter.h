#pragma once
// `mu-data convert`: source dataset -> HDF5 shards + manifest + the seed's validation split, all
// written into a temporary folder that is renamed into place only when everything is complete.

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/cli/option_table.h"

namespace mu {

struct ConvertOptions {
  std::string format;     // registry name (datasets/formats/format_registry.h)
  std::string sourceDir;  // "" = the format's default source
  std::string outDir;
  int64_t shardSize = 10000;
  // The reference trains on the seed-1 split (docs/reference-behaviour.md §2.1).
  int64_t splitSeed = 1;
  double valFraction = 0.1;
  // --classes: keep only these source classes, relabelled 0..k-1 in the order listed
  // (datasets/convert/class_subset.h); "" keeps every class.
  std::string classes;
  // Trees of image files only.
  int64_t maxSide = 0;       // re-encode images whose longer side exceeds this (0: keep all)
  int64_t jpegQuality = 90;  // of every image the conversion re-encodes
  bool skipBad = false;      // leave out (and list) files that do not decode, instead of failing

  // mu-data convert's options; --format's choices are the registered formats.
  void registerOptions(OptionTable& table);
  // InputError naming the option for an impossible value.
  void validate() const;
  // --classes parsed (syntax only; the dataset's class count is checked once it is read); empty
  // for every class.
  std::vector<int64_t> classList() const;
};

struct ConvertResult {
  bool alreadyConverted = false;  // the output folder already held this exact conversion
  int64_t trainCount = 0;
  int64_t testCount = 0;
  int64_t shardCount = 0;
  int64_t skipped = 0;     // image trees: files left out (--skip-bad)
  int64_t transcoded = 0;  // image trees: files stored re-encoded
  double readSeconds = 0;
  double writeSeconds = 0;
};

// Formats read into memory (IDX, CIFAR, SVHN); one process converts them.
ConvertResult convertDataset(const ConvertOptions& options);

}  // namespace mu
