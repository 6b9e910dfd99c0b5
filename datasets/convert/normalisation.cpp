#include "datasets/convert/normalisation.h"

#include <cmath>
#include <map>

namespace mu {

ChannelStatistics measureChannelStatistics(const ImageSet& images) {
  const int64_t plane = int64_t{images.height} * images.width;
  std::vector<double> sum(static_cast<size_t>(images.channels), 0.0);
  std::vector<double> sumSquares(sum.size(), 0.0);
  // Integer sums per image keep the accumulation exact and fast.
  for (int64_t n = 0; n < images.size(); ++n) {
    for (int c = 0; c < images.channels; ++c) {
      const uint8_t* pixels = images.pixels.data() + (n * images.channels + c) * plane;
      uint64_t s = 0;
      uint64_t s2 = 0;
      for (int64_t i = 0; i < plane; ++i) {
        s += pixels[i];
        s2 += uint64_t{pixels[i]} * pixels[i];
      }
      sum[static_cast<size_t>(c)] += static_cast<double>(s);
      sumSquares[static_cast<size_t>(c)] += static_cast<double>(s2);
    }
  }
  ChannelStatistics statistics;
  const double count = static_cast<double>(images.size() * plane);
  for (size_t c = 0; c < sum.size(); ++c) {
    const double mean = sum[c] / count / 255.0;
    const double meanSquare = sumSquares[c] / count / (255.0 * 255.0);
    statistics.mean.push_back(mean);
    statistics.std.push_back(std::sqrt(std::max(0.0, meanSquare - mean * mean)));
  }
  return statistics;
}

ChannelStatistics normalisationFor(const std::string& dataset, const ImageSet& train) {
  static const std::map<std::string, ChannelStatistics> kReference = {
      {"cifar10", {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}}},
      {"cifar100", {{0.5071, 0.4866, 0.4409}, {0.2673, 0.2564, 0.2762}}},
      {"svhn", {{0.4377, 0.4438, 0.4728}, {0.1980, 0.2010, 0.1970}}},
  };
  auto found = kReference.find(dataset);
  if (found != kReference.end()) return found->second;
  return measureChannelStatistics(train);
}

}  // namespace mu
