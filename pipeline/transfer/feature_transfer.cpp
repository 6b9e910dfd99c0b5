#include "pipeline/transfer/feature_transfer.h"

#include <torch/torch.h>

#include "pipeline/base/error.h"
#include "pipeline/masks/sparsity_report.h"
#include "pipeline/models/model_registry.h"

namespace mu {
namespace {

void copyAllButHead(const torch::OrderedDict<std::string, torch::Tensor>& from,
                    const torch::OrderedDict<std::string, torch::Tensor>& to,
                    const Classifier& target, const std::string& path) {
  for (const auto& item : to) {
    if (target.inHead(item.key())) continue;
    const torch::Tensor* value = from.find(item.key());
    if (value == nullptr || !value->sizes().equals(item.value().sizes())) {
      throw InputError(path, item.key(),
                       "a tensor of shape " + c10::str(item.value().sizes()) +
                           " for the target model (same architecture and input channels)");
    }
    item.value().copy_(*value);
  }
}

}  // namespace

SourceFeatures::SourceFeatures(std::string path, CheckpointMeta meta)
    : path_(std::move(path)), meta_(std::move(meta)) {
  // The normalisation given here is a placeholder: the checkpoint's buffers replace it.
  const std::vector<double> placeholder(static_cast<size_t>(meta_.inChannels), 0.5);
  model_ = makeModel(ModelSpec{meta_.arch, meta_.numClasses, meta_.inChannels, meta_.imagenetStem,
                               placeholder, placeholder});
  loadCheckpoint(path_, *model_, &masks_, nullptr, ExpectedModel{meta_.arch, meta_.numClasses});
  sparsity_ = sparsityReport(*model_, masks_).sparsity();
  for (auto mask = masks_.begin(); mask != masks_.end();) {
    mask = model_->inHead(mask->first) ? masks_.erase(mask) : std::next(mask);
  }
}

void SourceFeatures::copyInto(Classifier& target) {
  if (!model_) throw std::logic_error("SourceFeatures::copyInto: the source was already copied");
  torch::NoGradGuard noGrad;
  copyAllButHead(model_->named_parameters(), target.named_parameters(), target, path_);
  copyAllButHead(model_->named_buffers(), target.named_buffers(), target, path_);
  model_.reset();
}

}  // namespace mu
