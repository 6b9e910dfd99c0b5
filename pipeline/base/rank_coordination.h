#pragma once
// How the ranks of a stage share its run folder: every rank checks what is already there (they
// read the same files, so they fail together), one rank writes, and all wait for each other
// around the write. Kept free of MPI and LibTorch so that the modules that only name and check
// files need neither; distributed/communicator.h makes one from a Communicator.

#include <functional>

namespace mu {

struct RankCoordination {
  bool writer = true;                     // this rank writes the shared files (rank 0)
  std::function<void()> barrier = [] {};  // returns when every rank has called it
};

}  // namespace mu
