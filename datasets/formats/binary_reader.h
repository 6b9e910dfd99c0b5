#pragma once
// Whole-file reads for the binary source formats (IDX, CIFAR). Source files are tens of MB, so
// they are read in one go rather than record by record; gzip files are decompressed on the fly,
// so a reader never needs to know whether its input was compressed.

#include <cstdint>
#include <string>
#include <vector>

namespace mu {

// The (decompressed) bytes of `path`, plain or gzip. Throws InputError naming the file when it
// cannot be opened or its gzip stream is corrupt or cut short.
std::vector<uint8_t> readFileBytes(const std::string& path);

// The big-endian unsigned 32-bit integer at `bytes` (IDX headers are big-endian).
inline uint32_t bigEndianU32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

// "0x00000803": how headers' magic numbers are printed in error messages.
std::string hex32(uint32_t value);

}  // namespace mu
