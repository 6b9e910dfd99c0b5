#include "pipeline/models/foldable_batch_norm.h"

namespace mu::layers {

BatchNormImpl::BatchNormImpl(const torch::nn::BatchNorm2dOptions& options_) : options(options_) {
  reset();
}

void BatchNormImpl::reset() {
  const int64_t features = options.num_features();
  if (options.affine()) {
    weight = register_parameter("weight", torch::ones({features}));
    bias = register_parameter("bias", torch::zeros({features}));
  } else {
    weight = register_parameter("weight", torch::Tensor(), /*requires_grad=*/false);
    bias = register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", torch::zeros({features}));
    running_var = register_buffer("running_var", torch::ones({features}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
  } else {
    running_mean = register_buffer("running_mean", torch::Tensor());
    running_var = register_buffer("running_var", torch::Tensor());
    num_batches_tracked = register_buffer("num_batches_tracked", torch::Tensor());
  }
}

torch::Tensor BatchNormImpl::forward(const torch::Tensor& x) {
  if (folded_) return x;
  TORCH_CHECK(x.dim() == 4, "BatchNorm: expected 4D input (got ", x.dim(), "D input)");
  // What LibTorch's BatchNorm does: the counter counts training batches, and without a momentum
  // the running statistics are a cumulative average over them.
  double averageFactor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    num_batches_tracked += 1;
    if (!options.momentum().has_value()) {
      averageFactor = 1.0 / num_batches_tracked.item<double>();
    }
  }
  return torch::batch_norm(x, weight, bias, running_mean, running_var,
                           is_training() || !options.track_running_stats(), averageFactor,
                           options.eps(), at::globalContext().userEnabledCuDNN());
}

void BatchNormImpl::pretty_print(std::ostream& stream) const {
  stream << "mu::layers::BatchNorm(" << options.num_features() << ", eps=" << options.eps()
         << ", momentum=" << options.momentum().value_or(0.0) << (folded_ ? ", folded" : "") << ")";
}

}  // namespace mu::layers
