#pragma once
// The reference protocol (`mu-unlearn --protocol reference`, a campaign's "protocol": "reference"):
// where our defaults deliberately differ from the paper's code, the code's behaviour, so that
// its numbers can be reproduced (docs/reference-behaviour.md §12). Every rule is here:
//
//  1. D_r and D_f come from a train/validation split rebuilt with the unlearning seed, not the
//     original model's split seed (§3.3): ~10 % of them were never trained on.
//  2. The test set leaves the forgotten class out only where the reference's hard-coded counts
//     say so (§3.2): class-wise forgetting with n absent (the whole class) or n equal to 4 500
//     (CIFAR-10), 450 (CIFAR-100), 4 454 (SVHN) or 500 (TinyImageNet).
//  3. FF zeroes the classifier rows the reference zeroes (§6.5): the forgotten class's when
//     n = 4 500 on CIFAR-10 or 450 on CIFAR-100, the last class's (row -1) for random forgetting
//     of those sizes, and none on other datasets or sizes.
//  4. FF's and IU's statistics see the augmented training transform, each pass drawing its own
//     augmentations (§6.5, §6.7).
//  5. (Campaigns) one original model per campaign, trials varying only the unlearning seed.

#include <cstdint>
#include <vector>

#include "pipeline/data/forget_set.h"

namespace mu {

// Rule 2: whether TA leaves the forgotten classes out. `set.request.count` is the reference's n
// (0: absent).
bool referenceDropsForgottenClasses(const ForgetSet& set);

// Rule 3: the classifier rows FF sets to mean 0, variance 1e-4.
std::vector<int64_t> referenceFisherZeroedRows(const ForgetSet& set, int64_t numClasses);

}  // namespace mu
