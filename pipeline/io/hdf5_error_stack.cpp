#include "pipeline/io/hdf5_error_stack.h"

#include <hdf5.h>

namespace mu {
namespace {

herr_t recordError(unsigned position, const H5E_error2_t* error, void* data) {
  auto* failure = static_cast<Hdf5Failure*>(data);
  // Walked upward, position 0 is the innermost error: where the library found the problem.
  if (position == 0 && error->desc) failure->detail = error->desc;
#ifdef H5E_CANTLOCKFILE  // HDF5 1.8 takes no locks
  if (error->min_num == H5E_CANTLOCKFILE) failure->lockRefused = true;
#endif
  return 0;
}

}  // namespace

Hdf5Failure lastHdf5Failure() {
  Hdf5Failure failure;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, recordError, &failure);
  return failure;
}

}  // namespace mu
