#pragma once
// Folds each BatchNorm into the convolution that feeds it, for inference. With its running
// statistics, an eval-mode BatchNorm is the per-channel affine map
// y = (x - mean) * gamma / sqrt(var + eps) + beta, which the convolution applies itself through
// scaled weights and a bias: the model computes the same function to float rounding with one pass
// over every activation fewer. Pruned weights stay exactly zero (they are only scaled).
//
// A BatchNorm is folded into the leaf module registered just before it when that is a Conv2d
// with as many output channels: every architecture here registers each BatchNorm right after the
// convolution whose output it normalises (models_test checks folded against unfolded logits for
// every registered architecture, so one that breaks the rule fails there).

#include "pipeline/models/classifier.h"

namespace mu {

// Returns how many BatchNorms were folded. Only for a copy that will not train again: the folded
// weights are no longer the trained ones, and the convolutions' new biases are not parameters.
int foldBatchNorms(Classifier& model);

}  // namespace mu
