#pragma once
// What a transfer takes from its source model: everything but the head (the final Linear layer,
// whose classes are the source's), and optionally the pruning masks. The input normalisation is
// part of the features: a transferred model normalises target images as its source did, as a
// model pretrained on ImageNet keeps ImageNet's statistics downstream.

#include <memory>
#include <string>

#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"

namespace mu {

class SourceFeatures {
 public:
  // Loads the checkpoint at `path` (described by `meta`) with all of loadCheckpoint's checks.
  SourceFeatures(std::string path, CheckpointMeta meta);

  // The source's masks, less any on its head; empty for a dense model.
  const TensorMap& masks() const { return masks_; }
  // The fraction of the prunable weights the masks remove (0: dense).
  double sparsity() const { return sparsity_; }

  // Copies every parameter and buffer but the head's into `target`, a model of the same
  // architecture and input channels for another number of classes (InputError naming the file
  // and the tensor otherwise), then lets the source model go.
  void copyInto(Classifier& target);

 private:
  std::string path_;
  CheckpointMeta meta_;
  std::shared_ptr<Classifier> model_;
  TensorMap masks_;
  double sparsity_ = 0;
};

}  // namespace mu
