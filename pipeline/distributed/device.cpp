#include "pipeline/distributed/device.h"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "pipeline/base/error.h"
#ifdef MU_WITH_CUDA
#include "pipeline/runtime/device_selection.h"
#endif

namespace mu {
namespace {

// LibTorch 2.4 replaced the CUDA-only autocast calls with per-device ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cudaAutocastEnabled() {
  return at::autocast::is_autocast_enabled(at::kCUDA);
}
torch::ScalarType cudaAutocastType() {
  return at::autocast::get_autocast_dtype(at::kCUDA);
}
void setCudaAutocast(bool enabled, torch::ScalarType type) {
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
  at::autocast::set_autocast_dtype(at::kCUDA, type);
}
#else
bool cudaAutocastEnabled() {
  return at::autocast::is_enabled();
}
torch::ScalarType cudaAutocastType() {
  return at::autocast::get_autocast_gpu_dtype();
}
void setCudaAutocast(bool enabled, torch::ScalarType type) {
  at::autocast::set_enabled(enabled);
  at::autocast::set_autocast_gpu_dtype(type);
}
#endif

bool isChannelsLastOnly(const torch::Tensor& tensor) {
  return tensor.dim() == 4 && !tensor.is_contiguous() &&
         tensor.is_contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace

torch::Device resolveDevice(const std::string& choice, MPI_Comm comm) {
  if (choice == "cpu") return torch::kCPU;
  if (choice != "cuda") {
    throw InputError("--device", "value", "expected cpu or cuda, got '" + choice + "'");
  }
#ifdef MU_WITH_CUDA
  const int device = selectCudaDevice(nodeLocalRank(comm));
  if (!torch::cuda::is_available()) {
    throw SystemError(
        "--device cuda: the CUDA runtime sees a GPU but this LibTorch has no CUDA (build with "
        "-DCMAKE_PREFIX_PATH pointing at a CUDA LibTorch)");
  }
  return {torch::kCUDA, static_cast<torch::DeviceIndex>(device)};
#else
  (void)comm;
  throw SystemError(
      "--device cuda: this build has no CUDA (configure with -DMU_WITH_CUDA=ON against a CUDA "
      "LibTorch)");
#endif
}

void placeModel(torch::nn::Module& model, torch::Device device, bool channelsLast) {
  model.to(device);
  if (!channelsLast) return;
  torch::NoGradGuard noGrad;
  for (torch::Tensor& parameter : model.parameters()) {
    if (parameter.dim() == 4) {
      parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
    }
  }
}

bool usesChannelsLast(torch::nn::Module& model) {
  for (const torch::Tensor& parameter : model.parameters()) {
    if (isChannelsLastOnly(parameter)) return true;
  }
  return false;
}

void setCudnnBenchmark(bool enabled) {
  at::globalContext().setBenchmarkCuDNN(enabled);
}

AutocastScope::AutocastScope(AutocastOptions options) : enabled_(options.enabled) {
  if (!enabled_) return;
  wasEnabled_ = cudaAutocastEnabled();
  previousType_ = cudaAutocastType();
  at::autocast::increment_nesting();
  setCudaAutocast(true, torch::kBFloat16);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  setCudaAutocast(wasEnabled_, previousType_);
  // As torch.autocast does: the cast weights cached for this pass go when the outermost ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
}

}  // namespace mu
