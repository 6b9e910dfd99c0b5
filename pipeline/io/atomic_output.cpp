#include "pipeline/io/atomic_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/base/process_alive.h"

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

// The writer's pid when `name` is "<finalName>.tmp-<pid>-<n>" (any final name when `finalName`
// is empty), else 0.
pid_t temporaryWriter(const std::string& name, const std::string& finalName) {
  const std::string marker = ".tmp-";
  const size_t at = finalName.empty() ? name.rfind(marker) : finalName.size();
  if (at == std::string::npos || at == 0 || name.size() <= at + marker.size() ||
      name.compare(at, marker.size(), marker) != 0 ||
      (!finalName.empty() && name.compare(0, at, finalName) != 0)) {
    return 0;
  }
  const std::string numbers = name.substr(at + marker.size());
  const size_t dash = numbers.find('-');
  const auto allDigits = [](const std::string& text) {
    return !text.empty() && text.size() <= 9 &&
           text.find_first_not_of("0123456789") == std::string::npos;
  };
  if (dash == std::string::npos || !allDigits(numbers.substr(0, dash)) ||
      !allDigits(numbers.substr(dash + 1))) {
    return 0;
  }
  return static_cast<pid_t>(std::stol(numbers.substr(0, dash)));
}

uintmax_t sizeOf(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    const uintmax_t size = fs::file_size(path, error);
    return error ? 0 : size;
  }
  uintmax_t total = 0;
  std::error_code entryError;
  for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    const uintmax_t size = it->is_regular_file(entryError) ? it->file_size(entryError) : 0;
    if (!entryError) total += size;
  }
  return total;
}

// `levels`: how many levels of sub-folders to look into as well.
void collectAbandoned(const fs::path& dir, const std::string& finalName, int levels,
                      std::vector<fs::path>& found) {
  std::error_code error, entryError;  // an entry that cannot be looked at is passed over
  std::vector<fs::path> folders;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const pid_t writer = temporaryWriter(it->path().filename().string(), finalName);
    if (writer > 0 && writer != ::getpid() && !processAlive(writer)) {
      found.push_back(it->path());
    } else if (writer == 0 && levels > 0 && it->is_directory(entryError) &&
               !it->is_symlink(entryError)) {
      folders.push_back(it->path());
    }
  }
  for (const fs::path& folder : folders) collectAbandoned(folder, finalName, levels - 1, found);
}

}  // namespace

AbandonedTemporaries removeAbandonedTemporaries(const std::string& dir,
                                                const std::string& finalName) {
  std::vector<fs::path> abandoned;
  // A run folder's files sit in it or one level down (prune's round-N/); deeper is not ours to
  // walk on every start (a run folder the user nested others in, or pointed at a large tree).
  collectAbandoned(dir, finalName, finalName.empty() ? 1 : 0, abandoned);
  AbandonedTemporaries removed;
  for (const fs::path& path : abandoned) {
    const uintmax_t bytes = sizeOf(path);
    std::error_code error;
    if (fs::remove_all(path, error) > 0 && !error) {
      ++removed.count;
      removed.bytes += bytes;
    }
  }
  if (removed.count > 0) {
    std::fprintf(stderr,
                 "removed %lld half-written file(s), %.1f MB, that interrupted runs left in %s\n",
                 static_cast<long long>(removed.count), static_cast<double>(removed.bytes) / 1e6,
                 dir.c_str());
  }
  return removed;
}

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
