#pragma once
// What the end-to-end tests of the stage programs share: the real Fashion-MNIST converted once per
// test binary, mpirun as root, and reading or comparing the tensors of checkpoint files.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mu::test {

// Fashion-MNIST from Debian's dataset-fashion-mnist, converted by mu-data once per binary.
const std::string& fashionMnistDir();

// mpirun as root, oversubscribed (this machine has two cores), followed by a space.
inline constexpr const char* kMpirun =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe ";

// Every float tensor under `group` of a checkpoint, by name.
std::map<std::string, std::vector<float>> readTensors(const std::string& path,
                                                      const std::string& group);

nlohmann::json readJson(const std::string& path);

// GoogleTest expectations that both checkpoints hold bit-identical tensors in each group.
void expectSameTensors(const std::string& a, const std::string& b,
                       const std::vector<std::string>& groups);

// Runs `command` in the background, waits until `waitForFile` exists, sends `signal` and returns
// the command's exit code (137 for KILL).
int interruptCommand(const std::string& command, const std::string& waitForFile,
                     const std::string& signal);

// What killOneRank saw. `killed` is false when the job ended before the kill could be made.
struct LostRankRun {
  bool killed = false;
  int exitCode = -1;           // the job's (mpirun's)
  double secondsToEnd = -1.0;  // from the kill to the job's end; 120 or more: it hung
  std::string output;          // stdout and stderr of the job
};

// Runs `mpirunCommand` (an mpirun of several ranks) in the background; once world rank `rank` is
// running and `waitForFile` exists (when empty: as soon as the rank runs), waits `delaySeconds`,
// kills that one process with SIGKILL and waits for the job to end. A job still running 120 s
// after the kill is killed (with its ranks) and reported as such, so a hang fails a test instead
// of stalling it.
LostRankRun killOneRank(const std::string& mpirunCommand, int rank, const std::string& waitForFile,
                        double delaySeconds = 0.0);

}  // namespace mu::test
