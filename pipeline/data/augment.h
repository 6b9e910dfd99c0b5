#pragma once
// Builds a float batch from in-memory uint8 images in one pass: gather the rows, apply the
// reference's training augmentation (random crop with zero padding, horizontal flip) and scale to
// [0, 1] as ToTensor does. Each sample's crop and flip are drawn from (seed, epoch, sample id), so
// a sample is augmented identically whichever rank takes it and after a resume.

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace mu {

struct AugmentOptions {
  int cropPadding = 0;          // 0 = no random crop; the reference uses 4 for CIFAR
  bool horizontalFlip = false;  // p = 0.5 when on
  // ImageNet-style: RandomResizedCrop(image size) instead of the evaluation view (streamed JPEG
  // datasets only, jpeg_source.h).
  bool randomResizedCrop = false;
};

// Where a batch goes: the model's device and memory format. A GPU batch is built on the GPU
// (batch_on_device.h): the host gathers the raw bytes into pinned memory, they copy
// asynchronously, and the crop, flip and scaling run there, so the host stays ahead of the GPU.
struct BatchPlacement {
  torch::Device device = torch::kCPU;
  bool channelsLast = false;
};

// `rows` index into `images` (uint8 [N, C, H, W]); `sampleIds` key the per-sample randomness
// (usually equal to rows). Returns float [B, C, H, W] on `placement.device`; the values are
// the same, bit for bit, on every device.
torch::Tensor makeImageBatch(const torch::Tensor& images, const std::vector<int64_t>& rows,
                             const std::vector<int64_t>& sampleIds, const AugmentOptions& options,
                             uint64_t seed, int64_t epoch, const BatchPlacement& placement = {});

// The same without augmentation (evaluation).
torch::Tensor makeImageBatch(const torch::Tensor& images, const std::vector<int64_t>& rows,
                             const BatchPlacement& placement = {});

}  // namespace mu
