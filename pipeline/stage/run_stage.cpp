#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "pipeline/base/error.h"
#include "pipeline/base/exit_code.h"
#include "pipeline/base/stop_signal.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/runtime/every_rank.h"
#include "pipeline/runtime/mpi_runtime.h"
#include "pipeline/stage/stage.h"

namespace mu {
namespace {

// --threads 0: the node's cores shared out among the ranks on it.
int threadsPerRank(int64_t threads, const MpiRuntime& runtime) {
  if (threads > 0) return static_cast<int>(threads);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / runtime.localSize());
}

}  // namespace

int runStage(Stage& stage, int argc, char** argv) {
  const ProgramText text = stage.text();
  OptionTable table;
  stage.registerOptions(table);
  int64_t threads = 0;
  table.add("threads", &threads, "LibTorch threads per rank (0: the node's cores / local ranks)",
            OptionTable::Effect::kOperational);
  // Help and descriptions need no MPI (mu-campaign asks for them while it checks a spec).
  if (asksForDescription(argc, argv)) {
    return runProgram(text.program, [&] {
      parseCommandLine(argc, argv, table, text);
      return static_cast<int>(kExitOk);
    });
  }

  std::unique_ptr<MpiRuntime> runtime;
  try {
    runtime = std::make_unique<MpiRuntime>(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: error: cannot start MPI: %s\n", text.program.c_str(), error.what());
    return kExitFailure;
  }
  return runOnEveryRank(*runtime, text.program, [&] {
    MpiCommunicator comm(runtime->world());
    const ParsedCommandLine parsed = parseCommandLine(argc, argv, table, text);
    requireOption(threads >= 0, "threads", "expected >= 0");
    stage.validate(parsed, comm.size());
    torch::set_num_threads(threadsPerRank(threads, *runtime));
    installStopSignalHandlers();

    const StageStatus status = stage.run(comm, table);
    if (comm.rank() == 0) {
      // One line per line of the summary, each naming the program.
      const std::string summary = stage.summary();
      for (size_t start = 0; start < summary.size();) {
        const size_t end = std::min(summary.find('\n', start), summary.size());
        std::printf("%s: %s\n", text.program.c_str(), summary.substr(start, end - start).c_str());
        start = end + 1;
      }
      std::fflush(stdout);
    }
    return static_cast<int>(status == StageStatus::kStopped ? kExitPreempted : kExitOk);
  });
}

}  // namespace mu
