# The LibTorch CUDA glue (NcclCommunicator, the CUDA step graph, the device communicator factory,
# the GPU benchmark and GPU tests) only links against a CUDA LibTorch, which CI does not have. So that it cannot rot
# there, a CUDA build against a CPU-only LibTorch that still ships LibTorch's CUDA headers
# (Debian's does) compiles those sources, without linking them, in the object library
# mu_torch_cuda_compile_check. bench/gpu_check.sh builds and runs them for real on a GPU.
find_path(MU_TORCH_CUDA_HEADERS c10/cuda/CUDAStream.h PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
if(NOT MU_TORCH_CUDA_HEADERS)
  message(STATUS "LibTorch ships no CUDA headers: the LibTorch CUDA glue is not compile-checked")
  return()
endif()

# The glue itself, and the sources with MU_HAVE_TORCH_CUDA branches.
add_library(mu_torch_cuda_compile_check OBJECT
            ${PROJECT_SOURCE_DIR}/pipeline/distributed/nccl_communicator.cpp
            ${PROJECT_SOURCE_DIR}/pipeline/training/cuda_step_graph.cpp
            ${PROJECT_SOURCE_DIR}/pipeline/distributed/gradient_communicator.cpp
            ${PROJECT_SOURCE_DIR}/pipeline/training/training_loop.cpp
            ${PROJECT_SOURCE_DIR}/bench/bench_gpu_train.cpp)
target_link_libraries(mu_torch_cuda_compile_check PRIVATE mu_training mu_runtime)
target_compile_definitions(mu_torch_cuda_compile_check PRIVATE MU_HAVE_TORCH_CUDA=1)
find_package(GTest QUIET)
if(TARGET GTest::gtest)
  target_sources(mu_torch_cuda_compile_check PRIVATE ${PROJECT_SOURCE_DIR}/tests/distributed/gpu_test.cpp)
  target_link_libraries(mu_torch_cuda_compile_check PRIVATE GTest::gtest)
endif()
# A CUDA LibTorch generates c10/cuda/impl/cuda_cmake_macros.h at its build; a CPU one may lack it.
find_path(MU_TORCH_CUDA_MACROS c10/cuda/impl/cuda_cmake_macros.h PATHS ${TORCH_INCLUDE_DIRS}
          NO_DEFAULT_PATH)
if(NOT MU_TORCH_CUDA_MACROS)
  set(shim ${CMAKE_BINARY_DIR}/torch-cuda-shim)
  file(WRITE ${shim}/c10/cuda/impl/cuda_cmake_macros.h "#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n")
  target_include_directories(mu_torch_cuda_compile_check SYSTEM PRIVATE ${shim})
endif()
mu_enable_warnings(mu_torch_cuda_compile_check)
message(STATUS "LibTorch CUDA glue: compile-checked (target mu_torch_cuda_compile_check)")
