// imagefolder: any tree laid out for torchvision's ImageFolder, <source>/train/<class>/** for
// training and <source>/val/<class>/** (or test/) as the held-out split. The classes are those
// of train/; the held-out split must use the same names.

#include <filesystem>

#include "datasets/formats/image_tree.h"
#include "datasets/formats/source_files.h"
#include "datasets/formats/source_format.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

ImageTree listImageFolder(const std::string& dir) {
  ImageTree tree;
  tree.dataset = "imagefolder";
  const std::string train = (fs::path(dir) / "train").string();
  tree.classNames = classFolders(train);
  tree.splits["train"] = listClassFolders(train, tree.classNames);
  std::string heldOut;
  for (const char* name : {"val", "test"}) {
    if (isFolder((fs::path(dir) / name).string())) {
      heldOut = (fs::path(dir) / name).string();
      break;
    }
  }
  if (heldOut.empty()) {
    throw InputError((fs::path(dir) / "val").string(), "folder",
                     "the held-out split, val/<class>/ or test/<class>/, beside train/");
  }
  tree.splits["test"] = listClassFolders(heldOut, tree.classNames);
  // Unknown images: the ImageNet statistics, as torchvision users normalise by default.
  useImageNetStatistics(tree);
  return tree;
}

}  // namespace

SourceFormat imageFolderFormat() {
  SourceFormat format;
  format.name = "imagefolder";
  format.description =
      "any ImageFolder tree: train/<class>/* and val/<class>/* (or test/), stored as JPEG";
  format.listTree = &listImageFolder;
  return format;
}

}  // namespace mu
