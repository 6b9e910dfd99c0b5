// mu-transfer: fits a model of any stage (original, pruned or unlearned) to another dataset, by a
// linear probe on its frozen features or by fine-tuning all of it, with its pruning masks kept or
// dropped; on any number of MPI ranks, resumable from its run folder. See README "Transfer".

#include <cstdio>
#include <filesystem>

#include "pipeline/base/error.h"
#include "pipeline/base/rank_coordination.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/runs/run_config.h"
#include "pipeline/runs/run_folder.h"
#include "pipeline/stage/stage.h"
#include "pipeline/training/train_session.h"
#include "pipeline/transfer/feature_transfer.h"
#include "pipeline/transfer/transfer_config.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TransferStage final : public mu::Stage {
 public:
  mu::ProgramText text() const override {
    return {"mu-transfer",
            "usage: mpirun -np N mu-transfer --from CHECKPOINT --data DIR --run-dir DIR "
            "[options]\n\n"
            "Replaces the classifier of the model in CHECKPOINT (a mu-train, mu-prune or "
            "mu-unlearn\ncheckpoint) with one for the --data dataset's classes and trains it "
            "there: --mode linear-probe\ntrains that classifier alone on frozen features, "
            "--mode fine-tune every weight (pruned\nweights stay zero unless --masks drop). "
            "The training options are mu-train's. Keeps\n<run-dir>/{config.json,source.json,"
            "init.h5,best.h5,last.h5,metrics.jsonl,results.json};\nresults.json's "
            "test_accuracy is the target task's. Rerun the same command to resume;\n"
            "SIGTERM/SIGUSR1 checkpoint and exit 75.",
            {}};
  }
  void registerOptions(mu::OptionTable& table) override { config_.registerOptions(table); }
  void validate(const mu::ParsedCommandLine& parsed, int worldSize) override {
    config_.validate(parsed, worldSize);
  }
  mu::StageStatus run(mu::Communicator& comm, const mu::OptionTable& table) override {
    const mu::TrainConfig& train = config_.train;
    const mu::CheckpointMeta& source = config_.source();
    const mu::DatasetManifest target = mu::readManifest(train.data);
    if (source.inChannels != target.channels) {
      throw mu::InputError(config_.from, "in_channels",
                           std::to_string(target.channels) + " input channels as the --data " +
                               "dataset " + target.dataset + " has, got " +
                               std::to_string(source.inChannels));
    }
    recordSource(comm);

    mu::SourceFeatures features(config_.from, source);
    mu::SessionStart start;
    if (config_.masks == "keep") start.masks = features.masks();
    start.prepareModel = [&features](mu::Classifier& model) { features.copyInto(model); };
    start.headOnly = config_.linearProbe();
    start.extraResults = {{"transfer",
                           {{"mode", config_.mode},
                            {"masks", config_.masks},
                            {"target_dataset", target.dataset},
                            {"target_classes", target.numClasses},
                            {"source",
                             {{"path", fs::absolute(config_.from).lexically_normal().string()},
                              {"kind", source.kind},
                              {"dataset", source.dataset},
                              {"num_classes", source.numClasses},
                              {"config_hash", source.configHash},
                              {"sparsity", features.sparsity()}}}}}};
    outcome_ = mu::TrainSession(train, table, comm).run(start);
    return outcome_.stopped ? mu::StageStatus::kStopped : mu::StageStatus::kDone;
  }
  std::string summary() const override {
    const std::string unfinished = mu::unfinishedSessionLine(outcome_, config_.train.runDir);
    if (!unfinished.empty()) return unfinished;
    char line[512];
    std::snprintf(line, sizeof line,
                  "done: %s of %s (%s) to %s, %lld epochs: target test %.2f%% (best val %.2f%%), "
                  "%.1f s",
                  config_.mode.c_str(), config_.source().arch.c_str(),
                  config_.source().kind.c_str(), config_.train.data.c_str(),
                  static_cast<long long>(outcome_.epochsDone), outcome_.testAccuracy,
                  outcome_.bestValAccuracy, outcome_.trainSeconds);
    return line;
  }

 private:
  // A resumed run must transfer the same source model it started with.
  void recordSource(mu::Communicator& comm) const {
    const mu::runs::TransferFolder folder(config_.train.runDir);
    if (comm.rank() == 0) fs::create_directories(folder.dir());
    comm.barrier();
    const mu::CheckpointMeta& source = config_.source();
    mu::runs::InputRecord record;
    record.path = folder.source();
    record.record = {{"path", fs::absolute(config_.from).lexically_normal().string()},
                     {"config_hash", source.configHash},
                     {"created_utc", source.createdUtc},
                     {"kind", source.kind}};
    record.identity = {"config_hash", "created_utc"};
    record.describedBy = "path";
    record.what = "source checkpoint";
    record.option = "--from";
    mu::runs::checkOrRecordInput(record, mu::rankCoordination(comm));
  }

  mu::TransferConfig config_;
  mu::TrainOutcome outcome_;
};

}  // namespace

int main(int argc, char** argv) {
  TransferStage stage;
  return mu::runStage(stage, argc, argv);
}
