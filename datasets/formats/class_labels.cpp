#include "datasets/formats/class_labels.h"

#include <fstream>

#include "pipeline/base/error.h"

namespace mu {

std::vector<std::string> numberedClassNames(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(std::to_string(i));
  return names;
}

std::vector<std::string> readClassNamesFile(const std::string& path, int count) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "file", "cannot be opened for reading");
  std::vector<std::string> names;
  std::string line;
  const char* kSpace = " \t\r\n";
  while (std::getline(in, line)) {
    const size_t begin = line.find_first_not_of(kSpace);
    if (begin == std::string::npos) continue;  // CIFAR-10's file ends in blank lines
    names.push_back(line.substr(begin, line.find_last_not_of(kSpace) + 1 - begin));
  }
  if (static_cast<int>(names.size()) != count) {
    throw InputError(path, "class names",
                     "expected " + std::to_string(count) + " non-empty lines, got " +
                         std::to_string(names.size()));
  }
  return names;
}

void checkLabelRange(const std::string& file, int64_t sample, int64_t label, int64_t first,
                     int64_t last) {
  if (label >= first && label <= last) return;
  throw InputError(file, "label",
                   "sample " + std::to_string(sample) + " has label " + std::to_string(label) +
                       ", expected " + std::to_string(first) + ".." + std::to_string(last));
}

}  // namespace mu
