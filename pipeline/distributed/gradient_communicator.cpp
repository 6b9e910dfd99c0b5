#include "pipeline/distributed/gradient_communicator.h"

#include "pipeline/base/error.h"
#ifdef MU_HAVE_TORCH_CUDA
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/distributed/nccl_communicator.h"
#endif

namespace mu {

std::unique_ptr<Communicator> makeDeviceCommunicator(Communicator& host, torch::Device device,
                                                     const std::string& compression) {
  if (compression != "none" && compression != "bf16") {
    throw InputError("--grad-compression", "value",
                     "expected none or bf16, got '" + compression + "'");
  }
  if (device.is_cpu()) {
    if (compression != "none") {
      throw InputError("--grad-compression", "value",
                       "bf16 gradient compression needs --device cuda (NCCL)");
    }
    return nullptr;
  }
#ifdef MU_HAVE_TORCH_CUDA
  auto* mpi = dynamic_cast<MpiCommunicator*>(&host);
  if (mpi == nullptr) {
    throw SystemError("NCCL needs the MPI communicator to share its unique id, got " +
                      host.backendName());
  }
  return std::make_unique<NcclCommunicator>(
      *mpi, device,
      compression == "bf16" ? GradientCompression::kBFloat16 : GradientCompression::kNone);
#else
  (void)host;
  throw SystemError("--device " + device.str() +
                    ": gradients on a GPU travel over NCCL, and this build has none (configure "
                    "with -DMU_WITH_CUDA=ON -DMU_WITH_NCCL=ON against a CUDA LibTorch)");
#endif
}

}  // namespace mu
