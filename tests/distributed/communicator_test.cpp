// The gradient communication layer on real MPI ranks (run plain on one rank, and by
// tests/support/run_mpi_test.sh on two): collectives, gradient buckets, the initial broadcast, and
// that n-rank data-parallel gradients equal the one-rank gradient of the same global batch.

#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/data/epoch_sampler.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/runtime/mpi_check.h"
#include "pipeline/runtime/mpi_runtime.h"
#include "tests/support/mpi_test_main.h"

namespace mu {
namespace {

std::vector<torch::Tensor> parametersOfSizes(const std::vector<std::vector<int64_t>>& shapes) {
  std::vector<torch::Tensor> parameters;
  for (const auto& shape : shapes) parameters.push_back(torch::zeros(shape).requires_grad_());
  return parameters;
}

// Rank r's gradient of parameter i: 0.25 (r + 1) + 0.5 i + 0.125 j at flat position j. Dyadic
// values, so fp32 sums over ranks are exact and every rank can compute the expected sum itself.
torch::Tensor knownGradient(int rank, size_t index, const torch::Tensor& parameter) {
  const double base = 0.25 * (rank + 1) + 0.5 * static_cast<double>(index);
  return (torch::arange(parameter.numel(), torch::kFloat32) * 0.125 + base).view(parameter.sizes());
}

// The same formula summed over `ranks` (only those listed).
torch::Tensor knownGradientSum(const std::vector<int>& ranks, size_t index,
                               const torch::Tensor& parameter) {
  torch::Tensor sum = torch::zeros_like(parameter);
  for (int r : ranks) sum += knownGradient(r, index, parameter);
  return sum;
}

std::vector<int> allRanks(const Communicator& comm) {
  std::vector<int> ranks(static_cast<size_t>(comm.size()));
  std::iota(ranks.begin(), ranks.end(), 0);
  return ranks;
}

TEST(GradientBucketer, SplitsAtTheByteCapacityInReverseRegistrationOrder) {
  // 10, 20, 30, 5, 40 floats; 200 bytes = 50 floats per bucket. Reverse: 40+5 | 30+20 | 10.
  const GradientBucketer bucketer(parametersOfSizes({{10}, {4, 5}, {2, 3, 5}, {5}, {8, 5}}), 200);
  ASSERT_EQ(bucketer.bucketCount(), 3u);
  EXPECT_EQ(bucketer.bucketParameters(0), (std::vector<size_t>{4, 3}));
  EXPECT_EQ(bucketer.bucketParameters(1), (std::vector<size_t>{2, 1}));  // exactly 200 bytes
  EXPECT_EQ(bucketer.bucketParameters(2), (std::vector<size_t>{0}));
  EXPECT_EQ(bucketer.bucketBytes(0), 180);
  EXPECT_EQ(bucketer.bucketBytes(1), 200);
  EXPECT_EQ(bucketer.bucketBytes(2), 40);
  EXPECT_EQ(bucketer.totalBytes(), 420);
}

TEST(GradientBucketer, CoversEveryParameterOnceAndGivesOversizedOnesTheirOwnBucket) {
  const std::vector<torch::Tensor> parameters =
      parametersOfSizes({{3}, {1000}, {7, 7}, {2}, {300}, {64}, {1}, {2000}, {5}});
  const int64_t capacity = 1024;  // 256 floats: {1000}, {300} and {2000} exceed it
  const GradientBucketer bucketer(parameters, capacity);
  std::vector<size_t> seen;
  for (size_t b = 0; b < bucketer.bucketCount(); ++b) {
    const std::vector<size_t>& members = bucketer.bucketParameters(b);
    ASSERT_FALSE(members.empty());
    if (members.size() > 1) {
      EXPECT_LE(bucketer.bucketBytes(b), capacity) << "bucket " << b;
    }
    // Greedy: the next parameter would not have fitted.
    if (b + 1 < bucketer.bucketCount()) {
      const int64_t next = parameters[bucketer.bucketParameters(b + 1).front()].numel() * 4;
      EXPECT_GT(bucketer.bucketBytes(b) + next, capacity) << "bucket " << b;
    }
    seen.insert(seen.end(), members.begin(), members.end());
  }
  std::vector<size_t> reversed(parameters.size());
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  EXPECT_EQ(seen, reversed);
}

TEST(GradientBucketer, RejectsWhatItCannotCarry) {
  EXPECT_THROW(GradientBucketer(parametersOfSizes({{3}}), 0), std::invalid_argument);
  EXPECT_THROW(GradientBucketer({torch::zeros({3}, torch::kFloat64)}), std::invalid_argument);
  GradientBucketer bucketer(parametersOfSizes({{3}}));
  SingleProcessCommunicator single;
  EXPECT_THROW(bucketer.allReduceAverage(single, 0.0), std::invalid_argument);
  EXPECT_THROW(bucketer.allReduceAverage(single, std::nan("")), std::invalid_argument);
}

TEST(MpiCommunicator, KnowsItsPlaceInTheWorld) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  int rank = -1;
  int size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(comm.rank(), rank);
  EXPECT_EQ(comm.size(), size);
  EXPECT_EQ(comm.backendName(), "mpi");
  EXPECT_NE(comm.comm(), MPI_COMM_WORLD);  // a private duplicate
}

TEST(MpiCommunicator, ReducesScalarsAndAgreesOnFlags) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  const int n = comm.size();
  const int r = comm.rank();
  EXPECT_EQ(comm.allReduceMax(static_cast<double>(r) - 0.5), n - 1.5);
  EXPECT_EQ(comm.allReduceSum(static_cast<double>(r) + 0.5), n * (n - 1) / 2.0 + 0.5 * n);
  const int64_t big = int64_t{1} << 40;  // beyond int and exact in int64
  EXPECT_EQ(comm.allReduceSum(big * (r + 1)), big * n * (n + 1) / 2);
  EXPECT_TRUE(comm.anyTrue(r == n - 1));
  EXPECT_FALSE(comm.anyTrue(false));
  EXPECT_TRUE(comm.anyTrue(true));
  comm.barrier();
}

TEST(MpiCommunicator, SumsFloatTensorsInPlace) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  torch::Tensor values = torch::arange(1000, torch::kFloat32) + comm.rank();
  comm.allReduceSum(values);
  const int n = comm.size();
  const torch::Tensor expected = torch::arange(1000, torch::kFloat32) * n + n * (n - 1) / 2;
  EXPECT_TRUE(torch::equal(values, expected));
  torch::Tensor strided = torch::zeros({4, 4}).t();
  EXPECT_THROW(comm.allReduceSum(strided), std::invalid_argument);
  torch::Tensor doubles = torch::zeros({4}, torch::kFloat64);
  EXPECT_THROW(comm.allReduceSum(doubles), std::invalid_argument);
}

TEST(MpiCommunicator, BroadcastsAnyDtypeAndLayout) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  const int root = comm.size() - 1;  // not always rank 0
  auto fromRank = [](int r) {
    return std::vector<torch::Tensor>{
        torch::full({3, 5}, 1.5 + r, torch::kFloat32), torch::full({7}, 1000 + r, torch::kInt64),
        torch::full({2, 9}, 40 + r, torch::kUInt8), torch::full({4}, 0.25 * r, torch::kFloat64)};
  };
  std::vector<torch::Tensor> mine = fromRank(comm.rank());
  const std::vector<torch::Tensor> expected = fromRank(root);
  for (size_t i = 0; i < mine.size(); ++i) {
    comm.broadcast(mine[i], root);
    EXPECT_TRUE(torch::equal(mine[i], expected[i])) << "tensor " << i;
  }
  // A transposed view: written back through its strides.
  torch::Tensor base = torch::arange(12, torch::kFloat32).view({3, 4}) * (comm.rank() + 1);
  torch::Tensor view = base.t();
  comm.broadcast(view, root);
  EXPECT_TRUE(torch::equal(base, torch::arange(12, torch::kFloat32).view({3, 4}) * (root + 1)));
  EXPECT_THROW(comm.broadcast(view, comm.size()), std::invalid_argument);
}

TEST(GradientBucketer, AllReduceAverageIsTheMeanOfEveryRanksGradients) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  std::vector<torch::Tensor> parameters =
      parametersOfSizes({{3, 4}, {7}, {2, 2, 2}, {1}, {5, 5}, {6, 3}});
  for (const int64_t capacity :
       {int64_t{64}, int64_t{200}, GradientBucketer::kDefaultCapacityBytes}) {
    GradientBucketer bucketer(parameters, capacity);
    for (size_t i = 0; i < parameters.size(); ++i) {
      parameters[i].mutable_grad() = knownGradient(comm.rank(), i, parameters[i]);
    }
    // A non-contiguous gradient is read and written through its strides.
    parameters[5].mutable_grad() =
        knownGradient(comm.rank(), 5, parameters[5]).t().contiguous().t();
    ASSERT_FALSE(parameters[5].grad().is_contiguous());
    bucketer.allReduceAverage(comm, comm.size());
    for (size_t i = 0; i < parameters.size(); ++i) {
      const torch::Tensor expected =
          knownGradientSum(allRanks(comm), i, parameters[i]) / comm.size();
      EXPECT_TRUE(torch::allclose(parameters[i].grad(), expected, 1e-6, 1e-6))
          << "parameter " << i << " capacity " << capacity;
    }
    // The gradients now live in the buckets: what backward adds in place is summed directly.
    for (torch::Tensor& parameter : parameters) parameter.mutable_grad().fill_(1);
    bucketer.allReduceAverage(comm, 1.0);
    for (size_t i = 0; i < parameters.size(); ++i) {
      EXPECT_TRUE(torch::equal(parameters[i].grad(),
                               torch::full_like(parameters[i], static_cast<float>(comm.size()))))
          << "parameter " << i << " capacity " << capacity;
    }
  }
}

TEST(GradientBucketer, DivisorOneLeavesTheExactSum) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  std::vector<torch::Tensor> parameters = parametersOfSizes({{9}, {4, 4}});
  GradientBucketer bucketer(parameters, 40);
  for (size_t i = 0; i < parameters.size(); ++i) {
    parameters[i].mutable_grad() = knownGradient(comm.rank(), i, parameters[i]);
  }
  bucketer.allReduceAverage(comm, 1.0);
  for (size_t i = 0; i < parameters.size(); ++i) {
    EXPECT_TRUE(
        torch::equal(parameters[i].grad(), knownGradientSum(allRanks(comm), i, parameters[i])));
  }
}

TEST(GradientBucketer, UndefinedGradientsContributeZeros) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  std::vector<torch::Tensor> parameters = parametersOfSizes({{4}, {3, 2}, {5}});
  GradientBucketer bucketer(parameters, 24);  // several buckets, one with both kinds
  // Parameter 0: a gradient everywhere. Parameter 1: nowhere (an unused layer). Parameter 2:
  // everywhere except rank 0 (a branch rank 0's samples did not reach).
  parameters[0].mutable_grad() = knownGradient(comm.rank(), 0, parameters[0]);
  if (comm.rank() != 0) parameters[2].mutable_grad() = knownGradient(comm.rank(), 2, parameters[2]);
  bucketer.allReduceAverage(comm, 1.0);

  std::vector<int> notRankZero = allRanks(comm);
  notRankZero.erase(notRankZero.begin());
  EXPECT_TRUE(
      torch::equal(parameters[0].grad(), knownGradientSum(allRanks(comm), 0, parameters[0])));
  ASSERT_TRUE(parameters[1].grad().defined());
  EXPECT_TRUE(torch::equal(parameters[1].grad(), torch::zeros({3, 2})));
  ASSERT_TRUE(parameters[2].grad().defined());
  EXPECT_TRUE(torch::equal(parameters[2].grad(), knownGradientSum(notRankZero, 2, parameters[2])));
  // Writing one gradient (now a view of its bucket) leaves the others as they were.
  const torch::Tensor kept = parameters[1].grad().clone();
  parameters[0].mutable_grad().fill_(7);
  bucketer.allReduceAverage(comm, 1.0);
  EXPECT_TRUE(torch::equal(parameters[1].grad(), kept));
}

TEST(GradientBucketer, ZeroGradientsZeroesInPlaceAndKeepsThemInTheBuckets) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  std::vector<torch::Tensor> parameters = parametersOfSizes({{4}, {3, 2}, {5}});
  GradientBucketer bucketer(parameters, 24);
  // Before any sum the gradients are tensors of their own (one undefined): zeroed one by one.
  parameters[0].mutable_grad() = knownGradient(comm.rank(), 0, parameters[0]);
  parameters[2].mutable_grad() = knownGradient(comm.rank(), 2, parameters[2]);
  const void* ownStorage = parameters[0].grad().data_ptr();
  bucketer.zeroGradients();
  EXPECT_EQ(parameters[0].grad().data_ptr(), ownStorage);
  EXPECT_TRUE(torch::equal(parameters[0].grad(), torch::zeros({4})));
  EXPECT_FALSE(parameters[1].grad().defined());
  // After a sum they are views of the buckets: zeroing keeps them there, and a backward's
  // accumulation then lands in the bucket and is summed.
  parameters[2].mutable_grad().fill_(1);
  bucketer.allReduceAverage(comm, 1.0);
  std::vector<const void*> slots;
  for (const torch::Tensor& parameter : parameters) slots.push_back(parameter.grad().data_ptr());
  bucketer.zeroGradients();
  for (size_t i = 0; i < parameters.size(); ++i) {
    EXPECT_EQ(parameters[i].grad().data_ptr(), slots[i]) << "parameter " << i;
    EXPECT_TRUE(torch::equal(parameters[i].grad(), torch::zeros_like(parameters[i])));
  }
  parameters[1].mutable_grad().add_(knownGradient(comm.rank(), 1, parameters[1]));
  bucketer.allReduceAverage(comm, 1.0);
  EXPECT_TRUE(
      torch::equal(parameters[1].grad(), knownGradientSum(allRanks(comm), 1, parameters[1])));
  EXPECT_TRUE(torch::equal(parameters[0].grad(), torch::zeros({4})));
}

TEST(GradientBucketer, ChannelsLastGradientsKeepTheirParametersLayoutInTheBuckets) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  // An NHWC conv weight (--channels-last) beside a plain one: each slot takes its parameter's
  // strides, so backward accumulates into it without a layout change (and autograd's warning).
  std::vector<torch::Tensor> parameters = {
      torch::zeros({4, 3, 2, 2}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(),
      torch::zeros({5}).requires_grad_()};
  GradientBucketer bucketer(parameters, 1 << 20);
  for (size_t i = 0; i < parameters.size(); ++i) {
    parameters[i].mutable_grad() = knownGradient(comm.rank(), i, parameters[i]);
  }
  bucketer.allReduceAverage(comm, 1.0);
  for (size_t i = 0; i < parameters.size(); ++i) {
    EXPECT_EQ(parameters[i].grad().strides(), parameters[i].strides()) << "parameter " << i;
    EXPECT_TRUE(
        torch::equal(parameters[i].grad(), knownGradientSum(allRanks(comm), i, parameters[i])));
  }
  // A backward through a channels-last convolution accumulates straight into the slot.
  const void* slot = parameters[0].grad().data_ptr();
  bucketer.zeroGradients();
  const torch::Tensor input =
      torch::ones({1, 3, 4, 4}).contiguous(torch::MemoryFormat::ChannelsLast);
  torch::conv2d(input, parameters[0]).sum().backward();
  EXPECT_EQ(parameters[0].grad().data_ptr(), slot);
  EXPECT_TRUE(torch::equal(parameters[0].grad(), torch::full({4, 3, 2, 2}, 9.0f)));
}

// A model whose parameters come from seed 100 + `seedRank` and whose buffers (BatchNorm running
// statistics, an int64 counter) are filled with `seedRank`-dependent values.
torch::nn::Sequential makeModel(int seedRank) {
  torch::manual_seed(100 + static_cast<uint64_t>(seedRank));
  torch::nn::Sequential model(torch::nn::Linear(4, 5), torch::nn::BatchNorm1d(5),
                              torch::nn::Linear(5, 2));
  torch::NoGradGuard noGrad;
  for (torch::Tensor& buffer : model->buffers()) buffer.fill_(seedRank + 3);
  return model;
}

void expectSameState(torch::nn::Module& actual, torch::nn::Module& expected) {
  const auto actualParameters = actual.named_parameters();
  const auto expectedParameters = expected.named_parameters();
  ASSERT_EQ(actualParameters.size(), expectedParameters.size());
  for (const auto& item : actualParameters) {
    EXPECT_TRUE(torch::equal(item.value(), expectedParameters[item.key()])) << item.key();
  }
  const auto actualBuffers = actual.named_buffers();
  const auto expectedBuffers = expected.named_buffers();
  ASSERT_EQ(actualBuffers.size(), expectedBuffers.size());
  for (const auto& item : actualBuffers) {
    EXPECT_TRUE(torch::equal(item.value(), expectedBuffers[item.key()])) << item.key();
  }
}

TEST(BroadcastParametersAndBuffers, EveryRankStartsFromRankZerosModel) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  torch::nn::Sequential model = makeModel(comm.rank());
  torch::nn::Sequential rankZero = makeModel(0);
  if (comm.size() > 1 && comm.rank() != 0) {
    ASSERT_FALSE(torch::equal(model->parameters().front(), rankZero->parameters().front()));
  }
  broadcastParametersAndBuffers(*model, comm);
  expectSameState(*model, *rankZero);
  EXPECT_TRUE(model->parameters().front().requires_grad());
}

TEST(BroadcastParametersAndBuffers, DifferentModelsFailOnEveryRank) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  if (comm.size() < 2) GTEST_SKIP() << "needs two ranks";
  torch::nn::Sequential model = makeModel(0);
  if (comm.rank() == 1) model->push_back(torch::nn::Linear(2, 2));
  EXPECT_THROW(broadcastParametersAndBuffers(*model, comm), SystemError);
  comm.barrier();  // still in step: nothing was left unmatched
}

// Two ranks each summing the per-sample losses of their half of a batch, divided by the GLOBAL
// batch size, and all-reducing: the gradient is the one-rank full-batch gradient.
TEST(DataParallel, RankSlicesGiveTheFullBatchGradient) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  const int64_t batch = 11;  // odd: the ranks' slices differ in size
  torch::manual_seed(5);
  const torch::Tensor inputs = torch::randn({batch, 6});
  const torch::Tensor labels = torch::randint(0, 3, {batch}, torch::kInt64);
  auto lossOf = [batch](torch::nn::Linear& model, const torch::Tensor& x, const torch::Tensor& y) {
    return torch::nn::functional::cross_entropy(
               model(x), y,
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)) /
           static_cast<double>(batch);
  };

  torch::manual_seed(comm.rank());  // initialised differently, then made equal
  torch::nn::Linear model(6, 3);
  broadcastParametersAndBuffers(*model, comm);
  const auto [begin, end] = EpochSampler::sliceBounds(batch, comm.rank(), comm.size());
  lossOf(model, inputs.slice(0, begin, end), labels.slice(0, begin, end)).backward();
  GradientBucketer bucketer(model->parameters(), 16);  // weight and bias in separate buckets
  ASSERT_EQ(bucketer.bucketCount(), 2u);
  bucketer.allReduceAverage(comm, 1.0);

  torch::nn::Linear reference(6, 3);
  {
    torch::NoGradGuard noGrad;
    reference->weight.copy_(model->weight);
    reference->bias.copy_(model->bias);
  }
  lossOf(reference, inputs, labels).backward();
  const double weightError =
      (model->weight.grad() - reference->weight.grad()).abs().max().item<double>();
  const double biasError = (model->bias.grad() - reference->bias.grad()).abs().max().item<double>();
  EXPECT_LE(weightError, 1e-6);
  EXPECT_LE(biasError, 1e-6);
}

TEST(SingleProcessCommunicator, IsTheIdentityWithTheSameChecks) {
  SingleProcessCommunicator single;
  EXPECT_EQ(single.size(), 1);
  EXPECT_EQ(single.rank(), 0);
  EXPECT_EQ(single.allReduceSum(int64_t{5}), 5);
  EXPECT_EQ(single.allReduceMax(2.5), 2.5);
  EXPECT_TRUE(single.anyTrue(true));
  torch::Tensor strided = torch::zeros({4, 4}).t();
  EXPECT_THROW(single.allReduceSum(strided), std::invalid_argument);
  EXPECT_THROW(single.broadcast(strided, 1), std::invalid_argument);

  std::vector<torch::Tensor> parameters = parametersOfSizes({{3}, {2}});
  parameters[0].mutable_grad() = torch::full({3}, 6.0);
  GradientBucketer bucketer(parameters);
  bucketer.allReduceAverage(single, 4.0);
  EXPECT_TRUE(torch::equal(parameters[0].grad(), torch::full({3}, 1.5)));
  EXPECT_TRUE(torch::equal(parameters[1].grad(), torch::zeros({2})));
}

TEST(CheckMpi, NamesTheFailedCall) {
  EXPECT_NO_THROW(checkMpi(MPI_SUCCESS, "MPI_Barrier"));
  try {
    checkMpi(MPI_ERR_COUNT, "MPI_Bcast");
    FAIL() << "no exception";
  } catch (const SystemError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("MPI_Bcast failed: ", 0), 0u) << message;
    EXPECT_NE(message.find("count"), std::string::npos) << message;  // MPI's own description
  }
}

TEST(MpiRuntime, FindsNodeLocalRanksUnderAnExistingInit) {
  int argc = 0;
  char** argv = nullptr;
  MpiRuntime runtime(argc, argv);  // MPI is already up (the test main): used, not re-initialised
  int rank = -1;
  int size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(runtime.rank(), rank);
  EXPECT_EQ(runtime.size(), size);
  // The tests run on one node: local ranks are the world ranks.
  EXPECT_EQ(runtime.localRank(), rank);
  EXPECT_EQ(runtime.localSize(), size);
}

}  // namespace
}  // namespace mu

MU_MPI_TEST_MAIN()
