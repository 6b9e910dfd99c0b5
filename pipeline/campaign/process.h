#pragma once
// Runs a program without a shell (arguments go to execvp as they are, so nothing in them is
// interpreted) and captures its standard output.

#include <string>
#include <vector>

namespace mu::campaign {

struct ProcessResult {
  int exitCode = -1;   // 127: could not be started
  std::string output;  // standard output (standard error passes through)
};

ProcessResult runProgram(const std::vector<std::string>& argv);

}  // namespace mu::campaign
