// imagenet: ILSVRC-2012 as people have it on disk. train/<wnid>/*.JPEG; val/ either as
// val/<wnid>/*.JPEG or flat val/*.JPEG with the labels of LOC_val_solution.csv (Kaggle's layout:
// the file sits beside train/ and val/ or up to three folders above them). Class index = the
// wnid's position in sorted order, as torchvision's ImageFolder gives it.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "datasets/formats/image_tree.h"
#include "datasets/formats/source_files.h"
#include "datasets/formats/source_format.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

std::string findValidationLabels(const std::string& dir) {
  fs::path folder = fs::absolute(dir);
  for (int up = 0; up <= 3 && !folder.empty(); ++up, folder = folder.parent_path()) {
    if (isRegularFile((folder / "LOC_val_solution.csv").string())) {
      return (folder / "LOC_val_solution.csv").string();
    }
    if (folder == folder.parent_path()) break;
  }
  throw InputError((fs::path(dir) / "LOC_val_solution.csv").string(), "file",
                   "the validation labels of a flat val/ folder (also looked up to three folders "
                   "above)");
}

// ImageId -> wnid, from lines "ImageId,PredictionString" whose prediction starts with the wnid.
std::map<std::string, std::string> readValidationLabels(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::string> labels;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (number == 1 || line.empty()) continue;  // the header
    const size_t comma = line.find(',');
    if (comma == std::string::npos) {
      throw InputError(path, "line " + std::to_string(number), "ImageId,PredictionString");
    }
    std::istringstream prediction(line.substr(comma + 1));
    std::string wnid;
    prediction >> wnid;
    labels[line.substr(0, comma)] = wnid;
  }
  return labels;
}

std::vector<ImageFile> listFlatValidation(const std::string& val,
                                          const std::vector<std::string>& classNames) {
  const std::string csv = findValidationLabels(val);
  const std::map<std::string, std::string> wnids = readValidationLabels(csv);
  std::map<std::string, int32_t> labelOf;
  for (size_t label = 0; label < classNames.size(); ++label) {
    labelOf[classNames[label]] = static_cast<int32_t>(label);
  }
  std::vector<ImageFile> files;
  for (std::string& path : imageFilesUnder(val)) {
    const std::string id = fs::path(path).stem().string();
    const auto wnid = wnids.find(id);
    if (wnid == wnids.end()) {
      throw InputError(csv, id, "a label for " + path);
    }
    const auto label = labelOf.find(wnid->second);
    if (label == labelOf.end()) {
      throw InputError(csv, id, "a wnid of train/, found '" + wnid->second + "'");
    }
    files.push_back({std::move(path), label->second});
  }
  return files;
}

ImageTree listImageNet(const std::string& dir) {
  ImageTree tree;
  tree.dataset = "imagenet";
  const std::string train = (fs::path(dir) / "train").string();
  const std::string val = (fs::path(dir) / "val").string();
  tree.classNames = classFolders(train);
  tree.splits["train"] = listClassFolders(train, tree.classNames);
  if (!isFolder(val)) {
    throw InputError(val, "folder", "ImageNet's validation images beside train/");
  }
  std::error_code error;
  bool byClass = false;
  for (const fs::directory_entry& entry : fs::directory_iterator(val, error)) {
    byClass = byClass || entry.is_directory(error);
  }
  if (error) throw InputError(val, "folder", "a readable folder: " + error.message());
  tree.splits["test"] =
      byClass ? listClassFolders(val, tree.classNames) : listFlatValidation(val, tree.classNames);
  useImageNetStatistics(tree);
  return tree;
}

}  // namespace

SourceFormat imageNetFormat() {
  SourceFormat format;
  format.name = "imagenet";
  format.description =
      "ILSVRC-2012: train/<wnid>/*.JPEG, val/<wnid>/ or flat val/ + LOC_val_solution.csv; JPEG";
  format.listTree = &listImageNet;
  return format;
}

}  // namespace mu
