#pragma once
// CIFAR-10 and CIFAR-100 "binary version": fixed-size records of label byte(s) followed by a
// 32x32 RGB image stored as three 1024-byte planes (R, G, B), each row-major: already CHW.

#include <string>

#include "pipeline/data/image_set.h"

namespace mu {

// data_batch_1..5.bin (train, in that order) and test_batch.bin, from `dir` or from
// `dir`/cifar-10-batches-bin. Class names from batches.meta.txt when present.
SourceDataset loadCifar10(const std::string& dir);

// train.bin and test.bin, from `dir` or `dir`/cifar-100-binary; records carry a coarse and a
// fine label, and the fine one (100 classes) is used. Names from fine_label_names.txt if present.
SourceDataset loadCifar100(const std::string& dir);

}  // namespace mu
