#include "pipeline/stage_main.h"

#include <cstdio>
#include <memory>

#include "pipeline/command_line.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/error.h"

namespace mu {
namespace {

int fail(const MpiRuntime& runtime, const std::string& program, const std::string& message,
         int exitCode) {
  if (runtime.size() > 1) MpiRuntime::abortAll(program + ": " + message, exitCode);
  std::fprintf(stderr, "%s: error: %s\n", program.c_str(), message.c_str());
  return exitCode;
}

}  // namespace

int runStage(const std::string& program, int argc, char** argv, const StageBody& body) {
  std::unique_ptr<MpiRuntime> runtime;
  try {
    runtime = std::make_unique<MpiRuntime>(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: error: cannot start MPI: %s\n", program.c_str(), error.what());
    return kExitFailure;
  }
  try {
    MpiCommunicator comm(runtime->world());
    return body(*runtime, comm);
  } catch (const InputError& error) {
    return fail(*runtime, program, error.what(), kExitBadInput);
  } catch (const std::exception& error) {
    return fail(*runtime, program, error.what(), kExitFailure);
  }
}

}  // namespace mu
