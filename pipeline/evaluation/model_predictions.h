#pragma once
// A model's softmax probabilities and top-1 accuracy on a list of samples, with the test transform
// (no augmentation), in eval mode, spread over the ranks, and the same on every rank afterwards.
//
// The list is cut into fixed batches of `batchSize` samples and each rank scores a contiguous run
// of whole batches, so every sample is computed in the same batch whatever the number of ranks:
// one rank and n ranks give bit-identical probabilities (the SVC attack's decisions depend on
// every bit). Each rank writes its rows into a zero [N, C] tensor and the ranks sum them, which
// is exact because every element has one non-zero contribution.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "pipeline/distributed/communicator.h"
#include "pipeline/evaluation/mia_features.h"
#include "pipeline/inference/accuracy.h"

namespace mu {

struct ScoredSamples {
  PredictionSet predictions;  // float32 probabilities [N, C] and int64 labels [N], list order
  Accuracy accuracy;          // argmax of the logits against the labels (lossSum left 0)
};

// `rows` index `images` (uint8 [N, C, H, W]) and `labels` (int64 [N]).
ScoredSamples scoreSamples(InferenceModel& model, const SampleSource& images,
                           const torch::Tensor& labels, const std::vector<int64_t>& rows,
                           Communicator& comm, int64_t batchSize);

}  // namespace mu
