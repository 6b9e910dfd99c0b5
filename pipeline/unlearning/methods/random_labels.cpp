#include "pipeline/unlearning/methods/random_labels.h"

#include <torch/torch.h>

#include "pipeline/base/seed_mixing.h"
#include "pipeline/unlearning/iterative_method.h"

namespace mu {
namespace {

// Separates this stream from the other users of mixSeed(seed, ...) (sample order, augmentation).
constexpr uint64_t kRandomLabelStream = 0x524c2d6c6162656cULL;  // "RL-label"

}  // namespace

int64_t randomForgetLabel(uint64_t seed, int64_t epoch, int64_t sampleId, int64_t numClasses) {
  const uint64_t draw = mixSeed(
      seed, {kRandomLabelStream, static_cast<uint64_t>(epoch), static_cast<uint64_t>(sampleId)});
  // The modulo bias is below C / 2^64: nothing a training run could notice.
  return static_cast<int64_t>(draw % static_cast<uint64_t>(numClasses));
}

namespace {

class RandomLabels final : public IterativeMethod {
 public:
  RandomLabels() : IterativeMethod("rl", "RL", {10, 0.01}) {}  // old run.py: 10 epochs at 0.01

 protected:
  SampleSet epochSamples(const UnlearnContext& context, int64_t epoch) const override {
    const std::vector<int64_t>& forget = context.forget.forgetIds;
    const std::vector<int64_t>& retain = context.forget.retainIds;
    // The reference concatenated the relabelled D_f and D_r into one shuffled dataset.
    std::vector<int64_t> rows(forget);
    rows.insert(rows.end(), retain.begin(), retain.end());
    SampleSet samples = samplesOf(context, rows);
    samples.labels = context.train.labels.to(torch::kInt64).clone().contiguous();
    int64_t* label = samples.labels.data_ptr<int64_t>();
    for (const int64_t id : forget) {
      label[id] = randomForgetLabel(context.seed, epoch, id, context.numClasses());
    }
    return samples;
  }
  LossFunction makeLoss(UnlearnContext&) override { return crossEntropyLoss(); }
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeRandomLabelMethod() {
  return std::make_unique<RandomLabels>();
}

}  // namespace mu
