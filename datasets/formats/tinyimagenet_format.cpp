// tinyimagenet: Tiny ImageNet (tiny-imagenet-200): wnids.txt, train/<wnid>/images/*.JPEG and
// val/images/*.JPEG labelled by val/val_annotations.txt. Its test/ has no labels, so the
// labelled val/ is the held-out split ("test"); class index = the wnid's position in sorted order.
// (The reference moves files on disk to split val/ in two halves: docs/reference-behaviour.md
// §2.2. We read the folder as it is shipped.)

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "datasets/formats/image_tree.h"
#include "datasets/formats/source_format.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> readWnids(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "file", "the list of the 200 class wnids");
  std::set<std::string> wnids;
  std::string wnid;
  while (in >> wnid) {
    // Each wnid names a folder of train/: a NUL byte would cut the path short (the listing then
    // walked train/ inside itself forever), and '/', "." or ".." would name another folder.
    if (wnid.find_first_of(std::string("/\0", 2)) != std::string::npos || wnid == "." ||
        wnid == "..") {
      throw InputError(path, "wnids",
                       "folder names (no '/', NUL, '.' or '..'), found one that is not");
    }
    wnids.insert(wnid);
  }
  if (wnids.empty()) throw InputError(path, "wnids", "at least one wnid");
  return {wnids.begin(), wnids.end()};
}

std::vector<ImageFile> listValidation(const std::string& val,
                                      const std::vector<std::string>& classNames) {
  const std::string annotations = (fs::path(val) / "val_annotations.txt").string();
  std::ifstream in(annotations);
  if (!in) throw InputError(annotations, "file", "the labels of val/images/");
  std::map<std::string, int32_t> labelOf;
  for (size_t label = 0; label < classNames.size(); ++label) {
    labelOf[classNames[label]] = static_cast<int32_t>(label);
  }
  std::map<std::string, int32_t> labels;  // file name -> label
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string name, wnid;
    if (!(fields >> name >> wnid)) continue;
    const auto label = labelOf.find(wnid);
    if (label == labelOf.end()) {
      throw InputError(annotations, "line " + std::to_string(number),
                       "a wnid of wnids.txt, found '" + wnid + "'");
    }
    labels[name] = label->second;
  }
  std::vector<ImageFile> files;
  for (std::string& path : imageFilesUnder((fs::path(val) / "images").string())) {
    const auto label = labels.find(fs::path(path).filename().string());
    if (label == labels.end()) throw InputError(annotations, path, "a label for this image");
    files.push_back({std::move(path), label->second});
  }
  return files;
}

ImageTree listTinyImageNet(const std::string& dir) {
  ImageTree tree;
  tree.dataset = "tinyimagenet";
  tree.classNames = readWnids((fs::path(dir) / "wnids.txt").string());
  tree.splits["train"] = listClassFolders((fs::path(dir) / "train").string(), tree.classNames);
  tree.splits["test"] = listValidation((fs::path(dir) / "val").string(), tree.classNames);
  useImageNetStatistics(tree);
  return tree;
}

}  // namespace

SourceFormat tinyImageNetFormat() {
  SourceFormat format;
  format.name = "tinyimagenet";
  format.description =
      "Tiny ImageNet (tiny-imagenet-200): wnids.txt, train/<wnid>/images/, labelled val/; JPEG";
  format.listTree = &listTinyImageNet;
  return format;
}

}  // namespace mu
