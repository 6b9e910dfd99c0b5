#include "datasets/formats/image_tree.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "datasets/formats/source_files.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void walk(const fs::path& dir, std::vector<std::pair<std::string, std::string>>& found) {
  std::error_code error;
  std::vector<fs::path> folders;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_directory(error)) {
      folders.push_back(entry.path());
    } else if (hasImageExtension(entry.path().filename().string())) {
      found.emplace_back(dir.string(), entry.path().filename().string());
    }
  }
  if (error) throw InputError(dir.string(), "folder", "a readable folder: " + error.message());
  for (const fs::path& folder : folders) walk(folder, found);
}

}  // namespace

bool hasImageExtension(const std::string& path) {
  static const std::vector<std::string> extensions{".jpg", ".jpeg", ".png",  ".ppm", ".bmp",
                                                   ".pgm", ".tif",  ".tiff", ".webp"};
  const std::string name = lowercase(path);
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& extension) {
    return name.size() > extension.size() &&
           name.compare(name.size() - extension.size(), extension.size(), extension) == 0;
  });
}

std::vector<std::string> classFolders(const std::string& dir) {
  std::error_code error;
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_directory(error)) names.push_back(entry.path().filename().string());
  }
  if (error) throw InputError(dir, "folder", "a readable folder of class folders");
  if (names.empty()) throw InputError(dir, "folder", "one sub-folder per class; found none");
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> imageFilesUnder(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> found;  // (folder, name)
  walk(dir, found);
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (const auto& [folder, name] : found) paths.push_back((fs::path(folder) / name).string());
  return paths;
}

std::vector<ImageFile> listClassFolders(const std::string& dir,
                                        const std::vector<std::string>& classNames) {
  std::vector<ImageFile> files;
  for (size_t label = 0; label < classNames.size(); ++label) {
    const fs::path folder = fs::path(dir) / classNames[label];
    if (!isFolder(folder.string())) {
      throw InputError(folder.string(), "folder", "the images of class " + classNames[label]);
    }
    for (std::string& path : imageFilesUnder(folder.string())) {
      files.push_back({std::move(path), static_cast<int32_t>(label)});
    }
  }
  return files;
}

void useImageNetStatistics(ImageTree& tree) {
  tree.mean = {0.485, 0.456, 0.406};
  tree.std = {0.229, 0.224, 0.225};
}

}  // namespace mu
