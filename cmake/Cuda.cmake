# MU_WITH_CUDA / MU_WITH_NCCL: the CUDA toolkit (and NCCL) for the device code. Included before
# find_package(Torch): a CUDA LibTorch's own config checks the CUDA compiler against the toolkit,
# so the language must be on first. The torch-free device code (device selection, NCCL
# collectives) only needs the toolkit, so it builds even against a CPU-only LibTorch.
include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(FATAL_ERROR
          "MU_WITH_CUDA=ON but no CUDA compiler was found: put the toolkit's bin/ (nvcc) on PATH, "
          "or set CUDACXX / -DCMAKE_CUDA_COMPILER=/path/to/nvcc")
endif()
enable_language(CUDA)
find_package(CUDAToolkit REQUIRED)
message(STATUS "CUDA toolkit ${CUDAToolkit_VERSION} at ${CUDAToolkit_LIBRARY_ROOT}")

if(MU_WITH_NCCL)
  list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})
  find_package(NCCL REQUIRED)
  message(STATUS "NCCL ${NCCL_VERSION}: ${NCCL_LIBRARY}")
endif()
