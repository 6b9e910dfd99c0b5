#pragma once
// Per-sample features the SVC membership-inference attack (docs/reference-behaviour.md §7.2) learns
// from: each is a function of a model's softmax output and the sample's true label only (a
// black-box attack).

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <string>

namespace mu {

// Softmax probabilities [N, C] (float or double) and true labels [N] (integer) of one data set,
// computed by the caller in dataset order. A default-constructed set stands for "no set".
struct PredictionSet {
  torch::Tensor probabilities;
  torch::Tensor labels;

  int64_t size() const { return probabilities.defined() ? probabilities.size(0) : 0; }
  bool empty() const { return size() == 0; }
  // Rows [begin, end) in order, as the reference's torch.utils.data.Subset(range(...)) takes them.
  PredictionSet rows(int64_t begin, int64_t end) const;
};

// Throws InputError naming `setName` unless probabilities are a floating [N, C] tensor with
// C >= 1 and finite values, and labels are an integer [N] tensor with values in [0, C).
void checkPredictionSet(const PredictionSet& set, const std::string& setName);

enum class MiaFeature { kCorrectness, kConfidence, kEntropy, kModifiedEntropy, kProb };
inline constexpr std::array<MiaFeature, 5> kAllMiaFeatures = {
    MiaFeature::kCorrectness, MiaFeature::kConfidence, MiaFeature::kEntropy,
    MiaFeature::kModifiedEntropy, MiaFeature::kProb};
// The reference's dictionary keys: correctness, confidence, entropy, m_entropy, prob.
std::string miaFeatureName(MiaFeature feature);

enum class ModifiedEntropyFormula {
  // Song & Mittal (2021): -(1-p_y) log p_y - sum_{c != y} p_c log(1-p_c).
  kSongMittal,
  // The reference's SVC_MIA.py before upstream PR #14 (docs/reference-behaviour.md §7.2), for
  // parity runs only: -sum_c w_c log p_c with w_c = 1-p_c for every class present anywhere in the
  // set's labels and w_c = p_c otherwise, so a sample's value depends on which labels the rest of
  // its set holds.
  kReferenceBuggy,
};

// Logarithms of probabilities that may be 0 are taken at no less than this value (log 1e-30 is
// about -69), as the reference (MIA.py's _log_value, SVC_MIA.py's m_entropy) does.
inline constexpr double kMiaLogFloor = 1e-30;

// Each feature function returns one value per sample, [N], in the probabilities' dtype: the
// reference computes its features in float32, and the attack widens them to double afterwards.
torch::Tensor correctnessFeature(const PredictionSet& set);  // 1[argmax p = y] as 0 / 1
torch::Tensor confidenceFeature(const PredictionSet& set);   // p_y
torch::Tensor entropyFeature(const PredictionSet& set);      // -sum p log p, 0 log 0 = 0
torch::Tensor modifiedEntropyFeature(const PredictionSet& set, ModifiedEntropyFormula formula);

// The attack's input for one feature: a CPU double [N, d] matrix, d = 1 for the scalar features
// and d = C for kProb (the whole probability vector).
torch::Tensor miaFeatureMatrix(MiaFeature feature, const PredictionSet& set,
                               ModifiedEntropyFormula formula);

}  // namespace mu
