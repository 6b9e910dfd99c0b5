#pragma once
// The interface every architecture implements: images in, logits out, plus the lists of weights
// that pruning works on. Parameter and buffer names follow the PyTorch reference models, so a
// checkpoint written from named_parameters()/named_buffers() reads like a PyTorch state_dict.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/models/model_spec.h"
#include "pipeline/models/normalize.h"

namespace mu {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

class Classifier : public torch::nn::Module {
 public:
  // x: float NCHW images in [0,1]; the model normalises them itself. Returns [N, numClasses].
  virtual torch::Tensor forward(torch::Tensor x) = 0;

  // Every Conv2d weight (the prunable set, docs/reference-behaviour.md §5.1), named as in
  // named_parameters() and in registration order. The tensors share storage with the parameters:
  // writing through them changes the model.
  NamedTensors convWeights() const;
  // Every Linear weight, same conventions; never pruned by the reference, listed for an option.
  NamedTensors linearWeights() const;
  // The module name of the final Linear layer ("fc", "classifier.4"): the class scores, the part
  // a transfer to other classes replaces and a linear probe trains. Its parameters are named
  // "<headName>.weight" and "<headName>.bias".
  std::string headName() const;
  bool inHead(const std::string& parameterOrBufferName) const;

  // The "normalize" sub-module (buffers normalize.mean and normalize.std).
  NormalizeImpl& normalizer();

  // What makeModel built this from (arch empty for a model built another way): enough to build
  // a twin of it, as an inference copy does.
  const ModelSpec& spec() const { return spec_; }

 protected:
  // Each architecture registers "normalize" where its reference does, so that state-dict order
  // matches too (first in the ResNets, last in VGG).
  void registerNormalize(int64_t channels, const std::vector<double>& mean,
                         const std::vector<double>& stddev);
  torch::Tensor normalize(const torch::Tensor& x) { return normalize_->forward(x); }

 private:
  template <typename Layer>
  NamedTensors weightsOf() const;

  Normalize normalize_{nullptr};
  ModelSpec spec_;
  friend std::shared_ptr<Classifier> makeModel(const ModelSpec& spec);
};

}  // namespace mu
