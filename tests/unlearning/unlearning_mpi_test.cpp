// FF and IU statistics do not depend on the rank count (issue 5): on real MPI ranks (run plain on
// one rank, and by tests/support/run_mpi_test.sh on two) the Fisher diagonal, the gradient sums,
// the WoodFisher direction and the unlearned FF and IU models equal what one process computes
// alone, and every rank ends with the same values.

#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/masks/masks.h"
#include "pipeline/unlearning/method_registry.h"
#include "pipeline/unlearning/methods/fisher_forgetting.h"
#include "pipeline/unlearning/methods/influence_unlearning.h"
#include "tests/support/mpi_test_main.h"
#include "tests/unlearning/unlearning_toy_data.h"

namespace mu {
namespace {

// True on every rank when every rank holds exactly rank 0's tensor.
bool sameOnEveryRank(Communicator& comm, const torch::Tensor& tensor) {
  torch::Tensor rootCopy = tensor.clone();
  comm.broadcast(rootCopy, 0);
  return !comm.anyTrue(!torch::equal(rootCopy, tensor));
}

class UnlearningRanks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { torch::set_num_threads(1); }

  UnlearningRanks()
      : world_(MPI_COMM_WORLD),
        train_(test::toyTrainSplit(200)),
        forget_(test::classForgetSet(train_, 1)),
        model_(test::toyModel()),
        masks_(test::halfMasks(*model_)) {
    applyMasks(*model_, masks_);
  }

  // The same statistic through the world and through a private single-process communicator.
  template <typename Statistic>
  void expectRankCountIndependent(const Statistic& statistic, const char* what) {
    const ParameterLayout layout(*model_, masks_);
    const StatisticsPass onWorld{*model_, layout, world_, train_, AugmentOptions{}, 0};
    const StatisticsPass alone{*model_, layout, single_, train_, AugmentOptions{}, 0};
    const torch::Tensor distributed = statistic(onWorld);
    const torch::Tensor reference = statistic(alone);
    ASSERT_TRUE(distributed.defined() && reference.defined()) << what;
    EXPECT_GT(reference.abs().sum().item<double>(), 0) << what;
    const double scale = reference.abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(distributed, reference, 1e-4, 1e-6 * scale))
        << what << ": max difference " << (distributed - reference).abs().max().item<double>()
        << " of " << scale << " on " << world_.size() << " ranks";
    EXPECT_TRUE(sameOnEveryRank(world_, distributed)) << what;
  }

  // Runs `name` on a copy of the model through `comm`; returns the unlearned parameters.
  torch::Tensor unlearnedWith(Communicator& comm, const std::string& name) {
    auto model = test::toyModel();
    test::copyParameters(*model_, *model);
    UnlearnContext context(*model, comm, train_, forget_, progress_);
    context.masks = masks_;
    context.batchSize = 16;
    context.seed = 9;
    std::unique_ptr<UnlearningMethod> method = makeUnlearningMethod(name);
    const UnlearnOutcome outcome = method->run(context);
    EXPECT_FALSE(outcome.stopped);
    EXPECT_GT(outcome.seconds, 0);
    return test::flatParameters(*model);
  }

  MpiCommunicator world_;
  SingleProcessCommunicator single_;
  ProgressReporter progress_{"test", false};
  LoadedSplit train_;
  ForgetSet forget_;
  std::shared_ptr<Classifier> model_;
  TensorMap masks_;
};

TEST_F(UnlearningRanks, FisherDiagonalIsTheOneRankValue) {
  // 150 retain samples in batches of 8: 19 batches, dealt round-robin over the ranks.
  expectRankCountIndependent(
      [&](const StatisticsPass& pass) {
        return fisherDiagonal(pass, forget_.retainIds, 8, progress_);
      },
      "Fisher diagonal");
}

TEST_F(UnlearningRanks, GradientSumsAndWoodFisherDirectionAreTheOneRankValues) {
  expectRankCountIndependent(
      [&](const StatisticsPass& pass) {
        return gradientSum(pass, forget_.forgetIds, 7, progress_);
      },
      "forget gradient sum");
  expectRankCountIndependent(
      [&](const StatisticsPass& pass) {
        torch::manual_seed(4);  // the same v on every rank and in both calls
        const torch::Tensor v = torch::randn({pass.layout.numel()});
        return woodFisherDirection(pass, v, forget_.retainIds, 30, progress_);
      },
      "WoodFisher direction");
}

TEST_F(UnlearningRanks, FisherForgettingAndInfluenceUnlearningGiveTheOneRankModel) {
  for (const std::string name : {"ff", "iu"}) {
    const torch::Tensor distributed = unlearnedWith(world_, name);
    const torch::Tensor reference = unlearnedWith(single_, name);
    const torch::Tensor original = test::flatParameters(*model_);
    EXPECT_FALSE(torch::equal(reference, original)) << name;
    const double scale = (reference - original).abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(distributed, reference, 1e-4, 1e-4 * scale)) << name;
    EXPECT_TRUE(sameOnEveryRank(world_, distributed)) << name;
  }
}

}  // namespace
}  // namespace mu

MU_MPI_TEST_MAIN()
