#pragma once
// The stages' timings: seconds elapsed on the steady clock (never the wall clock, which can jump).

#include <chrono>

namespace mu {

inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace mu
