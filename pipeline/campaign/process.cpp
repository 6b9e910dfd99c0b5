#include "pipeline/campaign/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "pipeline/base/error.h"

namespace mu::campaign {

StartedProgram startProgram(const std::vector<std::string>& argv) {
  int pipeEnds[2];
  if (::pipe(pipeEnds) != 0) throw SystemError("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork failed");
  if (pid == 0) {
    ::dup2(pipeEnds[1], 1);
    ::close(pipeEnds[0]);
    ::close(pipeEnds[1]);
    std::vector<char*> words;
    for (const std::string& word : argv) words.push_back(const_cast<char*>(word.c_str()));
    words.push_back(nullptr);
    ::execvp(words[0], words.data());
    ::_exit(127);
  }
  ::close(pipeEnds[1]);
  return {static_cast<long>(pid), pipeEnds[0]};
}

ProcessResult finishProgram(const StartedProgram& program) {
  ProcessResult result;
  std::array<char, 4096> buffer{};
  ssize_t count = 0;
  while ((count = ::read(program.output, buffer.data(), buffer.size())) > 0) {
    result.output.append(buffer.data(), static_cast<size_t>(count));
  }
  ::close(program.output);
  int status = 0;
  ::waitpid(static_cast<pid_t>(program.pid), &status, 0);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

ProcessResult captureProgram(const std::vector<std::string>& argv) {
  return finishProgram(startProgram(argv));
}

}  // namespace mu::campaign
