#pragma once
// Where a split's images come from when a stage builds batches. The small formats hold decoded
// pixels in memory (InMemorySource); ImageNet-size datasets stream JPEG files from their shards,
// decoding ahead of the consumer (jpeg_source.h). Stages name the batches they will want, in
// order, and take them one by one: a streaming source decodes ahead, bounded by its prefetch
// depth, and a batch is the same whatever the threads, the depth or the rank that builds it.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "pipeline/data/augment.h"

namespace mu {

// How a batch's images are made: a training augmentation (keyed by seed, epoch and sample id),
// or with the default {} the deterministic evaluation view.
struct BatchRecipe {
  AugmentOptions augment;
  uint64_t seed = 0;
  int64_t epoch = 0;
};

class BatchStream {
 public:
  virtual ~BatchStream() = default;
  // The plan's next batch: float [B, C, H, W] in [0, 1] on the placement's device and memory
  // format. Throws once the plan is exhausted.
  virtual torch::Tensor next() = 0;
};

class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual int64_t size() const = 0;
  // The batches of `plan` (each a list of sample ids), to be taken in that order.
  virtual std::unique_ptr<BatchStream> stream(std::vector<std::vector<int64_t>> plan,
                                              const BatchRecipe& recipe,
                                              const BatchPlacement& placement) const = 0;
  // One batch, built now.
  torch::Tensor batch(const std::vector<int64_t>& ids, const BatchRecipe& recipe,
                      const BatchPlacement& placement) const;
};

// Decoded pixels in memory, uint8 [N, C, H, W] (row i = sample id i): makeImageBatch per batch.
class InMemorySource : public SampleSource {
 public:
  explicit InMemorySource(torch::Tensor images);
  int64_t size() const override { return images_.size(0); }
  std::unique_ptr<BatchStream> stream(std::vector<std::vector<int64_t>> plan,
                                      const BatchRecipe& recipe,
                                      const BatchPlacement& placement) const override;
  const torch::Tensor& images() const { return images_; }

 private:
  torch::Tensor images_;
};

}  // namespace mu
