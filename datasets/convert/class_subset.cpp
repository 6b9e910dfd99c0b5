#include "datasets/convert/class_subset.h"

#include <algorithm>
#include <optional>
#include <set>

#include "pipeline/base/error.h"

namespace mu {
namespace {

const char* const kListSyntax = "classes and ranges a-b, comma-separated, e.g. 5-9, 0,2,4 or 0-2,7";

[[noreturn]] void refuseList(const std::string& expectation) {
  throw InputError("--classes", "value", expectation);
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// A class number: decimal digits only. Six digits at most, so a typo cannot make a range of
// billions of classes before the list is checked against the dataset.
std::optional<int64_t> classNumber(const std::string& text) {
  if (text.empty() || text.size() > 6) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(text);
}

// The classes one comma-separated item names: "7" or the inclusive range "5-9".
std::vector<int64_t> classesOfItem(const std::string& item) {
  const auto dash = item.find('-');
  const auto first = classNumber(trimmed(item.substr(0, dash)));
  const auto last = dash == std::string::npos ? first : classNumber(trimmed(item.substr(dash + 1)));
  if (!first || !last)
    refuseList("'" + item + "' is not a class or a range a-b; expected " + kListSyntax);
  if (*last < *first) refuseList("the range '" + item + "' descends; expected a-b with a <= b");
  std::vector<int64_t> classes;
  for (int64_t c = *first; c <= *last; ++c) classes.push_back(c);
  return classes;
}

// New label of each source label: its position in `classes`, -1 for a class left out.
std::vector<int32_t> newLabels(const std::vector<int64_t>& classes) {
  int64_t largest = 0;
  for (const int64_t c : classes) largest = std::max(largest, c);
  std::vector<int32_t> labels(static_cast<size_t>(largest + 1), -1);
  for (size_t i = 0; i < classes.size(); ++i) {
    labels[static_cast<size_t>(classes[i])] = static_cast<int32_t>(i);
  }
  return labels;
}

int32_t newLabel(const std::vector<int32_t>& labels, int64_t sourceLabel) {
  if (sourceLabel < 0 || sourceLabel >= static_cast<int64_t>(labels.size())) return -1;
  return labels[static_cast<size_t>(sourceLabel)];
}

std::vector<std::string> selectClassNames(const std::vector<std::string>& names,
                                          const std::vector<int64_t>& classes) {
  std::vector<std::string> kept;
  for (const int64_t c : classes) kept.push_back(names.at(static_cast<size_t>(c)));
  return kept;
}

}  // namespace

std::vector<int64_t> parseClassList(const std::string& text) {
  if (trimmed(text).empty()) refuseList("a non-empty list of " + std::string(kListSyntax));
  std::vector<int64_t> classes;
  std::set<int64_t> seen;
  size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    for (const int64_t c : classesOfItem(item)) {
      if (!seen.insert(c).second) {
        refuseList("class " + std::to_string(c) + " is listed twice; expected each class once");
      }
      classes.push_back(c);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return classes;
}

std::string classListText(const std::vector<int64_t>& classes) {
  std::string text;
  for (size_t i = 0; i < classes.size();) {
    size_t last = i;
    while (last + 1 < classes.size() && classes[last + 1] == classes[last] + 1) ++last;
    if (!text.empty()) text += ",";
    text += std::to_string(classes[i]);
    if (last > i) text += "-" + std::to_string(classes[last]);
    i = last + 1;
  }
  return text;
}

std::string subsetDatasetName(const std::string& family, const std::vector<int64_t>& classes) {
  if (classes.empty()) return family;
  return family + "[" + classListText(classes) + "]";
}

void checkClassesExist(const std::vector<int64_t>& classes, int numClasses,
                       const std::string& dataset) {
  for (const int64_t c : classes) {
    if (c >= numClasses) {
      refuseList("class " + std::to_string(c) + " is not one of " + dataset + "'s " +
                 std::to_string(numClasses) + " classes; expected classes in [0, " +
                 std::to_string(numClasses) + ")");
    }
  }
}

ImageSet selectClasses(const ImageSet& images, const std::vector<int64_t>& classes) {
  const std::vector<int32_t> labels = newLabels(classes);
  ImageSet kept;
  kept.channels = images.channels;
  kept.height = images.height;
  kept.width = images.width;
  const auto imageBytes = static_cast<size_t>(images.imageBytes());
  for (int64_t n = 0; n < images.size(); ++n) {
    const int32_t label = newLabel(labels, images.labels[static_cast<size_t>(n)]);
    if (label < 0) continue;
    const auto first = images.pixels.begin() + static_cast<std::ptrdiff_t>(n * imageBytes);
    kept.pixels.insert(kept.pixels.end(), first, first + static_cast<std::ptrdiff_t>(imageBytes));
    kept.labels.push_back(label);
  }
  return kept;
}

SourceDataset selectClasses(SourceDataset dataset, const std::vector<int64_t>& classes) {
  if (classes.empty()) return dataset;
  checkClassesExist(classes, dataset.numClasses, dataset.name);
  dataset.train = selectClasses(dataset.train, classes);
  dataset.test = selectClasses(dataset.test, classes);
  dataset.classNames = selectClassNames(dataset.classNames, classes);
  dataset.numClasses = static_cast<int>(classes.size());
  dataset.name = subsetDatasetName(dataset.name, classes);
  return dataset;
}

ImageTree selectClasses(ImageTree tree, const std::vector<int64_t>& classes) {
  if (classes.empty()) return tree;
  checkClassesExist(classes, static_cast<int>(tree.classNames.size()), tree.dataset);
  const std::vector<int32_t> labels = newLabels(classes);
  for (auto& [split, files] : tree.splits) {
    std::vector<ImageFile> kept;
    for (const ImageFile& file : files) {
      const int32_t label = newLabel(labels, file.label);
      if (label >= 0) kept.push_back({file.path, label});
    }
    files = std::move(kept);
  }
  tree.classNames = selectClassNames(tree.classNames, classes);
  tree.dataset = subsetDatasetName(tree.dataset, classes);
  return tree;
}

}  // namespace mu
