// mu-evaluate: the paper's metrics (UA, RA, TA, MIA-Efficacy, the training-privacy MIA, RTE) for
// one model and one forget set, on any number of MPI ranks. See README "Stages".

#include "pipeline/evaluation/evaluation_results.h"
#include "pipeline/evaluation/evaluation_run.h"
#include "pipeline/stage/stage.h"

namespace {

class EvaluateStage final : public mu::Stage {
 public:
  mu::ProgramText text() const override {
    return {"mu-evaluate",
            "usage: mpirun -np N mu-evaluate --data DIR --unlearn-dir DIR [options]\n"
            "       mpirun -np N mu-evaluate --data DIR --checkpoint FILE --forget-set FILE --out "
            "FILE\n\n"
            "Evaluates a model (an unlearned one, or an original dense/sparse one: method "
            "\"original\")\non the forget set D_f, the retain set D_r, the test set (class-wise "
            "forgetting: without the\nforgotten class) and the validation set, runs the SVC "
            "membership-inference attacks, and\nwrites the results JSON. Up-to-date results are "
            "printed, not recomputed (--force redoes).",
            {}};
  }
  void registerOptions(mu::OptionTable& table) override { config_.registerOptions(table); }
  void validate(const mu::ParsedCommandLine&, int) override { config_.resolve(); }
  mu::StageStatus run(mu::Communicator& comm, const mu::OptionTable& table) override {
    outcome_ = mu::runEvaluation(config_, table, comm);
    return mu::StageStatus::kDone;
  }
  std::string summary() const override {
    if (config_.quiet) return "";
    return mu::evaluationSummary(outcome_.results) +
           (outcome_.alreadyComplete ? mu::upToDateNote(outcome_.results) : "") + " -> " +
           config_.out;
  }

 private:
  mu::EvaluateConfig config_;
  mu::EvaluationOutcome outcome_;
};

}  // namespace

int main(int argc, char** argv) {
  EvaluateStage stage;
  return mu::runStage(stage, argc, argv);
}
