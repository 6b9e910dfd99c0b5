#pragma once
// numpy's legacy RandomState (MT19937) reproduced bit for bit for the calls the reference code
// makes: permutation(n) and choice(a, k, replace=False). The splits and forget sets of the paper
// come from these streams, so matching them is what makes our runs comparable to its tables.

#include <cstdint>
#include <vector>

namespace mu {

class NumpyRandomState {
 public:
  explicit NumpyRandomState(uint32_t seed);

  // One tempered 32-bit MT19937 output.
  uint32_t nextUint32();
  // numpy's legacy "interval": a uniform integer in [0, max] by masked rejection.
  uint32_t interval(uint32_t max);
  // permutation(n): Fisher-Yates from the top, as numpy's legacy shuffle does.
  std::vector<int64_t> permutation(int64_t n);
  // choice(pool, k, replace=False) = pool[permutation(len(pool))[:k]].
  std::vector<int64_t> choiceWithoutReplacement(const std::vector<int64_t>& pool, int64_t k);

 private:
  void refill();

  static constexpr int kStateSize = 624;
  uint32_t state_[kStateSize];
  int position_;
};

}  // namespace mu
