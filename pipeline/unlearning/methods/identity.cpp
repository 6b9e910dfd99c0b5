// identity: changes nothing. A control for campaigns: its rows show the original model measured
// exactly as every method's unlearned model is (same forget set, same evaluation), so each
// method's effect reads against it as its distance to Retrain reads against Retrain.

#include "pipeline/unlearning/unlearning_method.h"

namespace mu {
namespace {

class Identity final : public UnlearningMethod {
 public:
  std::string name() const override { return "identity"; }
  std::string title() const override { return "Identity"; }
  void registerOptions(OptionTable&) override {}
  void validate() const override {}
  bool iterative() const override { return false; }
  UnlearnOutcome run(UnlearnContext&) override { return {}; }
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeIdentityMethod() {
  return std::make_unique<Identity>();
}

}  // namespace mu
