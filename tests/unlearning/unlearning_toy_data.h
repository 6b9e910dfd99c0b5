#pragma once
// A toy image set and model for the unlearning tests (unlearning_test, unlearning_mpi_test): four
// classes of 1x8x8 images, each class a bright 3x3 patch in its own quadrant over noise, which the
// tiny CNN learns in a few epochs; masks that prune half of every weight matrix.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

#include "pipeline/data/forget_set.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/models/tensor_map.h"

namespace mu::test {

inline LoadedSplit toyTrainSplit(int64_t count, int classes = 4, uint64_t seed = 7) {
  LoadedSplit split;
  split.manifest.dataset = "toy";
  split.manifest.numClasses = classes;
  split.manifest.channels = 1;
  split.manifest.height = 8;
  split.manifest.width = 8;
  split.manifest.mean = {0.3};
  split.manifest.std = {0.3};
  split.split = "train";
  torch::manual_seed(seed);
  torch::Tensor images = torch::randint(0, 80, {count, 1, 8, 8}, torch::kInt64);
  split.labels = torch::arange(count, torch::kInt64).remainder(classes);
  for (int64_t row = 0; row < count; ++row) {
    const int64_t label = row % classes;
    const int64_t top = (label / 2) * 4;
    const int64_t left = (label % 2) * 4;
    images[row][0].slice(0, top, top + 3).slice(1, left, left + 3).fill_(220);
  }
  split.images = images.to(torch::kUInt8);
  split.source = std::make_shared<InMemorySource>(split.images);
  return split;
}

// Every id is a training id (no validation samples).
inline TrainValSplit allTraining(const LoadedSplit& split) {
  TrainValSplit all;
  all.trainIds.resize(static_cast<size_t>(split.size()));
  std::iota(all.trainIds.begin(), all.trainIds.end(), 0);
  return all;
}

inline ForgetSet classForgetSet(const LoadedSplit& split, int64_t forgetClass) {
  ForgetRequest request;
  request.mode = "class";
  request.forgetClasses = ClassList(forgetClass);
  return selectForgetSet(request, split, allTraining(split), 1, 0.0);
}

inline std::shared_ptr<Classifier> toyModel(int classes = 4, uint64_t seed = 3) {
  torch::manual_seed(seed);
  return makeModel(ModelSpec{"tinycnn", classes, 1, false, {0.3}, {0.3}});
}

// 0/1 masks keeping about `keep` of every weight with more than one dimension (conv and fc).
inline TensorMap halfMasks(Classifier& model, uint64_t seed = 11, double keep = 0.5) {
  torch::manual_seed(seed);
  TensorMap masks;
  for (const auto& parameter : model.named_parameters()) {
    if (parameter.value().dim() > 1) {
      masks[parameter.key()] = (torch::rand(parameter.value().sizes()) < keep).to(torch::kFloat32);
    }
  }
  return masks;
}

// Every parameter, flattened and concatenated in registration order (a copy).
inline torch::Tensor flatParameters(Classifier& model) {
  std::vector<torch::Tensor> flat;
  for (const auto& parameter : model.parameters()) flat.push_back(parameter.detach().reshape({-1}));
  return torch::cat(flat).clone();
}

inline void copyParameters(Classifier& from, Classifier& to) {
  torch::NoGradGuard noGrad;
  auto source = from.parameters();
  auto target = to.parameters();
  for (size_t index = 0; index < source.size(); ++index) target[index].copy_(source[index]);
}

}  // namespace mu::test
