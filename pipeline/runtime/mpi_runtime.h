#pragma once
// The MPI lifetime of one stage program: MPI_Init_thread on construction, MPI_Finalize on
// destruction, and where this process sits (world rank and size, and the node-local rank that
// picks its device). abortAll() is the way out on error: an exception on one rank must not leave
// the others waiting forever inside a collective, so the whole job is torn down.

#include <mpi.h>

#include <string>

namespace mu {

class MpiRuntime {
 public:
  // Initialises MPI with MPI_THREAD_FUNNELED: LibTorch runs its own worker threads, but only the
  // main thread calls MPI. If MPI is already initialised (a test main did it), it is used as it
  // is and left for its owner to finalise. Throws SystemError if MPI cannot give FUNNELED.
  MpiRuntime(int& argc, char**& argv);
  ~MpiRuntime();
  MpiRuntime(const MpiRuntime&) = delete;
  MpiRuntime& operator=(const MpiRuntime&) = delete;

  MPI_Comm world() const { return MPI_COMM_WORLD; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Rank and rank count among the processes that share this node's memory (MPI_COMM_TYPE_SHARED
  // split): local rank r drives device r of its node.
  int localRank() const { return localRank_; }
  int localSize() const { return localSize_; }
  // Waits for every rank (MPI_Barrier on the world).
  void barrier() const;

  // Prints "rank r: error: <message>" on stderr and calls MPI_Abort on MPI_COMM_WORLD, which
  // kills every rank of the job. Without MPI (not initialised, or already finalised) it prints
  // "error: <message>" and exits. Never returns.
  [[noreturn]] static void abortAll(const std::string& message, int exitCode = 1);

 private:
  bool ownsMpi_ = false;
  int rank_ = 0;
  int size_ = 1;
  int localRank_ = 0;
  int localSize_ = 1;
};

}  // namespace mu
