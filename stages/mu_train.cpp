// mu-train: trains the original model (dense, or under masks when the prune stage asks) on any
// number of MPI ranks, resumable from its run folder. See README "Stages" and docs/SCHEMA.md.

#include <torch/torch.h>

#include <cstdio>
#include <thread>

#include "pipeline/command_line.h"
#include "pipeline/stage_main.h"
#include "pipeline/training/stop_signal.h"
#include "pipeline/training/train_session.h"

namespace {

constexpr const char* kUsage =
    "usage: mpirun -np N mu-train --data DIR --run-dir DIR [options]\n\n"
    "Trains --arch on the dataset's training split (validation split by --split-seed) and keeps\n"
    "<run-dir>/{config.json,init.h5,rewind.h5,best.h5,last.h5,metrics.jsonl,results.json}.\n"
    "Run the same command again to resume; a finished run exits 0 at once. SIGTERM/SIGUSR1 make\n"
    "every rank checkpoint at the next step and exit with code 75 (requeue).";

}  // namespace

int main(int argc, char** argv) {
  return mu::runStage("mu-train", argc, argv, [&](mu::MpiRuntime& runtime, mu::Communicator& comm) {
    mu::TrainConfig config;
    mu::OptionTable table;
    config.registerOptions(table);
    mu::po::variables_map values;
    if (!mu::parseCommandLine(argc, argv, table.description("mu-train options"), values, kUsage)) {
      return static_cast<int>(mu::kExitOk);
    }
    config.validate(comm.size());
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(config.threads > 0 ? static_cast<int>(config.threads)
                                              : std::max(1, cores / runtime.localSize()));
    mu::installStopSignalHandlers();

    mu::TrainSession session(config, table, comm);
    const mu::TrainOutcome outcome = session.run();
    if (comm.rank() == 0) {
      if (outcome.alreadyComplete) {
        std::printf("mu-train: %s is complete (test accuracy %.2f%%); nothing to do\n",
                    config.runDir.c_str(), outcome.testAccuracy);
      } else if (outcome.stopped) {
        std::printf(
            "mu-train: stopped by signal after a checkpoint at epoch %lld; rerun to resume\n",
            static_cast<long long>(outcome.epochsDone + 1));
      } else {
        std::printf(
            "mu-train: done: %lld epochs, best val %.2f%% (epoch %lld), test %.2f%%, %.0f img/s, "
            "%.1f s on %d rank(s)\n",
            static_cast<long long>(outcome.epochsDone), outcome.bestValAccuracy,
            static_cast<long long>(outcome.bestEpoch), outcome.testAccuracy,
            outcome.imagesPerSecond, outcome.trainSeconds, comm.size());
      }
      std::fflush(stdout);
    }
    return static_cast<int>(outcome.stopped ? mu::kExitPreempted : mu::kExitOk);
  });
}
