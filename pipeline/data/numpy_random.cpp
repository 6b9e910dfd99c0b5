#include "pipeline/data/numpy_random.h"

#include <string>
#include <utility>

#include "pipeline/base/error.h"

namespace mu {

namespace {

// MT19937 constants (Matsumoto & Nishimura, 1998), as numpy's randomkit uses them.
constexpr int kShift = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfU;
constexpr uint32_t kUpperMask = 0x80000000U;
constexpr uint32_t kLowerMask = 0x7fffffffU;

}  // namespace

NumpyRandomState::NumpyRandomState(uint32_t seed) {
  // init_genrand: numpy's legacy RandomState(int) seeds exactly this way for 0 <= seed < 2^32.
  // uint32_t arithmetic wraps, which is the "mod 2^32" of the reference.
  state_[0] = seed;
  for (int i = 1; i < kStateSize; ++i) {
    const uint32_t prev = state_[i - 1];
    state_[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<uint32_t>(i);
  }
  // Start "exhausted" so that the first draw regenerates the whole block, as init_genrand leaves
  // the generator.
  position_ = kStateSize;
}

void NumpyRandomState::refill() {
  // Standard MT19937 twist of all 624 words at once.
  for (int i = 0; i < kStateSize; ++i) {
    const uint32_t y = (state_[i] & kUpperMask) | (state_[(i + 1) % kStateSize] & kLowerMask);
    state_[i] = state_[(i + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1U) != 0 ? kMatrixA : 0U);
  }
  position_ = 0;
}

uint32_t NumpyRandomState::nextUint32() {
  if (position_ >= kStateSize) refill();
  uint32_t y = state_[position_++];
  // Tempering.
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

uint32_t NumpyRandomState::interval(uint32_t max) {
  if (max == 0) return 0;
  // Smallest all-ones mask covering max. numpy draws 32 bits whenever max fits in 32 bits, and
  // rejects (rather than reducing modulo) so that every value is equally likely; each rejected
  // draw still consumes the stream, which is what keeps us in step with numpy.
  uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint32_t value = 0;
  do {
    value = nextUint32() & mask;
  } while (value > max);
  return value;
}

std::vector<int64_t> NumpyRandomState::permutation(int64_t n) {
  if (n < 0) {
    throw InputError("permutation: n must be non-negative, got " + std::to_string(n));
  }
  // interval() takes 32 bits; numpy switches to 64-bit draws above that, which we do not mirror.
  if (n > static_cast<int64_t>(UINT32_MAX)) {
    throw InputError("permutation: n must be at most 2^32 - 1, got " + std::to_string(n));
  }
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = i;
  // numpy's legacy shuffle walks from the top: for i = n-1 .. 1 swap values[i] with
  // values[interval(i)].
  for (int64_t i = n - 1; i >= 1; --i) {
    const uint32_t j = interval(static_cast<uint32_t>(i));
    std::swap(values[static_cast<size_t>(i)], values[j]);
  }
  return values;
}

std::vector<int64_t> NumpyRandomState::choiceWithoutReplacement(const std::vector<int64_t>& pool,
                                                                int64_t k) {
  const auto poolSize = static_cast<int64_t>(pool.size());
  if (k < 0 || k > poolSize) {
    throw InputError("choice without replacement: cannot draw " + std::to_string(k) +
                     " samples from a pool of " + std::to_string(poolSize));
  }
  // numpy permutes the whole pool even when k is small, so the stream advances by the same number
  // of draws whatever k is; the next call on this state depends on that.
  const std::vector<int64_t> order = permutation(poolSize);
  std::vector<int64_t> chosen(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i) {
    chosen[static_cast<size_t>(i)] = pool[static_cast<size_t>(order[static_cast<size_t>(i)])];
  }
  return chosen;
}

}  // namespace mu
