#pragma once
// Eight 32-bit integer lanes for the image kernels (resample.cpp), written with GCC's and Clang's
// vector extension so that one source compiles to SSE2, AVX2 or NEON with the same integer
// results; and an 8x8 byte transpose for moving between rows and lanes.

#include <cstdint>
#include <cstring>

namespace mu {

// A function marked MU_AVX2_CLONE is built for AVX2 and for the x86-64 baseline, and the dynamic
// loader picks one when the program starts (function multi-versioning): AVX2's eight-lane 32-bit
// multiply is what makes these loops fast, and the same binary still runs on any x86-64 node.
#if defined(__x86_64__)
#define MU_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define MU_AVX2_CLONE
#endif
// What such a function calls must be inlined into each of its builds.
#define MU_INLINE inline __attribute__((always_inline))

constexpr int kLanes = 8;
using Int32x8 = int32_t __attribute__((vector_size(kLanes * sizeof(int32_t))));

// (Vectors go by reference: passing one by value would tie the ABI to the instruction set.)
MU_INLINE void load8(const int32_t* values, Int32x8& lanes) {
  std::memcpy(&lanes, values, sizeof lanes);
}

// The eight lanes shifted right by `shift`, their low bytes packed into eight bytes (byte r from
// lane r).
MU_INLINE uint64_t packedBytes(const Int32x8& sums, int shift) {
  using Bytes32 = uint8_t __attribute__((vector_size(32)));
  const Int32x8 shifted = sums >> shift;
  Bytes32 bytes;
  std::memcpy(&bytes, &shifted, sizeof bytes);
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the low byte of a lane comes first");
  const auto low = __builtin_shufflevector(bytes, bytes, 0, 4, 8, 12, 16, 20, 24, 28);
  uint64_t packed;
  std::memcpy(&packed, &low, sizeof packed);
  return packed;
}

// Swaps the `width`-byte blocks of rows a and b that lie across the diagonal of their 2x2 block
// grid: one step of an 8x8 byte-matrix transpose (byte n of a row is its column n).
template <int Width, uint64_t LowMask>
MU_INLINE void swapAcross(uint64_t& a, uint64_t& b) {
  const uint64_t newA = (a & LowMask) | ((b << (8 * Width)) & ~LowMask);
  const uint64_t newB = (b & ~LowMask) | ((a >> (8 * Width)) & LowMask);
  a = newA;
  b = newB;
}

// Transposes an 8x8 byte matrix held as eight rows of eight bytes.
MU_INLINE void transpose8x8(uint64_t* rows) {
  constexpr uint64_t kHalves = 0x00000000FFFFFFFFull, kPairs = 0x0000FFFF0000FFFFull,
                     kBytes = 0x00FF00FF00FF00FFull;
  for (int i = 0; i < 4; ++i) swapAcross<4, kHalves>(rows[i], rows[i + 4]);
  for (int i = 0; i < 8; i += 4) {
    swapAcross<2, kPairs>(rows[i], rows[i + 2]);
    swapAcross<2, kPairs>(rows[i + 1], rows[i + 3]);
  }
  for (int i = 0; i < 8; i += 2) swapAcross<1, kBytes>(rows[i], rows[i + 1]);
}

}  // namespace mu
