// mu-unlearn: removes a forget set's influence from an original (dense or sparse) model with one
// of the paper's methods on any number of MPI ranks, keeping its masks, timed (RTE) and resumable.
// See README "Unlearning".

#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "pipeline/command_line.h"
#include "pipeline/stage_main.h"
#include "pipeline/training/stop_signal.h"
#include "pipeline/unlearning/method_registry.h"
#include "pipeline/unlearning/unlearn_session.h"

namespace {

constexpr const char* kUsage =
    "usage: mpirun -np N mu-unlearn --data DIR --original CHECKPOINT --run-dir DIR --method M\n"
    "                               [--forget class|random|ids ...] [method options]\n\n"
    "Unlearns the forget set from the original model with method M (retrain, ft, ga, ff, iu,\n"
    "l1-sparse, rl; each has its own --<method>-* options) and writes <run-dir>/{forget_set.json,\n"
    "unlearned.h5,results.json}. Rerun the same command to resume; SIGTERM/SIGUSR1 checkpoint\n"
    "and exit 75.";

}  // namespace

int main(int argc, char** argv) {
  return mu::runStage(
      "mu-unlearn", argc, argv, [&](mu::MpiRuntime& runtime, mu::Communicator& comm) {
        // Every method's options are accepted on the command line; only the chosen method's enter
        // the run's configuration and hash.
        mu::UnlearnConfig config;
        mu::OptionTable parseTable;
        config.registerOptions(parseTable);
        std::map<std::string, std::unique_ptr<mu::UnlearningMethod>> methods;
        for (const std::string& name : mu::unlearningMethodNames()) {
          methods[name] = mu::makeUnlearningMethod(name);
          methods[name]->registerOptions(parseTable);
        }
        mu::po::variables_map values;
        if (!mu::parseCommandLine(argc, argv, parseTable.description("mu-unlearn options"), values,
                                  kUsage)) {
          return static_cast<int>(mu::kExitOk);
        }
        config.validate(comm.size());
        mu::makeUnlearningMethod(config.method);  // an unknown name lists the valid ones
        mu::UnlearningMethod& method = *methods.at(config.method);
        method.validate();
        mu::OptionTable runTable;
        config.registerOptions(runTable);
        method.registerOptions(runTable);

        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        torch::set_num_threads(config.threads > 0 ? static_cast<int>(config.threads)
                                                  : std::max(1, cores / runtime.localSize()));
        mu::installStopSignalHandlers();

        const mu::UnlearnRunOutcome outcome = mu::runUnlearning(config, method, runTable, comm);
        if (comm.rank() == 0) {
          if (outcome.stopped) {
            std::printf("mu-unlearn: stopped by signal after a checkpoint; rerun to resume\n");
          } else {
            const nlohmann::json& results = outcome.results;
            std::printf(
                "mu-unlearn: %s%s: RTE %.2f s on %d rank(s); forget accuracy %.2f%%, retain "
                "%.2f%%, "
                "test %.2f%% (%s forget set of %zu, sparsity %.2f%%)\n",
                results["method"].get<std::string>().c_str(),
                outcome.alreadyComplete ? " (already complete)" : "",
                results["RTE_s"].get<double>(), results["world_size"].get<int>(),
                results["forget_accuracy"].get<double>(), results["retain_accuracy"].get<double>(),
                results["test_accuracy"].get<double>(),
                results["forget"]["mode"].get<std::string>().c_str(),
                results["forget"]["forget_samples"].get<size_t>(),
                results["sparsity_percent"].get<double>());
          }
          std::fflush(stdout);
        }
        return static_cast<int>(outcome.stopped ? mu::kExitPreempted : mu::kExitOk);
      });
}
