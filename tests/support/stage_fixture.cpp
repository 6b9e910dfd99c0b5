#include "tests/support/stage_fixture.h"

#include <gtest/gtest.h>

#include <fstream>
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

}  // namespace mu::test
