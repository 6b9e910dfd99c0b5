#pragma once
// The one place that names what every stage writes into its folder, and what the campaign keeps
// beside each task. The stages write these files, the next stages, the campaign, its report and
// the Slurm scripts (through the campaign) read them: nobody else spells a file name. Each
// stage's last file is written atomically and marks the stage finished (done()).

#include <cstdint>
#include <string>

namespace mu::runs {

// A dataset converted by mu-data: shards, split files and the manifest (docs/SCHEMA.md).
class DatasetFolder {
 public:
  explicit DatasetFolder(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  static const char* manifestName() { return "manifest.json"; }
  std::string manifest() const;  // the dataset's facts and its shard list, written last
  std::string done() const { return manifest(); }

 private:
  std::string dir_;
};

// A training run: mu-train's --run-dir, and each round of a prune run.
class TrainFolder {
 public:
  explicit TrainFolder(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string config() const;   // config.json: the options, their hash, code version, world size
  std::string init() const;     // init.h5: the initial weights (lottery-ticket rewinding)
  std::string rewind() const;   // rewind.h5: the weights after --rewind-epoch epochs
  std::string best() const;     // best.h5: the best model by validation accuracy
  std::string last() const;     // last.h5: the resume point
  std::string metrics() const;  // metrics.jsonl: one line per epoch
  std::string results() const;  // results.json, written last
  std::string done() const { return results(); }

 private:
  std::string dir_;
};

// A prune run (mu-prune --run-dir): one training run per round, each started from its pruned
// checkpoint, so a round can itself be the --from of another prune run or the original model of
// an unlearning run.
class PruneFolder {
 public:
  explicit PruneFolder(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string config() const;
  TrainFolder round(int64_t round) const;  // round-<r>/
  // round-<r>/pruned.h5: the scored weights times the round's new masks, before retraining.
  std::string pruned(int64_t round) const;
  // source.json: which run the rounds prune and rewind to (a resumed run must name the same).
  std::string source() const;
  std::string results() const;  // every round's sparsity and accuracy, written last
  std::string done() const { return results(); }
  // The sparse model a run of `rounds` rounds ends with.
  std::string finalModel(int64_t rounds) const { return round(rounds).best(); }

 private:
  std::string dir_;
};

// An unlearning run (mu-unlearn --run-dir), and the evaluation mu-evaluate writes beside it.
class UnlearnFolder {
 public:
  explicit UnlearnFolder(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string config() const;
  // original.json: which checkpoint is unlearned (a resumed run must name the same).
  std::string original() const;
  std::string forgetSet() const;  // forget_set.json: the forget, retain and validation ids
  std::string model() const;      // unlearned.h5: the unlearned model, masks included
  std::string progress() const;   // last.h5: an iterative method's resume point
  std::string results() const;    // results.json: method, options, RTE, ... written last
  std::string done() const { return results(); }
  static const char* evaluationName() { return "evaluation.json"; }
  std::string evaluation() const;  // mu-evaluate's results for the unlearned model

 private:
  std::string dir_;
};

// A transfer run (mu-transfer --run-dir): a training run on the target dataset (its files are a
// TrainFolder's; best.h5 is the transferred model) that also records which model it started from.
class TransferFolder : public TrainFolder {
 public:
  explicit TransferFolder(std::string dir) : TrainFolder(std::move(dir)) {}
  // source.json: the source checkpoint (a resumed run must name the same).
  std::string source() const;
};

// The campaign's bookkeeping for one task, outside the task's run folder (which some stages
// want empty when they start): its log and markers. The Slurm job script writes the same names.
class TaskStateFolder {
 public:
  TaskStateFolder(std::string dir, std::string stage)
      : dir_(std::move(dir)), stage_(std::move(stage)) {}
  const std::string& dir() const { return dir_; }
  static const char* runningSuffix() { return ".running.json"; }
  static const char* failedSuffix() { return ".failed.json"; }
  static const char* logSuffix() { return ".log"; }
  static const char* attemptsSuffix() { return ".attempts"; }
  static const char* claimSuffix() { return ".claim.lock"; }
  std::string running() const;   // <stage>.running.json while a process works on the task
  std::string failed() const;    // <stage>.failed.json with the exit code after a failure
  std::string log() const;       // <stage>.log: the local runner's output of the task
  std::string attempts() const;  // <stage>.attempts: one line per attempt start and end
  std::string claim() const;     // <stage>.claim.lock: runners claim the task holding its flock

 private:
  std::string dir_;
  std::string stage_;
};

}  // namespace mu::runs
