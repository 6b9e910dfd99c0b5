#pragma once
// MPI reports failures as return codes where the communicator's error handler is
// MPI_ERRORS_RETURN (MpiCommunicator sets it on its own communicator; on MPI_COMM_WORLD the
// default handler aborts the whole job instead). checkMpi turns a failed code into a
// mu::SystemError that names the call and carries MPI's own description, so the one line a user
// reads says which call failed and why.

namespace mu {

// Throws SystemError("<call> failed: <MPI error string>") unless `code` is MPI_SUCCESS.
void checkMpi(int code, const char* call);

// Whether MPI calls may be made now: MPI_Init has run and MPI_Finalize has not.
bool mpiIsActive();

}  // namespace mu
