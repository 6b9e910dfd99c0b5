#pragma once
// What the HDF5 library recorded about the call that just failed, read before any other HDF5
// call replaces it: the one-line detail our errors append to the name of the failing call.

#include <string>

namespace mu {

struct Hdf5Failure {
  // The description of the innermost error, where the failure began ("incorrect metadata
  // checksum after all read attempts", "truncated file: eof = ..."); empty when none is recorded.
  std::string detail;
  // The file could not be locked: the file system refuses locks, or another program holds one.
  bool lockRefused = false;
};

Hdf5Failure lastHdf5Failure();

}  // namespace mu
