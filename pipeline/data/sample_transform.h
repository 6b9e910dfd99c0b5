#pragma once
// What the host and device batch builders share: each sample's training augmentation (random
// crop with zero padding, horizontal flip) drawn from (seed, epoch, sample id) alone, and the
// checks on a batch request. One draw serves both builders, so a batch is the same wherever it
// is built.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "pipeline/data/augment.h"

namespace mu {

struct SampleTransform {
  int offsetY = 0;  // crop origin in the zero-padded image (padding = centred, no shift)
  int offsetX = 0;
  bool flip = false;  // mirrored left-right after the crop (torchvision's order)
};

SampleTransform drawSampleTransform(const AugmentOptions& options, uint64_t seed, int64_t epoch,
                                    int64_t sampleId);

// InputError unless `images` is contiguous uint8 [N, C, H, W] in host memory, every row is in [0,
// N) and there is one sample id per row.
void checkBatchRequest(const torch::Tensor& images, const std::vector<int64_t>& rows,
                       const std::vector<int64_t>& sampleIds);

}  // namespace mu
