#pragma once
// A model made for inference: a copy of a trained classifier (the original stays as it is, so a
// training loop can evaluate between epochs) in eval mode, its BatchNorms folded into their
// convolutions (batch_norm_folding.h), run under torch::InferenceMode (no autograd bookkeeping),
// in the memory layout and pass size measured fastest for its device (bench/compare_inference.sh).
// Pruned weights are already zero in the copy; nothing re-applies masks per pass. Its logits equal
// the original's eval-mode logits to float rounding (inference_model_test).

#include <torch/types.h>

#include <cstdint>
#include <memory>

#include "pipeline/models/classifier.h"

namespace mu {

struct InferenceOptions {
  bool foldBatchNorm = true;
  bool channelsLast = false;  // NHWC weights and batches
  int64_t maxPassRows = 0;    // a larger batch runs as passes of this many rows; 0: one pass
};

// The options bench/compare_inference.sh measured fastest for `device`; a model trained
// channels-last (a GPU option) keeps that layout.
InferenceOptions fastestInferenceOptions(const torch::Device& device, bool trainedChannelsLast);

class InferenceModel {
 public:
  // With fastestInferenceOptions for the model's device and layout.
  explicit InferenceModel(Classifier& trained);
  InferenceModel(Classifier& trained, const InferenceOptions& options);

  // Float NCHW images in [0,1] on device(), any memory format; returns the logits [N, C] (an
  // inference tensor: read it, do not record autograd on it).
  torch::Tensor forward(const torch::Tensor& images);

  torch::Device device() const { return device_; }
  // The layout batches should arrive in (they are converted otherwise).
  bool channelsLast() const { return options_.channelsLast; }
  const InferenceOptions& options() const { return options_; }

 private:
  torch::Tensor pass(const torch::Tensor& images);

  std::shared_ptr<Classifier> model_;
  InferenceOptions options_;
  torch::Device device_;
};

}  // namespace mu
