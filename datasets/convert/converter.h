#pragma once
// `mu-data convert`: source dataset -> HDF5 shards + manifest + the seed's validation split, all
// written into a temporary folder that is renamed into place only when everything is complete.

#include <cstdint>
#include <string>

#include "pipeline/cli/option_table.h"

namespace mu {

struct ConvertOptions {
  std::string format;     // registry name (datasets/formats/format_registry.h)
  std::string sourceDir;  // "" = the format's default source
  std::string outDir;
  int64_t shardSize = 10000;
  int64_t splitSeed =
      1;  // the reference trains on the seed-1 split (docs/reference-behaviour.md §2.1)
  double valFraction = 0.1;

  // mu-data convert's options; --format's choices are the registered formats.
  void registerOptions(OptionTable& table);
};

struct ConvertResult {
  bool alreadyConverted = false;  // the output folder already held this exact conversion
  int64_t trainCount = 0;
  int64_t testCount = 0;
  int64_t shardCount = 0;
  double readSeconds = 0;
  double writeSeconds = 0;
};

ConvertResult convertDataset(const ConvertOptions& options);

}  // namespace mu
