// mu-prune: OMP, IMP (rounds of prune -> rewind -> retrain) and SynFlow on any number of MPI
// ranks, resumable at the round and epoch where it stopped. See README "Pruning".

#include <torch/torch.h>

#include <cstdio>
#include <thread>

#include "pipeline/command_line.h"
#include "pipeline/pruning/prune_rounds.h"
#include "pipeline/stage_main.h"
#include "pipeline/training/stop_signal.h"

namespace {

constexpr const char* kUsage =
    "usage: mpirun -np N mu-prune --from TRAIN_RUN --data DIR --run-dir DIR [options]\n\n"
    "Prunes the model of a mu-train run (global, over all convolution weights) in --rounds\n"
    "rounds of --rate each; every round rewinds (--rewind) and retrains under the mask with the\n"
    "training options. OMP: --rate 0.95 --rounds 1. IMP: --rate 0.2 --rounds T.\n"
    "Writes <run-dir>/round-<r>/{pruned.h5,best.h5,last.h5,results.json,...} and\n"
    "<run-dir>/results.json. Rerun the same command to resume; SIGTERM/SIGUSR1 checkpoint and\n"
    "exit 75.";

}  // namespace

int main(int argc, char** argv) {
  return mu::runStage("mu-prune", argc, argv, [&](mu::MpiRuntime& runtime, mu::Communicator& comm) {
    mu::TrainConfig train;
    mu::PruneConfig prune;
    mu::OptionTable table;
    train.registerOptions(table);
    prune.registerOptions(table);
    mu::po::variables_map values;
    if (!mu::parseCommandLine(argc, argv, table.description("mu-prune options"), values, kUsage)) {
      return static_cast<int>(mu::kExitOk);
    }
    train.validate(comm.size());
    prune.validate(values.count("rate") > 0 && !values["rate"].defaulted());
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(train.threads > 0 ? static_cast<int>(train.threads)
                                             : std::max(1, cores / runtime.localSize()));
    mu::installStopSignalHandlers();

    const mu::PruneOutcome outcome = mu::runPruneRounds(prune, train, table, comm);
    if (comm.rank() == 0) {
      if (outcome.stopped) {
        std::printf("mu-prune: stopped by signal after a checkpoint; rerun to resume\n");
      } else {
        for (const mu::RoundSummary& round : outcome.rounds) {
          std::printf("mu-prune: round %lld: %lld of %lld weights remain (%.2f%%), test %.2f%%\n",
                      static_cast<long long>(round.round), static_cast<long long>(round.remaining),
                      static_cast<long long>(round.total),
                      100.0 * static_cast<double>(round.remaining) /
                          static_cast<double>(std::max<int64_t>(1, round.total)),
                      round.testAccuracy);
        }
        std::printf("mu-prune: done: %zu round(s) at %.4f of the remaining weights each\n",
                    outcome.rounds.size(), outcome.rate);
      }
      std::fflush(stdout);
    }
    return static_cast<int>(outcome.stopped ? mu::kExitPreempted : mu::kExitOk);
  });
}
