#include "pipeline/io/atomic_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "pipeline/base/error.h"

namespace mu {
namespace fs = std::filesystem;

namespace {

// fsync so that a crash right after the rename cannot leave a renamed but empty file.
void syncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void renameOrThrow(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw SystemError("rename(" + from + ", " + to + ") failed: " + std::strerror(errno));
  }
}

}  // namespace

std::string temporarySiblingPath(const std::string& path) {
  static std::atomic<int> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

AtomicFile::AtomicFile(std::string finalPath)
    : finalPath_(std::move(finalPath)), temporaryPath_(temporarySiblingPath(finalPath_)) {}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove(temporaryPath_, ignored);
  }
}

void AtomicFile::commit() {
  syncPath(temporaryPath_);
  renameOrThrow(temporaryPath_, finalPath_);
  committed_ = true;
  const fs::path parent = fs::path(finalPath_).parent_path();
  syncPath(parent.empty() ? "." : parent.string());
}

AtomicDirectory::AtomicDirectory(std::string finalPath)
    : finalPath_(std::move(finalPath)), temporaryPath_(temporarySiblingPath(finalPath_)) {
  fs::create_directories(temporaryPath_);
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove_all(temporaryPath_, ignored);
  }
}

void AtomicDirectory::commit() {
  for (const auto& entry : fs::directory_iterator(temporaryPath_)) syncPath(entry.path().string());
  std::error_code ignored;
  if (fs::is_directory(finalPath_) && fs::is_empty(finalPath_)) fs::remove(finalPath_, ignored);
  renameOrThrow(temporaryPath_, finalPath_);
  committed_ = true;
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  AtomicFile file(path);
  {
    std::ofstream out(file.path(), std::ios::binary);
    out << content;
    out.flush();
    if (!out) throw SystemError("cannot write " + file.path());
  }
  file.commit();
}

}  // namespace mu
