# The GPU path: overlapped bucket sums (also on the CPU, so CI checks the hook logic), and on a
# GPU the NCCL communicator against MPI, CUDA against CPU training, masks on the GPU. Tests that
# need a GPU skip with a message where there is none (CI), so they pass there.
mu_add_gtest(gpu_test TORCH OWN_MAIN)
mu_add_mpi_gtest(gpu_test 2)
