// mu-evaluate: the paper's metrics (UA, RA, TA, MIA-Efficacy, the training-privacy MIA, RTE) for
// one model and one forget set, on any number of MPI ranks. See README "Stages".

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "pipeline/command_line.h"
#include "pipeline/evaluation/evaluation_results.h"
#include "pipeline/evaluation/evaluation_run.h"
#include "pipeline/stage_main.h"

namespace {

constexpr const char* kUsage =
    "usage: mpirun -np N mu-evaluate --data DIR --unlearn-dir DIR [options]\n"
    "       mpirun -np N mu-evaluate --data DIR --checkpoint FILE --forget-set FILE --out FILE\n\n"
    "Evaluates a model (an unlearned one, or an original dense/sparse one: method \"original\")\n"
    "on the forget set D_f, the retain set D_r, the test set (class-wise forgetting: without the\n"
    "forgotten class) and the validation set, runs the SVC membership-inference attacks, and\n"
    "writes the results JSON. Up-to-date results are printed, not recomputed (--force redoes).";

}  // namespace

int main(int argc, char** argv) {
  return mu::runStage(
      "mu-evaluate", argc, argv, [&](mu::MpiRuntime& runtime, mu::Communicator& comm) {
        mu::EvaluateConfig config;
        mu::OptionTable table;
        config.registerOptions(table);
        mu::po::variables_map values;
        if (!mu::parseCommandLine(argc, argv, table.description("mu-evaluate options"), values,
                                  kUsage)) {
          return static_cast<int>(mu::kExitOk);
        }
        config.resolve();
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        torch::set_num_threads(config.threads > 0 ? static_cast<int>(config.threads)
                                                  : std::max(1, cores / runtime.localSize()));

        const mu::EvaluationOutcome outcome = mu::runEvaluation(config, table, comm);
        if (comm.rank() == 0 && !config.quiet) {
          std::printf("mu-evaluate: %s%s -> %s\n", mu::evaluationSummary(outcome.results).c_str(),
                      outcome.alreadyComplete ? mu::upToDateNote(outcome.results).c_str() : "",
                      config.out.c_str());
          std::fflush(stdout);
        }
        return static_cast<int>(mu::kExitOk);
      });
}
