#pragma once
// rl, random-label unlearning (docs/reference-behaviour.md §6.8; deleted from the reference in Jan
// 2023, basis of SalUn's RL): each epoch the forget samples get labels drawn uniformly from [0, C)
// and are trained on together with D_r, with cross-entropy.

#include <cstdint>

namespace mu {

// The label forget sample `sampleId` carries in `epoch`. Keyed by (seed, epoch, id) rather than
// drawn from a stream, so every rank, and a resumed run, gives every sample the same label
// whatever order the samples are visited in. It may equal the true label (uniform over all C).
int64_t randomForgetLabel(uint64_t seed, int64_t epoch, int64_t sampleId, int64_t numClasses);

}  // namespace mu
