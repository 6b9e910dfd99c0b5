#pragma once
// A file opened for reading at any offset from any thread (pread): how the streaming loader
// reads one image's bytes straight out of a shard, without the HDF5 library, which a serial
// build lets only one thread call at a time.

#include <cstddef>
#include <cstdint>
#include <string>

namespace mu {

class RandomAccessFile {
 public:
  // InputError naming `path` when it cannot be opened.
  explicit RandomAccessFile(const std::string& path);
  ~RandomAccessFile();
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  const std::string& path() const { return path_; }
  // `count` bytes from `offset`; InputError naming the file when fewer are there.
  void read(uint64_t offset, size_t count, void* out) const;

 private:
  std::string path_;
  int descriptor_ = -1;
};

}  // namespace mu
