// The training building blocks against direct computations: SGD as PyTorch 1.12 defines it,
// masks that keep pruned weights exactly zero, the reference's learning-rate schedules, and when
// a CUDA step graph records and replays.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "pipeline/base/error.h"
#include "pipeline/training/lr_schedule.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/training/step_graph_policy.h"

namespace mu {
namespace {

TEST(MaskedSgd, MatchesPyTorchSgdWithMomentumAndWeightDecay) {
  torch::manual_seed(3);
  torch::Tensor weight = torch::randn({4, 3}).requires_grad_(true);
  torch::Tensor expected = weight.detach().clone();
  MaskedSgd sgd({{"w", weight}}, {0.05, 0.9, 1e-2});
  torch::Tensor buffer;
  for (int step = 0; step < 3; ++step) {
    const torch::Tensor gradient = torch::randn({4, 3});
    weight.mutable_grad() = gradient.clone();
    sgd.step();
    // docs/reference-behaviour.md §1.5: d = g + wd*w; buf = d, then mu*buf + d; w -= lr*buf
    const torch::Tensor d = gradient + 1e-2 * expected;
    buffer = step == 0 ? d : 0.9 * buffer + d;
    expected = expected - 0.05 * buffer;
    EXPECT_TRUE(torch::allclose(weight.detach(), expected, 1e-6, 1e-7)) << "step " << step;
  }
  EXPECT_TRUE(torch::allclose(sgd.momentum().at("w"), buffer));
}

TEST(MaskedSgd, PrunedWeightsStayExactlyZero) {
  torch::manual_seed(4);
  const torch::Tensor mask = (torch::rand({8, 8}) > 0.5).to(torch::kFloat32);
  torch::Tensor weight = (torch::randn({8, 8}) * mask).requires_grad_(true);
  MaskedSgd sgd({{"w", weight}}, {0.1, 0.9, 5e-4}, {{"w", mask}});
  for (int step = 0; step < 20; ++step) {
    weight.mutable_grad() = torch::randn({8, 8});  // dense gradients, as backward gives
    sgd.step();
  }
  const torch::Tensor pruned = weight.detach().masked_select(mask == 0);
  EXPECT_TRUE(torch::equal(pruned, torch::zeros_like(pruned)));
  EXPECT_GT(weight.detach().masked_select(mask == 1).abs().min().item<float>(), 0.0f);
  EXPECT_TRUE(
      torch::equal(sgd.momentum().at("w").masked_select(mask == 0), torch::zeros_like(pruned)));
}

TEST(MaskedSgd, ChannelsLastWeightsStepAsContiguousOnes) {
  // The CPU update runs over memory in one pass; an NHWC weight, a contiguous mask and momentum
  // restored in the contiguous layout of a checkpoint must give the contiguous model's numbers.
  torch::manual_seed(5);
  const torch::Tensor start = torch::randn({6, 3, 3, 3});
  const torch::Tensor mask = (torch::rand({6, 3, 3, 3}) > 0.3).to(torch::kFloat32);
  const torch::Tensor momentum = torch::randn({6, 3, 3, 3}) * mask;  // as pruned training left it
  torch::Tensor plain = (start * mask).requires_grad_(true);
  torch::Tensor nhwc =
      (start * mask).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(true);
  MaskedSgd plainSgd({{"w", plain}}, {0.1, 0.9, 5e-4}, {{"w", mask}});
  MaskedSgd nhwcSgd({{"w", nhwc}}, {0.1, 0.9, 5e-4}, {{"w", mask}});
  plainSgd.setMomentum({{"w", momentum.clone()}});
  nhwcSgd.setMomentum({{"w", momentum.clone()}});
  for (int step = 0; step < 3; ++step) {
    const torch::Tensor gradient = torch::randn({6, 3, 3, 3});
    plain.mutable_grad() = gradient.clone();
    nhwc.mutable_grad() = gradient.contiguous(torch::MemoryFormat::ChannelsLast);
    plainSgd.step();
    nhwcSgd.step();
  }
  EXPECT_TRUE(nhwc.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(torch::equal(nhwc.detach(), plain.detach()));
  EXPECT_TRUE(torch::equal(nhwcSgd.momentum().at("w"), plainSgd.momentum().at("w")));
  const torch::Tensor pruned = nhwc.detach().masked_select(mask == 0);
  EXPECT_TRUE(torch::equal(pruned, torch::zeros_like(pruned)));
}

TEST(MaskedSgd, WithoutMomentumKeepsNoBuffers) {
  torch::manual_seed(6);
  torch::Tensor weight = torch::randn({70000}).requires_grad_(true);  // several parallel tasks
  const torch::Tensor expected = weight.detach().clone();
  MaskedSgd sgd({{"w", weight}}, {0.5, 0.0, 0.0});
  const torch::Tensor gradient = torch::randn({70000});
  weight.mutable_grad() = gradient.clone();
  sgd.step();
  EXPECT_TRUE(torch::allclose(weight.detach(), expected - 0.5 * gradient, 1e-6, 1e-7));
  EXPECT_TRUE(sgd.momentum().empty());
}

TEST(MaskedSgd, MaskOfTheWrongShapeIsRefused) {
  torch::Tensor weight = torch::zeros({2, 2}).requires_grad_(true);
  EXPECT_THROW(MaskedSgd({{"w", weight}}, {}, {{"w", torch::ones({3})}}), InputError);
  EXPECT_THROW(MaskedSgd({{"w", weight}}, {}, {{"v", torch::ones({2, 2})}}), InputError);
}

TEST(LrSchedule, MultiStepAsTheReference) {
  LrSchedule schedule({"multistep", 0.1, {91, 136}, 0.1, 182, 0});
  EXPECT_DOUBLE_EQ(schedule.lrAt(0, 0, 100), 0.1);
  EXPECT_DOUBLE_EQ(schedule.lrAt(90, 99, 100), 0.1);
  EXPECT_NEAR(schedule.lrAt(91, 0, 100), 0.01, 1e-15);
  EXPECT_NEAR(schedule.lrAt(135, 0, 100), 0.01, 1e-15);
  EXPECT_NEAR(schedule.lrAt(136, 0, 100), 0.001, 1e-15);
}

TEST(LrSchedule, LearningRateRewindingShiftsTheMilestones) {
  // OMP retraining rewound to epoch 8 (docs/reference-behaviour.md §5.3): the drops come at run
  // epochs 83 and 128.
  LrSchedule schedule({"multistep", 0.1, {91, 136}, 0.1, 182, 0, 8});
  EXPECT_DOUBLE_EQ(schedule.lrAt(0, 0, 100), 0.1);
  EXPECT_DOUBLE_EQ(schedule.epochLr(82), 0.1);
  EXPECT_NEAR(schedule.epochLr(83), 0.01, 1e-15);
  EXPECT_NEAR(schedule.lrAt(127, 5, 100), 0.01, 1e-15);
  EXPECT_NEAR(schedule.lrAt(128, 0, 100), 0.001, 1e-15);
}

TEST(LrSchedule, CosineWithPerIterationWarmUp) {
  LrSchedule schedule({"cosine", 0.4, {}, 0.1, 90, 5});
  // Warm-up epochs: base * (epoch * iters + i + 1) / (warmup * iters).
  EXPECT_DOUBLE_EQ(schedule.lrAt(0, 0, 10), 0.4 * 1 / 50);
  EXPECT_DOUBLE_EQ(schedule.lrAt(2, 4, 10), 0.4 * 25 / 50);
  // Then 0.5 * (1 + cos(pi * (e - warmup) / (epochs - warmup))).
  EXPECT_DOUBLE_EQ(schedule.lrAt(5, 0, 10), 0.4);
  EXPECT_NEAR(schedule.lrAt(47, 3, 10), 0.4 * 0.5 * (1 + std::cos(M_PI * 42 / 85)), 1e-12);
  EXPECT_NEAR(schedule.epochLr(89), 0.4 * 0.5 * (1 + std::cos(M_PI * 84 / 85)), 1e-12);
}

TEST(LrSchedule, BadSettingsAreErrors) {
  EXPECT_THROW(LrSchedule({"linear", 0.1, {}, 0.1, 10, 0}), InputError);
  EXPECT_THROW(LrSchedule({"multistep", 0.0, {}, 0.1, 10, 0}), InputError);
  EXPECT_THROW(parseMilestones("91,x", "--milestones"), InputError);
  EXPECT_EQ(parseMilestones("91,136", "--milestones"), (std::vector<int64_t>{91, 136}));
  EXPECT_TRUE(parseMilestones("", "--milestones").empty());
}

// The CUDA step graph's bookkeeping, over the key sequence of a real schedule: three eager steps,
// then record once and replay; a short last batch runs eagerly and keeps the recording; a new
// rate after a milestone costs one eager step; a per-step warm-up ramp never records.
TEST(StepGraphPolicy, RecordsOnceAKeyHoldsAndReplaysWhileItDoes) {
  using A = StepGraphAction;
  auto key = [](int64_t batch, double lr, int64_t globalBatch) {
    return StepGraphKey{{batch, 3, 32, 32}, {batch}, {lr, static_cast<double>(globalBatch)}};
  };
  StepGraphPolicy policy;
  std::vector<A> actions;
  for (int step = 0; step < 6; ++step) actions.push_back(policy.next(key(16, 0.1, 16)));
  actions.push_back(policy.next(key(4, 0.1, 4)));  // the epoch's short last batch
  for (int step = 0; step < 3; ++step) actions.push_back(policy.next(key(16, 0.1, 16)));
  for (int step = 0; step < 3; ++step) actions.push_back(policy.next(key(16, 0.01, 16)));
  // Same shape, smaller global batch (one rank's slice of an uneven last batch): eager.
  actions.push_back(policy.next(key(16, 0.01, 31)));
  const std::vector<A> expected = {A::kEager,  A::kEager,  A::kEager, A::kRecordAndReplay,
                                   A::kReplay, A::kReplay, A::kEager, A::kReplay,
                                   A::kReplay, A::kReplay, A::kEager, A::kRecordAndReplay,
                                   A::kReplay, A::kEager};
  EXPECT_EQ(actions, expected);

  StepGraphPolicy warmingUp;
  for (int step = 0; step < 10; ++step) {
    EXPECT_EQ(warmingUp.next(key(16, 0.01 * (step + 1), 16)), A::kEager) << "step " << step;
  }
}

}  // namespace
}  // namespace mu
