// The GPU path. Everywhere: gradient buckets whose sums start from autograd hooks (overlap) give
// the same gradients as the plain sequence, on one rank and on two. On a CUDA device (with a
// CUDA LibTorch and the NCCL build): NCCL sums equal MPI sums of the same data, overlapped NCCL
// buckets equal synchronous ones, a training step on the GPU equals the CPU's within fp32
// tolerance, pruned weights stay exactly zero there, batches built on the GPU equal the host's
// bit for bit, and steps replayed from a CUDA graph train as eager steps do. Without a GPU those
// tests skip.

#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "pipeline/data/augment.h"
#include "pipeline/data/batch_on_device.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/distributed/gradient_communicator.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/training/training_loop.h"
#include "tests/support/mpi_test_main.h"

namespace mu {
namespace {

std::shared_ptr<Classifier> smallModel(torch::Device device) {
  torch::manual_seed(7);
  auto model = makeModel({"resnet20s", 10, 3, false, {}, {}});
  placeModel(*model, device);
  return model;
}

// Per-rank data so that the summed gradient differs from any one rank's.
std::pair<torch::Tensor, torch::Tensor> batchFor(int rank) {
  torch::manual_seed(100 + static_cast<uint64_t>(rank));
  return {torch::rand({8, 3, 32, 32}), torch::randint(0, 10, {8}, torch::kInt64)};
}

void backward(Classifier& model, const torch::Tensor& images, const torch::Tensor& labels) {
  const torch::Device device = model.parameters().front().device();
  torch::nn::functional::cross_entropy(model.forward(images.to(device)), labels.to(device))
      .backward();
}

std::vector<torch::Tensor> gradientsOf(Classifier& model) {
  std::vector<torch::Tensor> gradients;
  for (const torch::Tensor& parameter : model.parameters()) {
    gradients.push_back(parameter.grad().detach().to(torch::kCPU).clone());
  }
  return gradients;
}

void zeroGradients(Classifier& model) {
  for (torch::Tensor& parameter : model.parameters()) {
    if (parameter.grad().defined()) parameter.mutable_grad().zero_();
  }
}

void expectSameGradients(const std::vector<torch::Tensor>& actual,
                         const std::vector<torch::Tensor>& expected, double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (tolerance == 0) {
      EXPECT_TRUE(torch::equal(actual[i], expected[i])) << "parameter " << i;
    } else {
      EXPECT_TRUE(torch::allclose(actual[i], expected[i], tolerance, tolerance))
          << "parameter " << i << ": max difference "
          << (actual[i] - expected[i]).abs().max().item<double>();
    }
  }
}

// Two steps of data-parallel gradients of a small ResNet through 64 KiB buckets (many
// collectives), with or without overlap.
std::vector<std::vector<torch::Tensor>> bucketedSteps(torch::Device device, Communicator& comm,
                                                      bool overlap) {
  auto model = smallModel(device);
  GradientBucketer buckets(model->parameters(), 64 << 10);
  if (overlap) buckets.enableOverlap(comm);
  std::vector<std::vector<torch::Tensor>> steps;
  for (int step = 0; step < 2; ++step) {
    zeroGradients(*model);
    const auto [images, labels] = batchFor(comm.rank() + 10 * step);
    backward(*model, images, labels);
    buckets.allReduceAverage(comm, static_cast<double>(comm.size()));
    steps.push_back(gradientsOf(*model));
  }
  return steps;
}

bool cudaReady(std::string& why) {
#ifndef MU_HAVE_TORCH_CUDA
  why = "this build has no CUDA LibTorch with NCCL (MU_HAVE_TORCH_CUDA): GPU test skipped";
  return false;
#else
  if (!torch::cuda::is_available()) {
    why = "no CUDA device visible to LibTorch: GPU test skipped";
    return false;
  }
  return true;
#endif
}

#define MU_REQUIRE_CUDA()                     \
  do {                                        \
    std::string why;                          \
    if (!cudaReady(why)) GTEST_SKIP() << why; \
  } while (false)

TEST(Overlap, GivesTheGradientsOfThePlainSequence) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  const auto plain = bucketedSteps(torch::kCPU, comm, false);
  const auto overlapped = bucketedSteps(torch::kCPU, comm, true);
  for (size_t step = 0; step < plain.size(); ++step)
    expectSameGradients(overlapped[step], plain[step], 0);
}

TEST(Overlap, StartsTheBucketsBackwardDidNotFill) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  std::vector<torch::Tensor> parameters;
  for (int64_t size : {1000, 3000, 500})
    parameters.push_back(torch::zeros({size}).requires_grad_());
  GradientBucketer buckets(parameters, 4000);  // one bucket per parameter
  buckets.enableOverlap(comm);
  for (int step = 0; step < 3; ++step) {
    for (torch::Tensor& parameter : parameters) {
      if (parameter.grad().defined()) parameter.mutable_grad().zero_();
    }
    // Step 1 leaves the last parameter (the first bucket) without a gradient; rank r's
    // gradient of parameter i is r + 1 + i everywhere, so sums are exact.
    torch::Tensor loss = torch::zeros({});
    for (size_t i = 0; i < parameters.size(); ++i) {
      if (step == 1 && i + 1 == parameters.size()) continue;
      loss =
          loss + parameters[i].sum() * static_cast<double>(comm.rank() + 1 + static_cast<int>(i));
    }
    loss.backward();
    buckets.allReduceAverage(comm, 1.0);
    const int n = comm.size();
    for (size_t i = 0; i < parameters.size(); ++i) {
      const bool used = !(step == 1 && i + 1 == parameters.size());
      const double expected = used ? n * (n + 1) / 2.0 + n * static_cast<double>(i) : 0.0;
      EXPECT_TRUE(torch::equal(parameters[i].grad(), torch::full_like(parameters[i], expected)))
          << "step " << step << " parameter " << i;
    }
  }
}

TEST(Overlap, RefusesASecondBackwardBeforeTheSum) {
  SingleProcessCommunicator comm;
  torch::Tensor parameter = torch::zeros({4}).requires_grad_();
  GradientBucketer buckets({parameter});
  buckets.enableOverlap(comm);
  parameter.sum().backward();
  EXPECT_THROW(parameter.sum().backward(), std::exception);
}

TEST(Gpu, NcclSumsEqualMpiSumsOfTheSameData) {
  MU_REQUIRE_CUDA();
  MpiCommunicator mpi(MPI_COMM_WORLD);
  const torch::Device device = resolveDevice("cuda");
  auto nccl = makeDeviceCommunicator(mpi, device, "none");
  ASSERT_NE(nccl, nullptr);
  EXPECT_EQ(nccl->backendName(), "nccl");
  // Dyadic values: fp32 sums are exact in any order, so NCCL and MPI must agree bit for bit.
  torch::Tensor host = (torch::arange(1 << 20, torch::kFloat32) * 0.125 + 0.25 * (mpi.rank() + 1));
  torch::Tensor onDevice = host.to(device);
  mpi.allReduceSum(host);
  nccl->allReduceSum(onDevice);
  EXPECT_TRUE(torch::equal(onDevice.cpu(), host));
  // One rank: the sum is the identity.
  if (mpi.size() == 1) {
    EXPECT_TRUE(
        torch::equal(onDevice.cpu(), torch::arange(1 << 20, torch::kFloat32) * 0.125 + 0.25));
  }
  torch::Tensor fromRoot =
      torch::full({5}, static_cast<double>(mpi.rank()), torch::kFloat64).to(device);
  nccl->broadcast(fromRoot, 0);
  EXPECT_TRUE(torch::equal(fromRoot.cpu(), torch::zeros({5}, torch::kFloat64)));
}

TEST(Gpu, OverlappedNcclBucketsEqualSynchronousOnes) {
  MU_REQUIRE_CUDA();
  MpiCommunicator mpi(MPI_COMM_WORLD);
  const torch::Device device = resolveDevice("cuda");
  auto nccl = makeDeviceCommunicator(mpi, device, "none");
  ASSERT_TRUE(nccl->overlapsWithCompute());
  // cuDNN's weight gradients may sum in a different order on every run (atomics), which moves
  // the last bits of every convolution's gradient even without any communicator (the first GPU
  // check saw exactly that): deterministic algorithms, and a bound far below what a missed,
  // doubled or stale bucket would give (differences of the gradients' own size).
  const bool wasDeterministic = at::globalContext().deterministicCuDNN();
  at::globalContext().setDeterministicCuDNN(true);
  const auto synchronous = bucketedSteps(device, *nccl, false);
  const auto overlapped = bucketedSteps(device, *nccl, true);
  at::globalContext().setDeterministicCuDNN(wasDeterministic);
  for (size_t step = 0; step < synchronous.size(); ++step) {
    expectSameGradients(overlapped[step], synchronous[step], 1e-6);
  }
  // And the same sums as MPI on the CPU, up to CUDA-vs-CPU arithmetic.
  const auto onCpu = bucketedSteps(torch::kCPU, mpi, false);
  at::globalContext().setAllowTF32CuDNN(false);
  const auto exactConv = bucketedSteps(device, *nccl, true);
  at::globalContext().setAllowTF32CuDNN(true);
  for (size_t step = 0; step < onCpu.size(); ++step)
    expectSameGradients(exactConv[step], onCpu[step], 1e-3);
}

TEST(Gpu, Bf16CompressionStaysWithinBf16Rounding) {
  MU_REQUIRE_CUDA();
  MpiCommunicator mpi(MPI_COMM_WORLD);
  const torch::Device device = resolveDevice("cuda");
  auto compressed = makeDeviceCommunicator(mpi, device, "bf16");
  EXPECT_EQ(compressed->backendName(), "nccl-bf16");
  auto plain = makeDeviceCommunicator(mpi, device, "none");
  torch::manual_seed(3 + static_cast<uint64_t>(mpi.rank()));
  const torch::Tensor values = torch::randn({100000}, torch::kFloat32).to(device);
  torch::Tensor exact = values.clone();
  plain->allReduceSum(exact);
  torch::Tensor sum = values.clone();
  compressed->allReduceSum(sum);
  // bf16 keeps 8 significant bits: each value and each partial sum is rounded to 2^-8 relative.
  EXPECT_TRUE(torch::allclose(sum, exact, 2e-2, 2e-2 * mpi.size()));
  EXPECT_FALSE(torch::equal(sum, exact));  // it did travel as bf16
}

TEST(Gpu, TrainingStepMatchesTheCpuAndKeepsPrunedWeightsZero) {
  MU_REQUIRE_CUDA();
  const torch::Device device = resolveDevice("cuda");
  at::globalContext().setAllowTF32CuDNN(false);  // compare fp32 with fp32
  std::vector<std::vector<torch::Tensor>> weights;
  for (const torch::Device& where : {torch::Device(torch::kCPU), device}) {
    auto model = smallModel(where);
    TensorMap masks;
    for (auto& [name, parameter] : namedParameterList(*model)) {
      if (parameter.dim() == 4)
        masks[name] =
            (torch::arange(parameter.numel()) % 3 != 0).to(torch::kFloat32).view(parameter.sizes());
    }
    {
      torch::NoGradGuard noGrad;
      for (auto& [name, parameter] : namedParameterList(*model)) {
        if (masks.count(name)) parameter.mul_(masks[name].to(where));
      }
    }
    MaskedSgd sgd(namedParameterList(*model), {0.1, 0.9, 5e-4}, masks);
    for (int step = 0; step < 3; ++step) {
      sgd.zeroGrad();
      const auto [images, labels] = batchFor(step);
      backward(*model, images, labels);
      sgd.step();
    }
    for (auto& [name, parameter] : namedParameterList(*model)) {
      if (!masks.count(name)) continue;
      EXPECT_TRUE(torch::equal(parameter.detach().cpu().masked_select(masks[name] == 0),
                               torch::zeros({(masks[name] == 0).sum().item<int64_t>()})))
          << name << " on " << where.str();
      EXPECT_EQ(sgd.momentum().at(name).device(), parameter.device()) << name;
    }
    std::vector<torch::Tensor> values;
    for (const torch::Tensor& parameter : model->parameters())
      values.push_back(parameter.detach().cpu());
    weights.push_back(values);
  }
  at::globalContext().setAllowTF32CuDNN(true);
  expectSameGradients(weights[1], weights[0], 1e-3);
}

TEST(Gpu, BatchesBuiltOnTheGpuEqualTheHostsBitForBit) {
  MU_REQUIRE_CUDA();
  const torch::Device device = resolveDevice("cuda");
  torch::manual_seed(3);
  const torch::Tensor images = torch::randint(0, 256, {500, 3, 32, 32}, torch::kUInt8);
  const torch::Tensor labels = torch::randint(0, 10, {500}, torch::kInt64);
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < 256; ++i) rows.push_back((i * 7) % 500);
  for (const AugmentOptions& options : {AugmentOptions{4, true}, AugmentOptions{}}) {
    const torch::Tensor host = makeImageBatch(images, rows, rows, options, 5, 1);
    const torch::Tensor onGpu =
        makeImageBatch(images, rows, rows, options, 5, 1, {device, /*channelsLast=*/true});
    EXPECT_EQ(onGpu.device(), device);
    EXPECT_TRUE(torch::equal(onGpu.cpu(), host)) << "padding " << options.cropPadding;
  }
  EXPECT_TRUE(torch::equal(makeLabelBatch(labels, rows, device).cpu(),
                           labels.index_select(0, torch::tensor(rows))));
}

// Two epochs of TrainingLoop on random CIFAR-shaped images: 7 steps each (a short last batch),
// a rate that drops for the second epoch, pruning masks, NCCL overlap. Returns the weights, the
// momentum and the epochs' loss sums.
struct LoopRun {
  std::vector<torch::Tensor> weights;
  std::vector<torch::Tensor> momentum;
  std::vector<double> lossSums;
};

LoopRun trainWithLoop(torch::Device device, Communicator& comm, bool cudaGraphs) {
  auto model = smallModel(device);
  TensorMap masks;
  for (auto& [name, parameter] : namedParameterList(*model)) {
    if (parameter.dim() == 4) {
      masks[name] =
          (torch::arange(parameter.numel()) % 4 != 0).to(torch::kFloat32).view(parameter.sizes());
    }
  }
  MaskedSgd sgd(namedParameterList(*model), {0.05, 0.9, 5e-4}, masks);
  GradientBucketer buckets(model->parameters(), 64 << 10);
  const LrSchedule schedule({"multistep", 0.05, {1}, 0.1, 2, 0});
  TrainingLoop loop(*model, comm, sgd, buckets, schedule, crossEntropyLoss());
  if (cudaGraphs) loop.enableCudaGraphs();
  torch::manual_seed(11);
  SampleSet data;
  data.images =
      std::make_shared<InMemorySource>(torch::randint(0, 256, {100, 3, 32, 32}, torch::kUInt8));
  data.labels = torch::randint(0, 10, {100}, torch::kInt64);
  for (int64_t i = 0; i < 100; ++i) data.rows.push_back(i);
  data.augment = {4, true};
  ProgressReporter silent("test", false);
  LoopRun run;
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    const EpochOutcome outcome = loop.runEpoch(
        data, {epoch, 2, 0, 16, 3}, [](int64_t, int64_t) {}, silent);
    run.lossSums.push_back(outcome.lossSum);
  }
  for (const torch::Tensor& parameter : model->parameters()) {
    run.weights.push_back(parameter.detach().cpu());
  }
  for (const auto& [name, buffer] : sgd.momentum()) run.momentum.push_back(buffer.cpu());
  return run;
}

TEST(Gpu, CudaGraphStepsTrainAsEagerStepsDo) {
  MU_REQUIRE_CUDA();
  MpiCommunicator mpi(MPI_COMM_WORLD);
  const torch::Device device = resolveDevice("cuda");
  auto nccl = makeDeviceCommunicator(mpi, device, "none");
  // Replays run the recorded kernels, so with deterministic cuDNN the runs agree to the bit
  // but for kernels whose reduction order varies run to run; 1e-6 is far below a missed step.
  const bool wasDeterministic = at::globalContext().deterministicCuDNN();
  at::globalContext().setDeterministicCuDNN(true);
  const LoopRun eager = trainWithLoop(device, *nccl, false);
  const LoopRun graphs = trainWithLoop(device, *nccl, true);
  at::globalContext().setDeterministicCuDNN(wasDeterministic);
  expectSameGradients(graphs.weights, eager.weights, 1e-6);
  expectSameGradients(graphs.momentum, eager.momentum, 1e-6);
  ASSERT_EQ(graphs.lossSums.size(), 2u);
  for (size_t epoch = 0; epoch < 2; ++epoch) {
    EXPECT_NEAR(graphs.lossSums[epoch], eager.lossSums[epoch], 1e-6 * eager.lossSums[epoch]);
  }
  // The weights did move in the second epoch, where all but the short batch replayed.
  auto untrained = smallModel(torch::kCPU);
  EXPECT_FALSE(torch::allclose(graphs.weights.front(), untrained->parameters().front()));
}

}  // namespace
}  // namespace mu

MU_MPI_TEST_MAIN()
