// Model registry: the architectures must match the PyTorch reference in parameter count, naming,
// output shape and initialisation, because checkpoints are exchanged as PyTorch-style state dicts
// and sparsity is measured over exactly the conv weights.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/models/foldable_batch_norm.h"
#include "pipeline/models/model_registry.h"

namespace mu {
namespace {

ModelSpec spec(const std::string& arch, int classes = 10, int channels = 3) {
  ModelSpec s;
  s.arch = arch;
  s.numClasses = classes;
  s.inChannels = channels;
  if (channels != 3) {
    s.mean.assign(static_cast<std::size_t>(channels), 0.2860);  // Fashion-MNIST statistics
    s.std.assign(static_cast<std::size_t>(channels), 0.3530);
  }
  return s;
}

int64_t countAll(const torch::nn::Module& model) {
  int64_t n = 0;
  for (const auto& p : model.parameters()) n += p.numel();
  return n;
}

int64_t countOf(const NamedTensors& weights) {
  int64_t n = 0;
  for (const auto& w : weights) n += w.second.numel();
  return n;
}

std::vector<std::string> keysOf(const NamedTensors& weights) {
  std::vector<std::string> keys;
  for (const auto& w : weights) keys.push_back(w.first);
  return keys;
}

bool contains(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Hand counts (conv weights, BN, FC) agree with a direct computation from the architecture and
// with the spec (resnet18) and the well-known ResNet-s sizes (0.27M / 0.66M / 0.85M).
struct Count {
  const char* arch;
  int channels;
  int64_t total;
  int64_t conv;
  int64_t linear;  // Linear weights only (biases are counted in total)
};

class ParameterCount : public ::testing::TestWithParam<Count> {};

TEST_P(ParameterCount, MatchesTheReference) {
  const Count& c = GetParam();
  const auto model = makeModel(spec(c.arch, 10, c.channels));
  EXPECT_EQ(countAll(*model), c.total);
  EXPECT_EQ(countOf(model->convWeights()), c.conv);
  EXPECT_EQ(countOf(model->linearWeights()), c.linear);
}

INSTANTIATE_TEST_SUITE_P(
    Models, ParameterCount,
    ::testing::Values(
        // docs/reference-behaviour.md §4.1: conv 11 159 232 + BN 9 600 + FC 5 130
        Count{"resnet18", 3, 11'173'962, 11'159'232, 5'120},
        Count{"resnet18", 1, 11'172'810, 11'158'080, 5'120},
        // 16*3*9 stem + 3 stages of 3 blocks; 1 channel drops 2*16*9 stem weights
        Count{"resnet20s", 3, 269'722, 267'696, 640}, Count{"resnet20s", 1, 269'434, 267'408, 640},
        Count{"resnet44s", 3, 658'586, 654'768, 640}, Count{"resnet56s", 3, 853'018, 848'304, 640},
        // torchvision's resnet50 has 25 557 032 with the 7x7 stem and 1000 classes; here 3x3 stem
        // (-7 680 weights) and 10 classes (-2 028 510)
        Count{"resnet50", 3, 23'520'842, 23'447'232, 20'480},
        // torchvision vgg16_bn features minus conv biases; classifier 2048-256-256-10
        Count{"vgg16_bn", 3, 15'311'818, 14'710'464, 592'384}),
    [](const ::testing::TestParamInfo<Count>& param) {
      return std::string(param.param.arch) + "_" + std::to_string(param.param.channels) + "ch";
    });

TEST(Models, ImagenetStemCounts) {
  auto s = spec("resnet50", 1000);
  s.imagenetStem = true;
  EXPECT_EQ(countAll(*makeModel(s)), 25'557'032);  // torchvision.models.resnet50()
  s.arch = "resnet18";
  EXPECT_EQ(countAll(*makeModel(s)), 11'689'512);  // torchvision.models.resnet18()
}

TEST(Models, OutputShapes) {
  torch::NoGradGuard noGrad;
  for (const auto& arch : modelNames()) {
    SCOPED_TRACE(arch);
    for (int channels : {3, 1}) {
      const int64_t side = channels == 3 ? 32 : 28;
      const auto model = makeModel(spec(arch, 7, channels));
      model->eval();
      const auto out = model->forward(torch::rand({2, channels, side, side}));
      EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 7}));
      EXPECT_TRUE(out.isfinite().all().item<bool>());
    }
  }
}

TEST(Models, ImagenetStemForward) {
  torch::NoGradGuard noGrad;
  auto s = spec("resnet18", 1000);
  s.imagenetStem = true;
  const auto model = makeModel(s);
  model->eval();
  EXPECT_EQ(model->forward(torch::rand({1, 3, 224, 224})).sizes(), (std::vector<int64_t>{1, 1000}));
  // The 7x7 stride-2 stem is really there: a 7x7 first kernel.
  EXPECT_EQ(model->convWeights().front().second.sizes(), (std::vector<int64_t>{64, 3, 7, 7}));
}

TEST(Models, TrainModeBackwardReachesEveryParameter) {
  const auto model = makeModel(spec("resnet20s", 10, 1));
  model->train();
  const auto logits = model->forward(torch::rand({4, 1, 28, 28}));
  torch::nn::functional::cross_entropy(logits, torch::tensor({0, 1, 2, 3})).backward();
  for (const auto& p : model->named_parameters()) {
    EXPECT_TRUE(p.value().grad().defined()) << p.key();
  }
}

TEST(Models, ResNet18NamesFollowTorchvision) {
  const auto model = makeModel(spec("resnet18"));
  const auto params = model->named_parameters().keys();
  for (const char* key :
       {"conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
        "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer4.1.conv2.weight",
        "fc.weight", "fc.bias"}) {
    EXPECT_TRUE(contains(params, key)) << key;
  }
  EXPECT_FALSE(contains(params, "conv1.bias"));                    // bias-free convs
  EXPECT_FALSE(contains(params, "layer1.0.downsample.0.weight"));  // identity shortcut there

  // The reference registers normalize first, so it leads the buffers of the state dict.
  const auto buffers = model->named_buffers().keys();
  ASSERT_GE(buffers.size(), 2U);
  EXPECT_EQ(buffers[0], "normalize.mean");
  EXPECT_EQ(buffers[1], "normalize.std");
  EXPECT_TRUE(contains(buffers, "bn1.running_mean"));
  EXPECT_TRUE(contains(buffers, "layer3.0.downsample.1.num_batches_tracked"));

  // 1 stem + 16 block convs + 3 projections, in registration order.
  const auto convs = keysOf(model->convWeights());
  ASSERT_EQ(convs.size(), 20U);
  EXPECT_EQ(convs[0], "conv1.weight");
  EXPECT_EQ(convs[1], "layer1.0.conv1.weight");
  EXPECT_EQ(convs[5], "layer2.0.conv1.weight");
  EXPECT_EQ(convs[7], "layer2.0.downsample.0.weight");
  EXPECT_EQ(convs.back(), "layer4.1.conv2.weight");
  EXPECT_EQ(keysOf(model->linearWeights()), (std::vector<std::string>{"fc.weight"}));
}

TEST(Models, ResNet50BottleneckNames) {
  const auto params = makeModel(spec("resnet50"))->named_parameters().keys();
  for (const char* key : {"layer1.0.conv3.weight", "layer1.0.bn3.bias",
                          "layer1.0.downsample.0.weight", "layer3.5.conv2.weight"}) {
    EXPECT_TRUE(contains(params, key)) << key;
  }
  EXPECT_FALSE(contains(params, "layer1.1.downsample.0.weight"));
}

TEST(Models, ResNetSmallHasParameterFreeShortcuts) {
  const auto model = makeModel(spec("resnet20s"));
  const auto convs = keysOf(model->convWeights());
  EXPECT_EQ(convs.size(), 19U);  // 1 stem + 9 blocks * 2
  for (const auto& key : model->named_parameters().keys()) {
    EXPECT_EQ(key.find("shortcut"), std::string::npos) << key;
    EXPECT_EQ(key.find("downsample"), std::string::npos) << key;
  }
  EXPECT_EQ(convs[7], "layer2.0.conv1.weight");
  EXPECT_EQ(model->named_buffers().keys()[0], "normalize.mean");
}

TEST(Models, VggNamesFollowPyTorchSequentialIndices) {
  const auto model = makeModel(spec("vgg16_bn"));
  const auto convs = keysOf(model->convWeights());
  ASSERT_EQ(convs.size(), 13U);
  // conv, BN, ReLU per entry and a max-pool after the 2nd: index 7 is the 3rd conv.
  EXPECT_EQ(convs[0], "features.0.weight");
  EXPECT_EQ(convs[1], "features.3.weight");
  EXPECT_EQ(convs[2], "features.7.weight");
  EXPECT_EQ(convs.back(), "features.40.weight");  // no pool after the last conv
  EXPECT_TRUE(contains(model->named_parameters().keys(), "features.1.weight"));  // BN
  EXPECT_EQ(keysOf(model->linearWeights()),
            (std::vector<std::string>{"classifier.0.weight", "classifier.2.weight",
                                      "classifier.4.weight"}));
  // VGG registers normalize after the classifier.
  const auto buffers = model->named_buffers().keys();
  ASSERT_GE(buffers.size(), 2U);
  EXPECT_EQ(buffers[buffers.size() - 2], "normalize.mean");
  EXPECT_EQ(buffers.back(), "normalize.std");
}

TEST(Models, ConvWeightsShareStorageWithParameters) {
  const auto model = makeModel(spec("resnet20s"));
  auto params = model->named_parameters();
  for (const auto& w : model->convWeights()) {
    EXPECT_EQ(w.second.data_ptr(), params[w.first].data_ptr()) << w.first;
  }
  // Writing through the list (what a pruning mask does) changes the model.
  torch::NoGradGuard noGrad;
  model->convWeights()[0].second.zero_();
  EXPECT_EQ(params["conv1.weight"].abs().sum().item<double>(), 0.0);
}

// Relative to the scale of b: fresh VGG logits are tiny (its Linear weights are N(0, 0.01)).
double relativeDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

TEST(Models, NormalisationIsAppliedInsideTheModel) {
  torch::NoGradGuard noGrad;
  for (const auto& arch : modelNames()) {
    SCOPED_TRACE(arch);
    torch::manual_seed(3);
    const auto model = makeModel(spec(arch));
    model->eval();
    const auto x = torch::rand({2, 3, 32, 32});
    // Defaults are the CIFAR-10 statistics, stored as float32 like torch.tensor([...]).
    EXPECT_TRUE(
        torch::allclose(model->normalizer().mean(), torch::tensor({0.4914F, 0.4822F, 0.4465F})));
    const auto withCifar = model->forward(x);

    // f(x; mean, std) == f((x - mean) / std; 0, 1): the model itself normalises.
    const auto mean = model->normalizer().mean().view({1, 3, 1, 1}).clone();
    const auto stddev = model->normalizer().stddev().view({1, 3, 1, 1}).clone();
    model->normalizer().set({0.0, 0.0, 0.0}, {1.0, 1.0, 1.0});
    EXPECT_LT(relativeDifference(model->forward((x - mean) / stddev), withCifar), 1e-4);
    EXPECT_GT(relativeDifference(model->forward(x), withCifar), 1e-2);

    // The statistics are state: a load through named_buffers() reaches them.
    model->named_buffers()["normalize.mean"].fill_(0.5);
    EXPECT_FLOAT_EQ(model->normalizer().mean()[1].item<float>(), 0.5F);
  }
}

TEST(Models, InitialisationIsDeterministicUnderTheSeed) {
  for (const auto& arch : {"resnet18", "resnet20s", "vgg16_bn"}) {
    SCOPED_TRACE(arch);
    torch::manual_seed(11);
    const auto a = makeModel(spec(arch));
    torch::manual_seed(11);
    const auto b = makeModel(spec(arch));
    torch::manual_seed(12);
    const auto c = makeModel(spec(arch));
    const auto pa = a->named_parameters();
    const auto pb = b->named_parameters();
    for (const auto& item : pa) {
      EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
    }
    // The first conv ("conv1.weight" or "features.0.weight") is drawn differently.
    EXPECT_FALSE(torch::equal(a->convWeights().front().second, c->convWeights().front().second));
    EXPECT_FALSE(torch::equal(a->linearWeights().back().second, c->linearWeights().back().second));
  }
}

// std of a weight relative to the expected one, and its mean relative to that std.
void expectNormal(const torch::Tensor& w, double expectedStd, double tolerance) {
  const double sd = w.std().item<double>();
  EXPECT_NEAR(sd / expectedStd, 1.0, tolerance);
  EXPECT_NEAR(w.mean().item<double>() / expectedStd, 0.0, tolerance);
}

TEST(Models, ResNet18InitMatchesTheReferenceSchemes) {
  torch::manual_seed(0);
  const auto model = makeModel(spec("resnet18"));
  auto params = model->named_parameters();
  // kaiming_normal_(fan_out, relu): fan_out = 512 * 3 * 3.
  expectNormal(params["layer4.0.conv2.weight"], std::sqrt(2.0 / (512 * 9)), 0.1);
  expectNormal(params["layer2.0.downsample.0.weight"], std::sqrt(2.0 / 128), 0.1);
  EXPECT_TRUE(torch::all(params["bn1.weight"] == 1).item<bool>());
  EXPECT_TRUE(torch::all(params["layer3.1.bn2.bias"] == 0).item<bool>());
  // The Linear keeps PyTorch's default: weight and bias within +-1/sqrt(512), spread uniformly.
  const double bound = 1.0 / std::sqrt(512.0);
  EXPECT_LE(params["fc.weight"].abs().max().item<double>(), bound);
  EXPECT_LE(params["fc.bias"].abs().max().item<double>(), bound);
  EXPECT_NEAR(params["fc.weight"].std().item<double>(), bound / std::sqrt(3.0), 0.1 * bound);
  EXPECT_GT(params["fc.bias"].abs().sum().item<double>(), 0.0);
}

TEST(Models, ResNetSmallInitIsKaimingFanIn) {
  torch::manual_seed(0);
  const auto model = makeModel(spec("resnet56s"));
  auto params = model->named_parameters();
  expectNormal(params["layer3.4.conv1.weight"], std::sqrt(2.0 / (64 * 9)), 0.05);
  // Linear(64, C) too; its bias keeps the default uniform init.
  EXPECT_NEAR(params["fc.weight"].std().item<double>(), std::sqrt(2.0 / 64),
              0.25 * std::sqrt(2.0 / 64));
  EXPECT_LE(params["fc.bias"].abs().max().item<double>(), 1.0 / 8.0);
  EXPECT_GT(params["fc.bias"].abs().sum().item<double>(), 0.0);
}

TEST(Models, VggInitIsFanOutConvAndSmallNormalLinear) {
  torch::manual_seed(0);
  const auto model = makeModel(spec("vgg16_bn"));
  auto params = model->named_parameters();
  expectNormal(params["features.40.weight"], std::sqrt(2.0 / (512 * 9)), 0.1);
  expectNormal(params["classifier.0.weight"], 0.01, 0.1);
  EXPECT_TRUE(torch::all(params["classifier.4.bias"] == 0).item<bool>());
  EXPECT_TRUE(torch::all(params["features.41.weight"] == 1).item<bool>());
}

TEST(Models, BatchNormUsesReferenceHyperparameters) {
  const auto model = makeModel(spec("resnet20s"));
  for (const auto& module : model->modules(/*include_self=*/false)) {
    if (const auto* bn = module->as<layers::BatchNormImpl>()) {
      EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-5);
      ASSERT_TRUE(bn->options.momentum().has_value());
      EXPECT_DOUBLE_EQ(*bn->options.momentum(), 0.1);
    }
  }
}

TEST(Models, UnknownArchitectureListsTheValidNames) {
  try {
    makeModel(spec("resnet19"));
    FAIL() << "no error for an unknown architecture";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("resnet19"), std::string::npos) << message;
    for (const auto& name : modelNames()) {
      EXPECT_NE(message.find(name), std::string::npos) << name << " missing from: " << message;
    }
  }
  // Sorted, and the reference's architectures are all there (the registry may hold more).
  const std::vector<std::string> names = modelNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* reference :
       {"resnet18", "resnet50", "resnet20s", "resnet44s", "resnet56s", "vgg16_bn"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), reference), names.end()) << reference;
  }
}

TEST(Models, InconsistentSpecsAreRejected) {
  auto noStats = spec("resnet20s", 10, 1);
  noStats.mean.clear();
  noStats.std.clear();  // there is no default for one channel
  EXPECT_THROW(makeModel(noStats), InputError);

  auto wrongLength = spec("resnet18");
  wrongLength.mean = {0.5};
  wrongLength.std = {0.5};
  EXPECT_THROW(makeModel(wrongLength), InputError);

  auto zeroStd = spec("resnet18");
  zeroStd.mean = {0.5, 0.5, 0.5};
  zeroStd.std = {0.5, 0.0, 0.5};
  EXPECT_THROW(makeModel(zeroStd), InputError);

  auto stem = spec("vgg16_bn");
  stem.imagenetStem = true;
  EXPECT_THROW(makeModel(stem), InputError);

  EXPECT_THROW(makeModel(spec("resnet18", 0)), InputError);

  const auto model = makeModel(spec("resnet18"));
  EXPECT_THROW(model->normalizer().set({0.5}, {0.5}), InputError);
}

TEST(Models, DatasetStatisticsAreUsed) {
  auto s = spec("resnet20s");
  s.mean = {0.5071, 0.4866, 0.4409};  // CIFAR-100
  s.std = {0.2673, 0.2564, 0.2762};
  const auto model = makeModel(s);
  EXPECT_TRUE(torch::equal(model->named_buffers()["normalize.std"],
                           torch::tensor({0.2673F, 0.2564F, 0.2762F})));
  EXPECT_EQ(model->normalizer().mean().scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace mu
