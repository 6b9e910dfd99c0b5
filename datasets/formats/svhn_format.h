#pragma once
// SVHN "cropped digits" (format 2): train_32x32.mat and test_32x32.mat, MATLAB files holding
// X, uint8 32x32x3xN in MATLAB's column-major order, and y, N labels in 1..10 (10 is digit 0).

#include <string>

#include "pipeline/data/image_set.h"

namespace mu {

// Reads both files from `dir`; images become NCHW and label 10 becomes 0, as torchvision does.
SourceDataset loadSvhn(const std::string& dir);

}  // namespace mu
