// The inference copy computes what the trained model computes in eval mode: BatchNorm folded
// into the convolutions, channels-last or not, in one pass or several, for every registered
// architecture; the trained model, its mode and torch's generator are left as they were.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "pipeline/inference/inference_model.h"
#include "pipeline/models/batch_norm_folding.h"
#include "pipeline/models/foldable_batch_norm.h"
#include "pipeline/models/model_copy.h"
#include "pipeline/models/model_registry.h"

namespace mu {
namespace {

ModelSpec specOf(const std::string& arch) {
  ModelSpec spec;
  spec.arch = arch;
  spec.numClasses = 7;
  spec.inChannels = 3;
  return spec;
}

// Trained-looking BatchNorms: running statistics and affine parameters far from 0 and 1, so a
// fold that ignored any of them, or folded into the wrong convolution, would show.
void randomiseNormalisation(Classifier& model) {
  torch::NoGradGuard noGrad;
  for (auto& buffer : model.named_buffers()) {
    const std::string& name = buffer.key();
    if (name.find("running_mean") != std::string::npos) buffer.value().normal_(0, 0.5);
    if (name.find("running_var") != std::string::npos) buffer.value().uniform_(0.2, 3.0);
  }
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* norm = module->as<layers::BatchNormImpl>()) {
      norm->weight.uniform_(0.5, 1.5);
      norm->bias.normal_(0, 0.3);
    }
  }
}

torch::Tensor evalLogits(Classifier& model, const torch::Tensor& images) {
  torch::NoGradGuard noGrad;
  model.eval();
  const torch::Tensor logits = model.forward(images);
  model.train();
  return logits;
}

// Per element, relative to the logits' spread: float rounding differs by far less.
double largestDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / (b.abs().max() + 1e-6)).item<double>();
}

std::vector<torch::Tensor> stateOf(Classifier& model) {
  std::vector<torch::Tensor> state = model.parameters();
  for (const torch::Tensor& buffer : model.buffers()) state.push_back(buffer);
  return state;
}

class EveryArchitecture : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryArchitecture, FoldedInferenceCopyMatchesTheEvalModeModel) {
  torch::manual_seed(3);
  const std::shared_ptr<Classifier> model = makeModel(specOf(GetParam()));
  randomiseNormalisation(*model);
  const torch::Tensor images = torch::rand({5, 3, 32, 32});
  const torch::Tensor expected = evalLogits(*model, images);

  const std::shared_ptr<Classifier> folded = copyModel(*model);
  folded->eval();
  const int count = foldBatchNorms(*folded);
  int norms = 0;
  for (const auto& module : model->modules(/*include_self=*/false)) {
    norms += module->as<layers::BatchNormImpl>() != nullptr;
  }
  EXPECT_EQ(count, norms) << "every BatchNorm follows its convolution";

  for (const bool channelsLast : {false, true}) {
    InferenceOptions options;
    options.channelsLast = channelsLast;
    options.maxPassRows = 2;  // 5 rows: passes of 2, 2 and 1
    InferenceModel inference(*model, options);
    const torch::Tensor logits = inference.forward(images);
    ASSERT_EQ(logits.sizes(), expected.sizes());
    EXPECT_LT(largestDifference(logits, expected), 1e-4) << "channels-last " << channelsLast;
  }
  EXPECT_TRUE(model->is_training()) << "the trained model keeps its mode";
}

INSTANTIATE_TEST_SUITE_P(Registered, EveryArchitecture, ::testing::ValuesIn(modelNames()));

TEST(InferenceModel, LeavesTheTrainedModelAndTheGeneratorAsTheyWere) {
  torch::manual_seed(11);
  const std::shared_ptr<Classifier> model = makeModel(specOf("resnet20s"));
  randomiseNormalisation(*model);
  std::vector<torch::Tensor> before;
  for (const torch::Tensor& tensor : stateOf(*model)) before.push_back(tensor.clone());

  const torch::Tensor images = torch::rand({2, 3, 32, 32});
  torch::manual_seed(5);
  const torch::Tensor withoutCopy = torch::rand({4});
  torch::manual_seed(5);
  InferenceModel inference(*model);
  inference.forward(images);
  EXPECT_TRUE(torch::equal(torch::rand({4}), withoutCopy)) << "the copy drew from the generator";

  const std::vector<torch::Tensor> after = stateOf(*model);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_TRUE(torch::equal(after[i], before[i])) << i;
}

TEST(InferenceModel, PrunedWeightsStayZeroAndLogitsNeedNoAutograd) {
  torch::manual_seed(2);
  const std::shared_ptr<Classifier> model = makeModel(specOf("resnet20s"));
  randomiseNormalisation(*model);
  {
    torch::NoGradGuard noGrad;
    for (auto& [name, weight] : model->convWeights()) weight.masked_fill_(weight.abs() < 0.05, 0);
  }
  const std::shared_ptr<Classifier> folded = copyModel(*model);
  foldBatchNorms(*folded);
  const NamedTensors original = model->convWeights();
  const NamedTensors scaled = folded->convWeights();
  for (size_t i = 0; i < original.size(); ++i) {
    EXPECT_TRUE(torch::equal(original[i].second == 0, scaled[i].second == 0)) << original[i].first;
  }
  InferenceModel inference(*model);
  EXPECT_FALSE(inference.forward(torch::rand({2, 3, 32, 32})).requires_grad());
}

}  // namespace
}  // namespace mu
