#pragma once
// An exclusive advisory lock (flock) on a lock file, held for the object's lifetime: processes
// that read, merge and rewrite one shared file (a campaign root's manifest) take turns instead of
// losing each other's writes. The lock file is created when missing and left in place; the lock
// goes when the object does, or when the process dies.

#include <string>

namespace mu {

class FileLock {
 public:
  // Blocks until the lock is ours. InputError naming `path` when it cannot be opened.
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int descriptor_ = -1;
};

}  // namespace mu
