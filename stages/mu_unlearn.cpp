// mu-unlearn: removes a forget set's influence from an original (dense or sparse) model with one
// of the paper's methods on any number of MPI ranks, keeping its masks, timed (RTE) and resumable.
// See README "Unlearning".

#include <cstdio>
#include <map>
#include <memory>

#include "pipeline/stage/stage.h"
#include "pipeline/unlearning/method_registry.h"
#include "pipeline/unlearning/unlearn_session.h"

namespace {

std::string methodList() {
  std::string names;
  for (const std::string& name : mu::unlearningMethodNames())
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

class UnlearnStage final : public mu::Stage {
 public:
  mu::ProgramText text() const override {
    return {"mu-unlearn",
            "usage: mpirun -np N mu-unlearn --data DIR --original CHECKPOINT --run-dir DIR "
            "--method M\n"
            "                               [--forget class|random|ids ...] [method options]\n\n"
            "Unlearns the forget set from the original model with method M (" +
                methodList() +
                "; each has its own --<method>-* options) and writes\n<run-dir>/{forget_set.json,"
                "unlearned.h5,results.json}. Rerun the same command to resume;\nSIGTERM/SIGUSR1 "
                "checkpoint and exit 75.",
            [] {
              return nlohmann::json{{"methods", mu::describeUnlearningMethods()}};
            }};
  }
  // Every method's options are accepted on the command line; only the chosen method's enter the
  // run's configuration and hash (run()'s own table).
  void registerOptions(mu::OptionTable& table) override {
    config_.registerOptions(table);
    for (const std::string& name : mu::unlearningMethodNames()) {
      methods_[name] = mu::makeUnlearningMethod(name);
      methods_[name]->registerOptions(table);
    }
  }
  void validate(const mu::ParsedCommandLine&, int worldSize) override {
    config_.validate(worldSize);
    methods_.at(config_.method)->validate();
  }
  mu::StageStatus run(mu::Communicator& comm, const mu::OptionTable&) override {
    mu::UnlearningMethod& method = *methods_.at(config_.method);
    mu::OptionTable runTable;
    config_.registerOptions(runTable);
    method.registerOptions(runTable);
    outcome_ = mu::runUnlearning(config_, method, runTable, comm);
    return outcome_.stopped ? mu::StageStatus::kStopped : mu::StageStatus::kDone;
  }
  std::string summary() const override {
    if (outcome_.stopped) return "stopped by signal after a checkpoint; rerun to resume";
    const nlohmann::json& results = outcome_.results;
    char accuracies[160] = "accuracies: mu-evaluate, or --final-accuracy";
    if (results.contains("forget_accuracy")) {
      std::snprintf(
          accuracies, sizeof accuracies, "forget accuracy %.2f%%, retain %.2f%%, test %.2f%%",
          results["forget_accuracy"].get<double>(), results["retain_accuracy"].get<double>(),
          results["test_accuracy"].get<double>());
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s%s: RTE %.2f s on %d rank(s); %s (%s forget set of %zu, sparsity %.2f%%)",
                  results["method"].get<std::string>().c_str(),
                  outcome_.alreadyComplete ? " (already complete)" : "",
                  results["RTE_s"].get<double>(), results["world_size"].get<int>(), accuracies,
                  results["forget"]["mode"].get<std::string>().c_str(),
                  results["forget"]["forget_samples"].get<size_t>(),
                  results["sparsity_percent"].get<double>());
    return line;
  }

 private:
  mu::UnlearnConfig config_;
  std::map<std::string, std::unique_ptr<mu::UnlearningMethod>> methods_;
  mu::UnlearnRunOutcome outcome_;
};

}  // namespace

int main(int argc, char** argv) {
  UnlearnStage stage;
  return mu::runStage(stage, argc, argv);
}
