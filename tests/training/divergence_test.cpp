// The training loop's divergence guard on a real model and loop: a step whose loss is finite but
// whose gradients are not stops the epoch with a DivergedError naming the gradient norm, the step
// and the learning-rate option; a healthy loss trains through.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/data/sample_source.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/training/lr_schedule.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/training/training_loop.h"

namespace mu {
namespace {

// Cross-entropy plus a term that is 0 going forward and NaN going backward (the derivative of
// sqrt|z| at z = 0): what a numerically broken loss looks like to the loop.
LossFunction lossWithNonFiniteGradient() {
  const LossFunction crossEntropy = crossEntropyLoss();
  return [crossEntropy](const torch::Tensor& logits, const torch::Tensor& labels, int64_t batch) {
    return crossEntropy(logits, labels, batch) + (logits - logits.detach()).abs().sqrt().sum();
  };
}

// Two epochs of one tinycnn on 128 random 28x28 images in batches of 32, with `loss`.
void train(const LossFunction& loss) {
  torch::manual_seed(11);
  std::shared_ptr<Classifier> model = makeModel({"tinycnn", 10, 1, false, {0.5}, {0.25}});
  SingleProcessCommunicator comm;
  MaskedSgd sgd(namedParameterList(*model), {0.05, 0.9, 5e-4});
  GradientBucketer buckets(model->parameters());
  const LrSchedule schedule({"constant", 0.05, {}, 0.1, 1, 0});
  TrainingLoop loop(*model, comm, sgd, buckets, schedule, loss);
  SampleSet data;
  data.images =
      std::make_shared<InMemorySource>(torch::randint(0, 256, {128, 1, 28, 28}, torch::kUInt8));
  data.labels = torch::randint(0, 10, {128}, torch::kInt64);
  for (int64_t row = 0; row < 128; ++row) data.rows.push_back(row);
  ProgressReporter silent("test", false);
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    const EpochOutcome outcome = loop.runEpoch(
        data, {epoch, 2, 0, 32, 1}, [](int64_t, int64_t) {}, silent);
    EXPECT_TRUE(std::isfinite(outcome.lossSum));
  }
}

TEST(TrainingLoop, AFiniteLossTrainsThrough) {
  EXPECT_NO_THROW(train(crossEntropyLoss()));
}

TEST(TrainingLoop, ANonFiniteGradientStopsTheFirstStepWithItsCause) {
  try {
    train(lossWithNonFiniteGradient());
    FAIL() << "the loop trained on NaN gradients";
  } catch (const DivergedError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("gradient norm became non-finite"), std::string::npos) << message;
    EXPECT_NE(message.find("epoch 1, step 1 of 4"), std::string::npos) << message;
    EXPECT_NE(message.find("lower --lr"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace mu
