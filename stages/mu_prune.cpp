// mu-prune: OMP, IMP (rounds of prune -> rewind -> retrain) and SynFlow on any number of MPI
// ranks, resumable at the round and epoch where it stopped. See README "Pruning".

#include <algorithm>
#include <cstdio>

#include "pipeline/pruning/prune_rounds.h"
#include "pipeline/stage/stage.h"

namespace {

class PruneStage final : public mu::Stage {
 public:
  mu::ProgramText text() const override {
    return {"mu-prune",
            "usage: mpirun -np N mu-prune --from TRAIN_RUN --data DIR --run-dir DIR [options]\n\n"
            "Prunes the model of a mu-train run (global, over all convolution weights) in "
            "--rounds\nrounds of --rate each; every round rewinds (--rewind) and retrains under "
            "the mask with the\ntraining options. OMP: --rate 0.95 --rounds 1. IMP: --rate 0.2 "
            "--rounds T.\nWrites <run-dir>/round-<r>/{pruned.h5,best.h5,last.h5,results.json,...} "
            "and\n<run-dir>/results.json. Rerun the same command to resume; SIGTERM/SIGUSR1 "
            "checkpoint and\nexit 75.",
            {}};
  }
  void registerOptions(mu::OptionTable& table) override {
    train_.registerOptions(table);
    prune_.registerOptions(table);
  }
  void validate(const mu::ParsedCommandLine& parsed, int worldSize) override {
    train_.validate(worldSize);
    prune_.validate(parsed.given("rate"));
  }
  mu::StageStatus run(mu::Communicator& comm, const mu::OptionTable& table) override {
    outcome_ = mu::runPruneRounds(prune_, train_, table, comm);
    return outcome_.stopped ? mu::StageStatus::kStopped : mu::StageStatus::kDone;
  }
  std::string summary() const override {
    if (outcome_.stopped) return "stopped by signal after a checkpoint; rerun to resume";
    std::string text;
    char line[256];
    for (const mu::RoundSummary& round : outcome_.rounds) {
      std::snprintf(line, sizeof line,
                    "round %lld: %lld of %lld weights remain (%.2f%%), test %.2f%%\n",
                    static_cast<long long>(round.round), static_cast<long long>(round.remaining),
                    static_cast<long long>(round.total),
                    100.0 * static_cast<double>(round.remaining) /
                        static_cast<double>(std::max<int64_t>(1, round.total)),
                    round.testAccuracy);
      text += line;
    }
    std::snprintf(line, sizeof line, "done: %zu round(s) at %.4f of the remaining weights each",
                  outcome_.rounds.size(), outcome_.rate);
    return text + line;
  }

 private:
  mu::TrainConfig train_;
  mu::PruneConfig prune_;
  mu::PruneOutcome outcome_;
};

}  // namespace

int main(int argc, char** argv) {
  PruneStage stage;
  return mu::runStage(stage, argc, argv);
}
