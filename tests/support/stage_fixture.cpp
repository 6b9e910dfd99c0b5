#include "tests/support/stage_fixture.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pipeline/io/hdf5_file.h"
#include "tests/support/test_support.h"

namespace mu::test {

const std::string& fashionMnistDir() {
  static ScratchDir dir("fashion-mnist-data");
  static const std::string data = [] {
    const std::string out = dir.file("fashion-mnist");
    const CommandResult run =
        runCommand(programPath("mu-data") + " convert --format fashion-mnist --out " + out);
    if (run.exitCode != 0) throw std::runtime_error("mu-data failed: " + run.output);
    return out;
  }();
  return data;
}

std::map<std::string, std::vector<float>> readTensors(const std::string& path,
                                                      const std::string& group) {
  const Hdf5File file = Hdf5File::openReadOnly(path);
  std::map<std::string, std::vector<float>> tensors;
  for (const std::string& name : file.listGroup(group)) {
    tensors[name] = file.readVector<float>(group + "/" + name);
  }
  return tensors;
}

nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

void expectSameTensors(const std::string& a, const std::string& b,
                       const std::vector<std::string>& groups) {
  for (const std::string& group : groups) {
    const auto first = readTensors(a, group);
    const auto second = readTensors(b, group);
    ASSERT_EQ(first.size(), second.size()) << group;
    ASSERT_FALSE(first.empty()) << group;
    for (const auto& [name, values] : first) {
      EXPECT_EQ(values, second.at(name)) << group << "/" << name << " differs";
    }
  }
}

int interruptCommand(const std::string& command, const std::string& waitForFile,
                     const std::string& signal) {
  const std::string script = "(" + command + ") & pid=$!; while [ ! -e " + waitForFile +
                             " ]; do sleep 0.02; done; kill -" + signal + " $pid; wait $pid";
  return runCommand("bash -c '" + script + "'").exitCode;
}

LostRankRun killOneRank(const std::string& mpirunCommand, int rank, const std::string& waitForFile,
                        double delaySeconds) {
  // The ranks are mpirun's children; each one's world rank is in its environment.
  const std::string waitMore = waitForFile.empty() ? "" : " || [ ! -e " + waitForFile + " ]";
  const std::string script =
      mpirunCommand +
      " & job=$!; target=; "
      "while [ -z \"$target\" ]" +
      waitMore +
      "; do "
      "  kill -0 $job 2>/dev/null || break; "
      "  for p in $(pgrep -P $job); do "
      "    grep -qxz OMPI_COMM_WORLD_RANK=" +
      std::to_string(rank) +
      " /proc/$p/environ 2>/dev/null && target=$p; "
      "  done; sleep 0.05; "
      "done; "
      "if ! kill -0 $job 2>/dev/null || [ -z \"$target\" ]; then "
      "  wait $job; echo \"MU-LOST-RANK not-killed $?\"; exit 0; "
      "fi; "
      "sleep " +
      std::to_string(delaySeconds) +
      "; kill -KILL $target; start=$(date +%s%N); "
      "while kill -0 $job 2>/dev/null && [ $(($(date +%s%N) - start)) -lt 120000000000 ]; do "
      "  sleep 0.1; "
      "done; "
      "if kill -0 $job 2>/dev/null; then pkill -KILL -P $job; kill -KILL $job; fi; "
      "wait $job; code=$?; "
      "echo \"MU-LOST-RANK killed $code $((($(date +%s%N) - start) / 1000000))\"";
  const CommandResult result = runCommand("bash -c '" + script + "'");
  LostRankRun run;
  const size_t marker = result.output.rfind("MU-LOST-RANK ");
  if (marker == std::string::npos) {
    run.output = result.output;
    return run;
  }
  run.output = result.output.substr(0, marker);
  std::istringstream fields(result.output.substr(marker + 13));
  std::string what;
  fields >> what >> run.exitCode;
  run.killed = what == "killed";
  long long milliseconds = -1;
  if (run.killed && fields >> milliseconds) run.secondsToEnd = milliseconds / 1000.0;
  return run;
}

}  // namespace mu::test
