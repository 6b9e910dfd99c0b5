# Whether the LibTorch that find_package(Torch) found was built with CUDA (MU_HAVE_TORCH_CUDA):
# the code that hands LibTorch's CUDA tensors and streams to NCCL needs one. Debian's libtorch-dev
# is CPU-only; a cluster's LibTorch or a PyTorch install (torch.utils.cmake_prefix_path) has CUDA.
set(MU_HAVE_TORCH_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(MU_HAVE_TORCH_CUDA ON)
endif()
if(MU_WITH_CUDA AND NOT MU_HAVE_TORCH_CUDA)
  message(STATUS
          "MU_WITH_CUDA=ON with a CPU-only LibTorch (${Torch_DIR}): building the torch-free device "
          "code (device selection, NCCL collectives, gpu-info) and skipping the CUDA tensor code "
          "(NcclCommunicator, --device cuda): point CMAKE_PREFIX_PATH at a CUDA LibTorch for it")
elseif(MU_HAVE_TORCH_CUDA AND NOT MU_WITH_CUDA)
  message(STATUS "LibTorch has CUDA; -DMU_WITH_CUDA=ON -DMU_WITH_NCCL=ON add the NCCL communicator")
endif()

# The LibTorch CUDA glue (NcclCommunicator, the GPU benchmark) builds when both are there.
set(MU_BUILD_TORCH_CUDA OFF)
if(MU_WITH_NCCL AND MU_HAVE_TORCH_CUDA)
  set(MU_BUILD_TORCH_CUDA ON)
endif()
