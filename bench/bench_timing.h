#pragma once
// Medians of repeated timings: these machines are noisy, so benchmarks quote medians.

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace mu::bench {

inline double secondsOf(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

inline double medianSeconds(int repeats, const std::function<void()>& work) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) times.push_back(secondsOf(work));
  return median(times);
}

}  // namespace mu::bench
