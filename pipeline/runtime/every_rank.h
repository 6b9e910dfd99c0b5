#pragma once
// Work that every rank of an MPI job does together (a stage, a parallel conversion) must not
// leave ranks waiting forever when one of them fails: runOnEveryRank turns an exception on any
// rank into one "program: error: ..." line and, with several ranks, MPI_Abort of the whole job
// with the exit code of the error's kind (2 bad input, 3 diverged, 1 anything else).

#include <functional>
#include <string>

#include "pipeline/runtime/mpi_runtime.h"

namespace mu {

int runOnEveryRank(const MpiRuntime& runtime, const std::string& program,
                   const std::function<int()>& body);

}  // namespace mu
