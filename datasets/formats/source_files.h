#pragma once
// Locating a format's files in the source folder the user named, and recording each file read
// (path and SHA-256) so every shard can say exactly which bytes it was made from.

#include <string>
#include <vector>

#include "pipeline/data/image_set.h"

namespace mu {

// `dir`/`name`, keeping `dir` as the user gave it (recorded paths stay recognisable).
std::string joinPath(const std::string& dir, const std::string& name);

// Whether `path` is a regular file / a folder. A path the file system cannot look up (a name
// too long, a loop of links, no permission) counts as not there, so the caller's InputError names
// it: names read from a dataset's label files must never surface as a filesystem_error.
bool isRegularFile(const std::string& path);
bool isFolder(const std::string& path);

// The first of `names` (alternative spellings of one file, e.g. plain before .gz) that exists
// in `dir`. Throws InputError naming the first spelling and listing the others when none does.
std::string findSourceFile(const std::string& dir, const std::vector<std::string>& names);

// Appends `path` and its SHA-256 to dataset.sources.
void recordSource(SourceDataset& dataset, const std::string& path);

}  // namespace mu
