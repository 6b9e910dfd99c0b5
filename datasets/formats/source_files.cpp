#include "datasets/formats/source_files.h"

#include <filesystem>
#include <system_error>

#include "pipeline/base/error.h"
#include "pipeline/io/file_digest.h"

namespace mu {

std::string joinPath(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

bool isRegularFile(const std::string& path) {
  std::error_code error;  // counts as "not there", reported by the caller
  return std::filesystem::is_regular_file(path, error);
}

bool isFolder(const std::string& path) {
  std::error_code error;  // counts as "not there", reported by the caller
  return std::filesystem::is_directory(path, error);
}

std::string findSourceFile(const std::string& dir, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const std::string path = joinPath(dir, name);
    if (isRegularFile(path)) return path;
  }
  std::string expectation = "not found";
  if (names.size() > 1) {
    expectation += " (also looked for";
    for (size_t i = 1; i < names.size(); ++i) expectation += (i > 1 ? ", " : " ") + names[i];
    expectation += ")";
  }
  throw InputError(joinPath(dir, names.front()), "file", expectation);
}

void recordSource(SourceDataset& dataset, const std::string& path) {
  dataset.sources.push_back(SourceFile{path, sha256OfFile(path)});
}

}  // namespace mu
