#include "pipeline/io/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pipeline/base/error.h"

namespace mu {

FileLock::FileLock(const std::string& path) {
  descriptor_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor_ < 0) {
    throw InputError(
        path, "lock file",
        std::string("a file this user can create and open (") + std::strerror(errno) + ")");
  }
  int result = 0;
  do {
    result = ::flock(descriptor_, LOCK_EX);
  } while (result != 0 && errno == EINTR);  // a signal while waiting: keep waiting
  if (result != 0) {
    const int error = errno;
    ::close(descriptor_);
    throw InputError(path, "lock",
                     std::string("an exclusive flock (") + std::strerror(error) + ")");
  }
}

FileLock::~FileLock() {
  ::close(descriptor_);  // releases the lock
}

}  // namespace mu
