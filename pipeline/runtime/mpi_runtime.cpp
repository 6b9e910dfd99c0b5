#include "pipeline/runtime/mpi_runtime.h"

#include <cstdio>
#include <cstdlib>

#include "pipeline/base/error.h"
#include "pipeline/runtime/mpi_check.h"

namespace mu {

MpiRuntime::MpiRuntime(int& argc, char**& argv) {
  if (!mpiIsActive()) {
    int provided = MPI_THREAD_SINGLE;
    checkMpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    ownsMpi_ = true;
    if (provided < MPI_THREAD_FUNNELED) {
      MPI_Finalize();
      ownsMpi_ = false;
      throw SystemError("MPI_Init_thread: the MPI library does not support MPI_THREAD_FUNNELED");
    }
  }
  checkMpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  checkMpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");

  MPI_Comm node = MPI_COMM_NULL;
  checkMpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
           "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)");
  checkMpi(MPI_Comm_rank(node, &localRank_), "MPI_Comm_rank(node)");
  checkMpi(MPI_Comm_size(node, &localSize_), "MPI_Comm_size(node)");
  checkMpi(MPI_Comm_free(&node), "MPI_Comm_free(node)");
}

void MpiRuntime::barrier() const {
  checkMpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

MpiRuntime::~MpiRuntime() {
  if (ownsMpi_ && mpiIsActive()) MPI_Finalize();
}

void MpiRuntime::abortAll(const std::string& message, int exitCode) {
  if (!mpiIsActive()) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    std::fflush(stderr);
    std::exit(exitCode);
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::fprintf(stderr, "rank %d: error: %s\n", rank, message.c_str());
  std::fflush(stderr);
  std::fflush(stdout);
  MPI_Abort(MPI_COMM_WORLD, exitCode);
  // MPI_Abort should not return; if an implementation does, still do not carry on.
  std::exit(exitCode);
}

}  // namespace mu
