#pragma once
// How well a backdoor still works: the model's predictions on the test set with the trigger
// stamped on every image, against the attack's target label (docs/reference-behaviour.md §9.1).
// Two rates, because the customary one and the reference's differ: the reference triggers every
// test image, so images whose true class is the target count as successes when the model is
// merely right; the customary attack success rate leaves them out.

#include <cstdint>

#include "pipeline/data/poisoning.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/inference/inference_model.h"

namespace mu {

struct AttackSuccess {
  double nonTargetPercent = 0;  // ASR: triggered images of the other classes taken for the target
  double allPercent = 0;        // the reference's attack_acc: every triggered test image
};

// Spread over the ranks like every evaluation; the same on every rank.
AttackSuccess attackSuccess(InferenceModel& model, const LoadedSplit& test,
                            const Poisoning& poisoning, Communicator& comm,
                            int64_t batchSize = 512);

}  // namespace mu
