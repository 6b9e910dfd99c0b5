#pragma once
// Batches assembled on the GPU: the host only gathers the raw uint8 rows (and the labels) into
// pinned memory, which copy asynchronously, a quarter of the bytes a float batch takes; the crop,
// flip and scaling to [0, 1] then run on the device. The host's share of a step stays a few
// memcpys, so it keeps ahead of the GPU. The values are bit for bit those of the host builder
// (makeImageBatch on the CPU): the same per-sample draw (drawSampleTransform), exact copies for
// crop and flip, and an IEEE division by 255 as ToTensor does.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "pipeline/data/augment.h"

namespace mu {

// As makeImageBatch, built on `placement.device` (any device: on the CPU it is how the tests
// hold this path to the host builder). makeImageBatch calls it for a GPU placement.
torch::Tensor makeImageBatchOnDevice(const torch::Tensor& images, const std::vector<int64_t>& rows,
                                     const std::vector<int64_t>& sampleIds,
                                     const AugmentOptions& options, uint64_t seed, int64_t epoch,
                                     const BatchPlacement& placement);

// uint8 [B, C, H, W] (any strides) on its device as float in [0, 1], bit for bit ToTensor's
// division, contiguous in the asked memory format.
torch::Tensor scaleToUnit(const torch::Tensor& bytes, bool channelsLast);

// labels[rows] on `device`: through pinned memory and an asynchronous copy on a GPU, so that
// handing labels over never makes the host wait for the GPU.
torch::Tensor makeLabelBatch(const torch::Tensor& labels, const std::vector<int64_t>& rows,
                             torch::Device device);

}  // namespace mu
