#pragma once
// Derives independent, reproducible seeds from a run seed and counters (epoch, sample id, ...)
// with SplitMix64. Randomness keyed by such counters needs no saved RNG state to resume and does
// not depend on how many ranks share the work.

#include <cstdint>
#include <initializer_list>

namespace mu {

inline uint64_t splitMix64(uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

inline uint64_t mixSeed(uint64_t seed, std::initializer_list<uint64_t> counters) {
  uint64_t mixed = splitMix64(seed);
  for (uint64_t counter : counters) mixed = splitMix64(mixed ^ counter);
  return mixed;
}

}  // namespace mu
