#pragma once
// Precompiled header for every target that uses LibTorch: parsing torch/torch.h costs tens of
// seconds per translation unit on two cores, so it is parsed once per build.
#include <torch/torch.h>
