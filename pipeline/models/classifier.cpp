#include "pipeline/models/classifier.h"

#include <stdexcept>

namespace mu {

template <typename Layer>
NamedTensors Classifier::weightsOf() const {
  NamedTensors weights;
  // named_modules walks the tree in registration order, the order named_parameters uses.
  for (const auto& item : named_modules(std::string(), /*include_self=*/false)) {
    if (const auto* layer = item.value()->as<Layer>()) {
      weights.emplace_back(item.key() + ".weight", layer->weight);
    }
  }
  return weights;
}

NamedTensors Classifier::convWeights() const {
  return weightsOf<torch::nn::Conv2dImpl>();
}

NamedTensors Classifier::linearWeights() const {
  return weightsOf<torch::nn::LinearImpl>();
}

std::string Classifier::headName() const {
  const NamedTensors linear = linearWeights();
  if (linear.empty()) {
    throw std::logic_error("Classifier: the architecture has no Linear layer for its class scores");
  }
  const std::string& weight = linear.back().first;
  return weight.substr(0, weight.size() - std::string(".weight").size());
}

bool Classifier::inHead(const std::string& name) const {
  const std::string prefix = headName() + ".";
  return name.compare(0, prefix.size(), prefix) == 0;
}

NormalizeImpl& Classifier::normalizer() {
  if (normalize_.is_empty()) {
    throw std::logic_error("Classifier: the architecture never registered its normalize module");
  }
  return *normalize_;
}

void Classifier::registerNormalize(int64_t channels, const std::vector<double>& mean,
                                   const std::vector<double>& stddev) {
  normalize_ = register_module("normalize", Normalize(channels, mean, stddev));
}

}  // namespace mu
