#pragma once
// The thin main() of every MPI stage program: start MPI, run the stage body on every rank, and
// turn an exception on any rank into one clear line and an exit code. With several ranks a failing
// rank ends the whole job (MPI_Abort), so no rank is left waiting in a collective.

#include <functional>
#include <string>

#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/mpi_runtime.h"

namespace mu {

using StageBody = std::function<int(MpiRuntime& runtime, Communicator& comm)>;

int runStage(const std::string& program, int argc, char** argv, const StageBody& body);

}  // namespace mu
