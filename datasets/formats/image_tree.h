#pragma once
// Datasets that are trees of image files (ImageNet, TinyImageNet, any ImageFolder layout): the
// formats list their files, the converter stores them as JPEG shards. Class indices and sample
// order follow torchvision's ImageFolder: classes are the class folders' names sorted, a class's
// files come in sorted path order (sub-folders walked in sorted order), so sample id i is the
// image torchvision would put at index i, on every machine.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mu {

struct ImageFile {
  std::string path;  // as found under the source folder the user named
  int32_t label = 0;
};

struct ImageTree {
  std::string dataset;  // the manifest's name: imagenet, tinyimagenet, imagefolder
  std::vector<std::string> classNames;
  std::map<std::string, std::vector<ImageFile>> splits;  // "train", "test"
  std::vector<double> mean;  // the model's normalisation (docs/reference-behaviour.md §1.3)
  std::vector<double> std;
};

// The file names torchvision's ImageFolder takes as images (IMG_EXTENSIONS, any case). Those we
// cannot decode (BMP, TIFF, WebP, ...) are still listed, so ids match torchvision's, and the
// converter refuses or skips them by name.
bool hasImageExtension(const std::string& path);

// The sorted names of the sub-folders of `dir`; InputError naming `dir` when it has none.
std::vector<std::string> classFolders(const std::string& dir);

// Every image file under `dir`, walked as os.walk(followlinks=True) in sorted order: sorted by
// folder path, then by name.
std::vector<std::string> imageFilesUnder(const std::string& dir);

// `dir`/<class>/** for every class of `classNames` (each must exist), labelled by position.
std::vector<ImageFile> listClassFolders(const std::string& dir,
                                        const std::vector<std::string>& classNames);

// The ImageNet normalisation the reference uses for ImageNet and TinyImageNet.
void useImageNetStatistics(ImageTree& tree);

}  // namespace mu
