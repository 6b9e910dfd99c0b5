#include "pipeline/runtime/cuda_check.h"

#include <string>

#include "pipeline/base/error.h"

namespace mu {

void checkCuda(cudaError_t code, const char* call) {
  if (code == cudaSuccess) return;
  throw SystemError(std::string(call) + " failed: " + cudaGetErrorName(code) + ": " +
                    cudaGetErrorString(code));
}

}  // namespace mu
