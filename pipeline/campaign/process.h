#pragma once
// Runs a program without a shell (arguments go to execvp as they are, so nothing in them is
// interpreted) and captures its standard output. Several may run at once: start them all, then
// finish each (the campaign asks its stage programs for their descriptions side by side).

#include <string>
#include <vector>

namespace mu::campaign {

struct ProcessResult {
  int exitCode = -1;   // 127: could not be started
  std::string output;  // standard output (standard error passes through)
};

struct StartedProgram {
  long pid = -1;
  int output = -1;  // read end of the pipe on its standard output
};

StartedProgram startProgram(const std::vector<std::string>& argv);
// Reads its output to the end and waits for it.
ProcessResult finishProgram(const StartedProgram& program);
// startProgram, then finishProgram.
ProcessResult captureProgram(const std::vector<std::string>& argv);

}  // namespace mu::campaign
