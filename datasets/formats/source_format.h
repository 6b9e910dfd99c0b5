#pragma once
// One source format as mu-data knows it. Each format's reader file defines a function returning
// its entry, and registered_formats.def lists those functions: that list is the only one.

#include <string>

#include "datasets/formats/image_tree.h"
#include "pipeline/data/image_set.h"

namespace mu {

struct SourceFormat {
  std::string name;           // e.g. "fashion-mnist", "cifar10", "imagenet": mu-data --format
  std::string description;    // one line for `mu-data formats`
  std::string defaultSource;  // default source folder ("" if none is installed by default)
  // Small datasets (decoded pixels in memory): reads and validates the source folder; throws
  // InputError naming the file and field on bad input.
  SourceDataset (*load)(const std::string& sourceDir) = nullptr;
  // Trees of image files, stored encoded and converted by every rank of an MPI job: lists the
  // files, sorted, with their labels. A format has this or load.
  ImageTree (*listTree)(const std::string& sourceDir) = nullptr;
};

}  // namespace mu
