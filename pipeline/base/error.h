#pragma once
// Errors the stages report to users. Bad input always names the file, the field and what was
// expected, so the one line a user reads is enough to fix the problem.

#include <stdexcept>
#include <string>

namespace mu {

// Invalid user input: a source file, a shard, a checkpoint, an option value.
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, const std::string& field, const std::string& expectation);
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// The check every stage's option validation makes: InputError("--<option>", "value",
// expectation) unless `ok`.
void requireOption(bool ok, const std::string& option, const std::string& expectation);

// A run whose numbers stopped being finite: a NaN or infinite training loss, or a model about to
// be saved with such values. It stops without writing them, so the last checkpoint on disk is the
// last good state (exit code kExitDiverged).
class DivergedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A library call that failed (HDF5, MPI, the file system); names the call and where it was made.
class SystemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mu
