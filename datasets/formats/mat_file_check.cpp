#include "datasets/formats/mat_file_check.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <vector>

#include "pipeline/base/error.h"

namespace mu {
namespace {

// MATLAB v5 data types (MAT-File Format, "Data Types") and array classes ("Array Flags").
constexpr uint32_t kMiInt8 = 1;
constexpr uint32_t kMiInt32 = 5;
constexpr uint32_t kMiUint32 = 6;
constexpr uint32_t kMiMatrix = 14;
constexpr uint32_t kMiCompressed = 15;
constexpr uint32_t kCharClass = 4;
constexpr uint32_t kFirstNumericClass = 6;  // double
constexpr uint32_t kLastNumericClass = 15;  // uint64
constexpr size_t kTagBytes = 8;
constexpr size_t kFileHeaderBytes = 128;
// zlib's best ratio is 1032:1: a compressed array cannot inflate to more than this many times its
// compressed bytes.
constexpr uint64_t kBestCompression = 1100;
// How much of an array is read to check its header (flags, dimensions, name): SVHN's are under
// 100 bytes, so a header that does not fit in this is damaged.
constexpr size_t kHeaderWindowBytes = 64 * 1024;

std::string classDescription(uint32_t arrayClass) {
  switch (arrayClass) {
    case 1:
      return "a cell array";
    case 2:
      return "a structure";
    case 3:
      return "an object";
    case 5:
      return "a sparse array";
    default:
      return "an array of class " + std::to_string(arrayClass);
  }
}

class MatFileChecker {
 public:
  explicit MatFileChecker(const std::string& path) : path_(path), in_(path, std::ios::binary) {}

  void check() {
    readHeader();
    in_.seekg(0, std::ios::end);
    const uint64_t fileSize = static_cast<uint64_t>(in_.tellg());
    uint64_t offset = kFileHeaderBytes;
    std::vector<unsigned char> tag(kTagBytes);
    while (offset + kTagBytes <= fileSize) {
      if (!readAt(offset, tag)) return;
      // Top-level elements (miMATRIX, miCOMPRESSED) always have the full tag: type, then bytes.
      // matio reads every one so, whatever its type.
      const uint64_t bytes = u32(tag.data() + 4);
      if (offset + kTagBytes + bytes > fileSize) {
        fail("a MATLAB element at byte " + std::to_string(offset) + " claims " +
             std::to_string(bytes) + " bytes, past the end of the " + std::to_string(fileSize) +
             "-byte file (truncated or corrupt)");
      }
      const uint32_t type = u32(tag.data());
      if (type == kMiMatrix) {
        std::vector<unsigned char> window(std::min<uint64_t>(bytes, kHeaderWindowBytes));
        if (!readAt(offset + kTagBytes, window)) return;
        checkArray("the MATLAB array at byte " + std::to_string(offset), window, bytes);
      } else if (type == kMiCompressed) {
        checkCompressedArray(offset, bytes);
      }
      offset += kTagBytes + bytes;
    }
  }

 private:
  void readHeader() {
    std::array<unsigned char, kFileHeaderBytes> header{};
    in_.read(reinterpret_cast<char*>(header.data()), header.size());
    little_ = in_ && header[126] == 'I' && header[127] == 'M';
    const bool big = in_ && header[126] == 'M' && header[127] == 'I';
    if (!little_ && !big) fail("a MATLAB v5 .mat file (SVHN's format): no such header found");
    // The version after the text: 0x0100 for v5, 0x0200 for v7.3, an HDF5 file from byte 512 on.
    // v7.3 is refused: SVHN ships v5, torchvision's reader (scipy.io.loadmat) cannot read v7.3
    // either, and the HDF5 library overflows a heap buffer on some damaged ones (fuzz_svhn).
    const unsigned version =
        little_ ? header[124] | header[125] << 8 : header[125] | header[124] << 8;
    if (version != 0x0100) {
      fail(
          "a MATLAB v5 .mat file (SVHN's format); v7.3 (HDF5) files are not read: save with -v7 "
          "or earlier");
    }
  }

  // An array's content after its miMATRIX tag: `window` holds its first bytes, `holds` how many
  // it has in all. Its header parts (flags, dimensions, name) must lie in the window.
  // `where` names the array in messages until its name is known.
  void checkArray(const std::string& where, const std::vector<unsigned char>& window,
                  uint64_t holds) {
    uint64_t position = 0;
    // The next header part, whose type must be `expectedType`: its data's place in the window and
    // its size. A small part packs its size into the type's upper half: 8 bytes in all.
    const auto headerPart = [&](uint32_t expectedType, const std::string& what, uint64_t& size) {
      if (position + kTagBytes > window.size()) fail(where + " ends before its " + what + " part");
      const unsigned char* tag = window.data() + position;
      const bool small = (u32(tag) >> 16) != 0;
      const uint32_t type = small ? u32(tag) & 0xFFFF : u32(tag);
      size = small ? u32(tag) >> 16 : u32(tag + 4);
      const uint64_t data = small ? position + 4 : position + kTagBytes;
      const uint64_t stored = small ? 0 : (size + 7) / 8 * 8;
      if (position + kTagBytes + stored > holds) {
        fail("a part of " + where + " claims " + std::to_string(size) +
             " bytes, more than the array holds (corrupt)");
      }
      if (type != expectedType || data + size > window.size() || (small && size > 4)) {
        fail(where + ": its " + what + " part is damaged (type " + std::to_string(type) + ", " +
             std::to_string(size) + " bytes)");
      }
      position += kTagBytes + stored;
      return window.data() + data;
    };
    uint64_t size = 0;
    const unsigned char* flags = headerPart(kMiUint32, "array flags", size);
    if (size != 8)
      fail(where + ": its array flags part has " + std::to_string(size) + " bytes, not 8");
    const uint32_t arrayClass = u32(flags) & 0xFF;
    const unsigned char* dims = headerPart(kMiInt32, "dimensions", size);
    if (size < 8 || size % 4 != 0) {
      fail(where + ": its dimensions part has " + std::to_string(size) +
           " bytes, not 4 per dimension for at least 2");
    }
    // Saturates rather than overflows: any count above every array's bytes is refused below.
    constexpr uint64_t kTooMany = UINT64_MAX / 2;
    uint64_t elements = 1;
    for (uint64_t d = 0; d < size / 4; ++d) {
      const uint64_t dim = u32(dims + 4 * d);
      if (dim > INT32_MAX) fail(where + ": dimension " + std::to_string(d + 1) + " is negative");
      elements = dim != 0 && elements > kTooMany / dim ? kTooMany : elements * dim;
    }
    const unsigned char* name = headerPart(kMiInt8, "name", size);
    const std::string variable =
        size == 0 ? "the unnamed variable in " + where
                  : "variable " + std::string(reinterpret_cast<const char*>(name), size);
    const bool numeric = arrayClass >= kFirstNumericClass && arrayClass <= kLastNumericClass;
    if (!numeric && arrayClass != kCharClass) {
      throw InputError(path_, variable,
                       classDescription(arrayClass) +
                           "; SVHN's files hold numeric arrays only (damaged or not SVHN)");
    }
    // Every element takes at least one stored byte.
    if (elements > holds) {
      throw InputError(path_, variable,
                       "its dimensions claim " + std::to_string(elements) +
                           " elements, more than its " + std::to_string(holds) +
                           " bytes can hold (a damaged dimension)");
    }
  }

  // A zlib-compressed element holds one array: its beginning is inflated to check it as above.
  void checkCompressedArray(uint64_t offset, uint64_t compressedBytes) {
    const std::string where = "the compressed MATLAB array at byte " + std::to_string(offset);
    std::vector<unsigned char> inflated(kTagBytes + kHeaderWindowBytes);
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) fail(where + ": zlib could not start");
    stream.next_out = inflated.data();
    stream.avail_out = static_cast<uInt>(inflated.size());
    std::vector<unsigned char> chunk(kHeaderWindowBytes);
    uint64_t remaining = compressedBytes;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset + kTagBytes));
    int status = Z_OK;
    while (stream.avail_out > 0 && status == Z_OK) {
      if (stream.avail_in == 0) {
        if (remaining == 0) break;
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, chunk.size()));
        if (!in_.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(take)))
          break;
        remaining -= take;
        stream.next_in = chunk.data();
        stream.avail_in = static_cast<uInt>(take);
      }
      status = inflate(&stream, Z_NO_FLUSH);
    }
    const size_t produced = inflated.size() - stream.avail_out;
    inflateEnd(&stream);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      fail(where + " is not valid zlib data (corrupt)");
    }
    if (produced < kTagBytes) fail(where + " inflates to less than an element's tag (corrupt)");
    if (u32(inflated.data()) != kMiMatrix) {
      fail(where + " holds no array (element type " + std::to_string(u32(inflated.data())) + ")");
    }
    const uint64_t holds =
        std::min<uint64_t>(u32(inflated.data() + 4), compressedBytes * kBestCompression);
    inflated.resize(std::min<uint64_t>(produced, kTagBytes + holds));
    checkArray(where, std::vector<unsigned char>(inflated.begin() + kTagBytes, inflated.end()),
               holds);
  }

  bool readAt(uint64_t offset, std::vector<unsigned char>& into) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(
        in_.read(reinterpret_cast<char*>(into.data()), static_cast<std::streamsize>(into.size())));
  }

  uint32_t u32(const unsigned char* b) const {
    return little_
               ? uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24
               : uint32_t{b[3]} | uint32_t{b[2]} << 8 | uint32_t{b[1]} << 16 | uint32_t{b[0]} << 24;
  }

  [[noreturn]] void fail(const std::string& expectation) const {
    throw InputError(path_, "file", expectation);
  }

  std::string path_;
  std::ifstream in_;
  bool little_ = true;
};

}  // namespace

void checkMatFileStructure(const std::string& path) {
  MatFileChecker(path).check();
}

}  // namespace mu
