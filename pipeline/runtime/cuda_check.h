#pragma once
// CUDA runtime calls report failures as return codes; checkCuda turns a failed one into a
// mu::SystemError naming the call and carrying CUDA's own description (like checkMpi for MPI).

#include <cuda_runtime_api.h>

namespace mu {

// Throws SystemError("<call> failed: <CUDA error name>: <description>") unless `code` is
// cudaSuccess.
void checkCuda(cudaError_t code, const char* call);

}  // namespace mu
