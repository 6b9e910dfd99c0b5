#include "pipeline/runtime/mpi_check.h"

#include <mpi.h>

#include <string>

#include "pipeline/base/error.h"

namespace mu {

void checkMpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  // MPI_Error_string is valid even after a failed call; if it fails too, the code still tells.
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  const std::string description =
      length > 0 ? std::string(text, static_cast<size_t>(length)) : "MPI error code";
  throw SystemError(std::string(call) + " failed: " + description + " (code " +
                    std::to_string(code) + ")");
}

bool mpiIsActive() {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

}  // namespace mu
