# The GPU build's programs. gpu_info needs only the toolkit and NCCL (no CUDA LibTorch), so CI
# links it; bench_gpu_train needs a CUDA LibTorch (bench/gpu_check.sh runs both).
if(MU_WITH_NCCL)
  add_executable(gpu_info gpu_info.cpp)
  target_link_libraries(gpu_info PRIVATE mu_nccl)
  mu_enable_warnings(gpu_info)
endif()
if(MU_BUILD_TORCH_CUDA)
  mu_add_bench(bench_gpu_train TORCH)
endif()
