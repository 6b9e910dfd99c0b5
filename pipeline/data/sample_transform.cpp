#include "pipeline/data/sample_transform.h"

#include <string>

#include "pipeline/base/error.h"
#include "pipeline/base/seed_mixing.h"

namespace mu {

SampleTransform drawSampleTransform(const AugmentOptions& options, uint64_t seed, int64_t epoch,
                                    int64_t sampleId) {
  SampleTransform transform;
  transform.offsetY = options.cropPadding;
  transform.offsetX = options.cropPadding;
  const uint64_t random =
      mixSeed(seed, {static_cast<uint64_t>(epoch), static_cast<uint64_t>(sampleId)});
  if (options.cropPadding > 0) {
    const uint64_t span = 2 * static_cast<uint64_t>(options.cropPadding) + 1;
    transform.offsetY = static_cast<int>((random & 0xFFFF) % span);
    transform.offsetX = static_cast<int>(((random >> 16) & 0xFFFF) % span);
  }
  transform.flip = options.horizontalFlip && ((random >> 32) & 1) != 0;
  return transform;
}

void checkBatchRequest(const torch::Tensor& images, const std::vector<int64_t>& rows,
                       const std::vector<int64_t>& sampleIds) {
  if (images.scalar_type() != torch::kUInt8 || images.dim() != 4 || !images.is_contiguous() ||
      !images.device().is_cpu()) {
    throw InputError("makeImageBatch: expected contiguous uint8 host images [N, C, H, W]");
  }
  if (sampleIds.size() != rows.size()) {
    throw InputError("makeImageBatch: expected one sample id per row");
  }
  const int64_t count = images.size(0);
  for (int64_t row : rows) {
    if (row < 0 || row >= count) {
      throw InputError("makeImageBatch: row " + std::to_string(row) + " outside [0, " +
                       std::to_string(count) + ")");
    }
  }
}

}  // namespace mu
