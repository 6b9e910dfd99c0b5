#include "pipeline/models/model_copy.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <stdexcept>

#include "pipeline/models/model_registry.h"

namespace mu {
namespace {

// Puts torch's default CPU generator back as it was when this scope began.
class GeneratorStateGuard {
 public:
  GeneratorStateGuard() : generator_(at::detail::getDefaultCPUGenerator()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state_ = generator_.get_state();
  }
  ~GeneratorStateGuard() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state_);
  }
  GeneratorStateGuard(const GeneratorStateGuard&) = delete;
  GeneratorStateGuard& operator=(const GeneratorStateGuard&) = delete;

 private:
  at::Generator generator_;
  torch::Tensor state_;
};

}  // namespace

std::shared_ptr<Classifier> copyModel(Classifier& model) {
  if (model.spec().arch.empty()) {
    throw std::logic_error("copyModel: the model was not built by makeModel");
  }
  std::shared_ptr<Classifier> copy;
  {
    GeneratorStateGuard keepGenerator;
    copy = makeModel(model.spec());
  }
  torch::NoGradGuard noGrad;
  const torch::Device device = model.parameters().front().device();
  copy->to(device);
  auto parameters = copy->named_parameters();
  for (const auto& parameter : model.named_parameters()) {
    parameters[parameter.key()].copy_(parameter.value());
  }
  auto buffers = copy->named_buffers();
  for (const auto& buffer : model.named_buffers()) buffers[buffer.key()].copy_(buffer.value());
  copy->train(model.is_training());
  return copy;
}

}  // namespace mu
