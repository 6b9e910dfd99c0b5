#pragma once
// Outputs are written under a temporary name next to their final path and renamed into place only
// when complete, so an interrupted or failed stage never leaves a half-written file behind and
// never damages the good one it would have replaced. rename(2) within one directory is atomic.

#include <cstdint>
#include <string>

namespace mu {

// A file written through path() becomes finalPath() on commit(); without commit() the temporary
// file is removed when this object goes away (error paths included).
class AtomicFile {
 public:
  explicit AtomicFile(std::string finalPath);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::string& path() const { return temporaryPath_; }
  const std::string& finalPath() const { return finalPath_; }
  // Flushes the temporary file to disk and renames it over finalPath().
  void commit();

 private:
  std::string finalPath_;
  std::string temporaryPath_;
  bool committed_ = false;
};

// The same for a whole directory tree: fill path(), then commit() renames it to finalPath(), which
// must not exist (or be an empty directory).
class AtomicDirectory {
 public:
  explicit AtomicDirectory(std::string finalPath);
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;
  ~AtomicDirectory();

  const std::string& path() const { return temporaryPath_; }
  void commit();

 private:
  std::string finalPath_;
  std::string temporaryPath_;
  bool committed_ = false;
};

// Writes `content` to `path` through an AtomicFile.
void writeFileAtomically(const std::string& path, const std::string& content);

// A unique temporary name beside `path` ("<path>.tmp-<pid>-<n>").
std::string temporarySiblingPath(const std::string& path);

// What writers killed mid-write (SIGKILL, a lost node, a time limit) left behind: the temporary
// files and folders named by temporarySiblingPath() in `dir` and its direct sub-folders whose
// process no longer runs on this host. Only a writer's own rollback removes its temporary, and a
// killed one never rolls back, so without this every kill during a checkpoint write would leave
// a checkpoint-sized file for good. `finalName`, when given, limits it to the temporaries of
// that one name in `dir` itself (a converter's output folder beside others). Says on stderr what
// it removed, when anything.
struct AbandonedTemporaries {
  int64_t count = 0;
  uintmax_t bytes = 0;
};
AbandonedTemporaries removeAbandonedTemporaries(const std::string& dir,
                                                const std::string& finalName = "");

}  // namespace mu
