// Trees of image files (imagefolder, tinyimagenet, imagenet): the listing, the class folders and
// the label files. Part 0 lists the tree's files, one relative path a line (a path ending in '/'
// is a folder), made empty: the listing reads names, not pixels. Parts 1-3 are wnids.txt,
// val/val_annotations.txt and LOC_val_solution.csv. Each of the three formats lists the tree.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/formats/format_registry.h"
#include "pipeline/base/error.h"
#include "tests/fuzz/support/fuzz_input.h"

namespace {

constexpr size_t kMaxFiles = 64;  // enough for every layout; keeps an input quick to set up

// A path the tree may hold: relative, inside the tree, and one the file system takes.
bool usablePath(const std::string& path) {
  if (path.empty() || path.size() > 200 || path.front() == '/') return false;
  if (path.find('\0') != std::string::npos) return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

// The tree sits three folders down, so imagenet's search for LOC_val_solution.csv "up to three
// folders above" val/ stays inside the scratch folder.
const std::string kTree = "a/b/tree/";

// False when the input's tree cannot be made (a file where a folder must go): no test then.
bool makeTree(const mu::fuzz::ScratchFolder& folder, std::string_view listing) {
  std::istringstream lines{std::string(listing)};
  std::string line;
  for (size_t count = 0; count < kMaxFiles && std::getline(lines, line); ++count) {
    if (!usablePath(line)) continue;
    std::error_code error;
    if (line.back() == '/') {
      std::filesystem::create_directories(folder.path() + "/" + kTree + line, error);
      if (error) return false;
    } else {
      try {
        folder.write(kTree + line, "");
      } catch (const std::exception&) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kLabelFiles = {"wnids.txt", "val/val_annotations.txt",
                                                       "LOC_val_solution.csv"};
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::vector<std::string_view> parts = mu::fuzz::splitParts(data, size);
  if (!makeTree(folder, parts[0])) return 0;
  try {
    for (size_t i = 1; i < parts.size() && i <= kLabelFiles.size(); ++i) {
      folder.write(kTree + kLabelFiles[i - 1], parts[i]);
    }
  } catch (const std::exception&) {
    return 0;  // a folder of the listing where a label file goes
  }
  for (const char* format : {"imagefolder", "tinyimagenet", "imagenet"}) {
    try {
      mu::findSourceFormat(format).listTree(folder.path() + "/" + kTree);
    } catch (const mu::InputError&) {
      // A refusal naming the file or folder: what a bad tree should get.
    }
  }
  return 0;
}
