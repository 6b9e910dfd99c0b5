// mu-train: trains the original model (dense, or under masks when the prune stage asks) on any
// number of MPI ranks, resumable from its run folder. See README "Stages" and docs/SCHEMA.md.

#include <cstdio>

#include "pipeline/stage/stage.h"
#include "pipeline/training/train_session.h"

namespace {

class TrainStage final : public mu::Stage {
 public:
  mu::ProgramText text() const override {
    return {"mu-train",
            "usage: mpirun -np N mu-train --data DIR --run-dir DIR [options]\n\n"
            "Trains --arch on the dataset's training split (validation split by --split-seed) "
            "and keeps\n<run-dir>/{config.json,init.h5,rewind.h5,best.h5,last.h5,metrics.jsonl,"
            "results.json}.\nRun the same command again to resume; a finished run exits 0 at "
            "once. SIGTERM/SIGUSR1 make\nevery rank checkpoint at the next step and exit with "
            "code 75 (requeue).",
            {}};
  }
  void registerOptions(mu::OptionTable& table) override { config_.registerOptions(table); }
  void validate(const mu::ParsedCommandLine&, int worldSize) override {
    config_.validate(worldSize);
  }
  mu::StageStatus run(mu::Communicator& comm, const mu::OptionTable& table) override {
    worldSize_ = comm.size();
    outcome_ = mu::TrainSession(config_, table, comm).run();
    return outcome_.stopped ? mu::StageStatus::kStopped : mu::StageStatus::kDone;
  }
  std::string summary() const override {
    const std::string unfinished = mu::unfinishedSessionLine(outcome_, config_.runDir);
    if (!unfinished.empty()) return unfinished;
    char line[512];
    std::snprintf(line, sizeof line,
                  "done: %lld epochs, best val %.2f%% (epoch %lld), test %.2f%%, %.0f img/s, "
                  "%.1f s on %d rank(s)",
                  static_cast<long long>(outcome_.epochsDone), outcome_.bestValAccuracy,
                  static_cast<long long>(outcome_.bestEpoch), outcome_.testAccuracy,
                  outcome_.imagesPerSecond, outcome_.trainSeconds, worldSize_);
    return line;
  }

 private:
  mu::TrainConfig config_;
  mu::TrainOutcome outcome_;
  int worldSize_ = 1;
};

}  // namespace

int main(int argc, char** argv) {
  TrainStage stage;
  return mu::runStage(stage, argc, argv);
}
