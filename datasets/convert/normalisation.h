#pragma once
// The per-channel mean/std a model normalises its inputs with (docs/reference-behaviour.md §1.3).
// For the datasets the reference covers we use its constants, so our models see exactly its inputs;
// for the others (Fashion-MNIST, MNIST) they are measured on the training images.

#include <string>
#include <vector>

#include "pipeline/data/image_set.h"

namespace mu {

struct ChannelStatistics {
  std::vector<double> mean;
  std::vector<double> std;
};

// Population mean and standard deviation per channel of pixels / 255.
ChannelStatistics measureChannelStatistics(const ImageSet& images);

// The reference's constants for `dataset`, else measured on `train`.
ChannelStatistics normalisationFor(const std::string& dataset, const ImageSet& train);

}  // namespace mu
