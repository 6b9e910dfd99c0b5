#include "pipeline/io/random_access_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pipeline/base/error.h"

namespace mu {

RandomAccessFile::RandomAccessFile(const std::string& path)
    : path_(path), descriptor_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (descriptor_ < 0) {
    throw InputError(path, "file", std::string("a readable file (") + std::strerror(errno) + ")");
  }
}

RandomAccessFile::~RandomAccessFile() {
  ::close(descriptor_);
}

void RandomAccessFile::read(uint64_t offset, size_t count, void* out) const {
  auto* target = static_cast<char*>(out);
  size_t done = 0;
  while (done < count) {
    const ssize_t got =
        ::pread(descriptor_, target + done, count - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      throw InputError(path_,
                       "bytes " + std::to_string(offset) + ".." + std::to_string(offset + count),
                       got < 0 ? std::string("readable (") + std::strerror(errno) + ")"
                               : std::string("present: the file is shorter (truncated?)"));
    }
    done += static_cast<size_t>(got);
  }
}

}  // namespace mu
