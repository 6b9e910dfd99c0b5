#pragma once
// Which GPU a rank drives: one rank per GPU, each taking the GPU of its node-local rank. Torch-free
// (CUDA runtime only), so it builds against the toolkit even where LibTorch has no CUDA.

#include <mpi.h>

#include <string>

namespace mu {

// This process's rank among the processes of `comm` on the same node. With MPI initialised it is
// the rank in the MPI_COMM_TYPE_SHARED split of `comm` (right under mpirun and srun alike);
// without MPI, SLURM_LOCALID when set (srun without MPI), else 0.
int nodeLocalRank(MPI_Comm comm);

// Devices the CUDA runtime sees (after CUDA_VISIBLE_DEVICES); 0 when there is no driver or no
// device, which is not an error here.
int cudaDeviceCount();

// Makes device `localRank % count` current for this thread (cudaSetDevice) and returns its index.
// A Slurm job with --gpus-per-task shows each rank one device, so every rank takes device 0 of
// its own. Throws SystemError naming the cause (no driver, no device, CUDA_VISIBLE_DEVICES)
// when there is no GPU to take.
int selectCudaDevice(int localRank);

// "NVIDIA H200 (sm_90, 139.8 GiB)": what a log line or a benchmark summary says about a device.
std::string cudaDeviceDescription(int device);

}  // namespace mu
