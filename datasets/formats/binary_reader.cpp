#include "datasets/formats/binary_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "pipeline/base/error.h"

namespace mu {
namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose_r(file); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

// Reads grow geometrically from this size: a few calls for the 47 MB of Fashion-MNIST's train
// images, without a large zero-filled buffer for each small file.
constexpr size_t kFirstChunkBytes = size_t{1} << 16;
constexpr size_t kMaxChunkBytes = size_t{1} << 30;  // gzread takes an unsigned length

std::string gzErrorText(gzFile file) {
  int errnum = Z_OK;
  const char* text = gzerror(file, &errnum);
  if (errnum == Z_ERRNO) return std::strerror(errno);
  return text ? text : "unknown zlib error";
}

}  // namespace

std::vector<uint8_t> readFileBytes(const std::string& path) {
  // gzopen reads files without a gzip header as they are, so one path serves both.
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) {
    throw InputError(path, "file",
                     std::string("cannot be opened for reading (") + std::strerror(errno) + ")");
  }
  gzbuffer(file.get(), 1u << 18);  // zlib's 8 KB default costs many more system calls
  std::vector<uint8_t> bytes;
  for (;;) {
    const size_t used = bytes.size();
    const size_t chunk = std::min(std::max(kFirstChunkBytes, used), kMaxChunkBytes);
    bytes.resize(used + chunk);
    const int got = gzread(file.get(), bytes.data() + used, static_cast<unsigned>(chunk));
    if (got < 0) throw InputError(path, "gzip stream", "read failed: " + gzErrorText(file.get()));
    bytes.resize(used + static_cast<size_t>(got));
    if (static_cast<size_t>(got) < chunk) break;  // gzread only returns less at the end
  }
  // A gzip stream cut short is not a read error for gzread (it expects more may be appended);
  // zlib reports it as Z_BUF_ERROR once the input is exhausted.
  int errnum = Z_OK;
  gzerror(file.get(), &errnum);
  if (errnum == Z_BUF_ERROR) {
    throw InputError(path, "gzip stream", "truncated (unexpected end of compressed data)");
  }
  if (errnum != Z_OK) {
    throw InputError(path, "gzip stream", "read failed: " + gzErrorText(file.get()));
  }
  return bytes;
}

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08X", static_cast<unsigned>(value));
  return text;
}

}  // namespace mu
