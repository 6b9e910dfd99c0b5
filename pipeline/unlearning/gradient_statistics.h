#pragma once
// What the one-shot methods (FF, IU) need to compute gradient statistics over a sample set:
// the model's parameters as one flat fp32 vector (the layout the reference's flattened
// gradient vectors use: registration order), masked gradients, and batches of the training split.

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/data/augment.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"

namespace mu {

class ParameterLayout {
 public:
  // Every parameter of `model` in registration order; `masks` by parameter name (may be empty).
  ParameterLayout(Classifier& model, const TensorMap& masks);

  size_t count() const { return parameters_.size(); }
  const std::string& name(size_t index) const { return parameters_[index].first; }
  const torch::Tensor& parameter(size_t index) const { return parameters_[index].second; }
  int64_t numel() const { return offsets_.back(); }

  // d loss / d parameter for every parameter, through autograd::grad (the parameters' .grad stays
  // untouched), each multiplied by its mask: in the reference the forward pass multiplies
  // weight_orig by the mask, so a pruned weight's gradient is exactly 0 there, and FF's variance
  // rules and IU's update depend on that. A parameter the loss does not reach gets zeros.
  std::vector<torch::Tensor> gradients(const torch::Tensor& loss, bool retainGraph) const;
  // Concatenates per-parameter tensors (shaped like the parameters) into one flat fp32 vector.
  torch::Tensor flatten(const std::vector<torch::Tensor>& tensors) const;
  // Views of a flat vector shaped like each parameter (they share its storage).
  std::vector<torch::Tensor> unflatten(const torch::Tensor& flat) const;
  // A zero flat vector on the parameters' device.
  torch::Tensor zeros() const;

 private:
  std::vector<std::pair<std::string, torch::Tensor>> parameters_;
  std::vector<torch::Tensor> masks_;  // undefined: dense
  std::vector<int64_t> offsets_;      // count() + 1 entries
};

// The float batch of training rows `rows` on `device`. Statistics passes use no augmentation by
// default (the old run.py passed --no-aug to fisher_new and wfisher); with augmentation each
// sample is augmented as in epoch `epoch` of `seed`.
torch::Tensor statisticsImages(const LoadedSplit& train, const std::vector<int64_t>& rows,
                               const AugmentOptions& augment, uint64_t seed, int64_t epoch,
                               const torch::Device& device);
torch::Tensor statisticsLabels(const LoadedSplit& train, const std::vector<int64_t>& rows,
                               const torch::Device& device);

// What a statistics pass over training samples works with. The model is in eval mode for every pass
// (BatchNorm uses its running statistics, docs/reference-behaviour.md §6.5, §6.7), so a sample's
// gradient does not depend on which batch, or which rank, it was computed in.
struct StatisticsPass {
  Classifier& model;
  const ParameterLayout& layout;
  Communicator& comm;
  const LoadedSplit& train;
  AugmentOptions augment;  // none by default (see statisticsImages)
  uint64_t seed = 0;
  // Which augmentation draw this pass sees. Each pass over the data draws its own, as each
  // iteration over a DataLoader does in the reference (docs/reference-behaviour.md §6.7).
  int64_t epoch = 0;

  torch::Device device() const { return layout.parameter(0).device(); }
  // The same pass over the data again, with augmentations drawn afresh.
  StatisticsPass nextPass() const {
    StatisticsPass next = *this;
    ++next.epoch;
    return next;
  }
  // Flat masked gradient of the summed cross-entropy of `rows` (their own labels), this rank.
  torch::Tensor gradientOfSum(const std::vector<int64_t>& rows) const;
};

struct UnlearnContext;
// The start of a one-shot method: the original model with its masks applied, the same on every
// rank, and a pass over its training rows with `layout`, augmented only when `augment` (the old
// run.py ran FF and IU with --no-aug).
StatisticsPass beginStatisticsPass(UnlearnContext& context, const ParameterLayout& layout,
                                   bool augment);

// Rows [begin, end) of `rows`.
std::vector<int64_t> rowRange(const std::vector<int64_t>& rows, int64_t begin, int64_t end);

}  // namespace mu
