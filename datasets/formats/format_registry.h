#pragma once
// The source formats mu-data can convert, by name. Adding a format is one reader file and one
// entry in format_registry.cpp.

#include <string>
#include <vector>

#include "pipeline/image_set.h"

namespace mu {

struct SourceFormat {
  std::string name;           // e.g. "fashion-mnist", "cifar10", "svhn"
  std::string description;    // one line for --help
  std::string defaultSource;  // default source folder ("" if none is installed by default)
  // Reads and validates the source folder; throws InputError naming the file and field on bad input.
  SourceDataset (*load)(const std::string& sourceDir);
};

const std::vector<SourceFormat>& sourceFormats();

// Throws InputError listing the valid names when `name` is unknown.
const SourceFormat& findSourceFormat(const std::string& name);

}  // namespace mu
