// A checkpoint gives back exactly what was saved (weights, buffers, masks, momentum, RNG state,
// metadata); a file for another model, with a bad mask or damaged on disk is refused before the
// model changes; a failed save never damages the checkpoint it would have replaced.

#include <gtest/gtest.h>

#include <torch/torch.h>
#include <limits>

#include <filesystem>
#include <functional>
#include <memory>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/checkpoint/rng_state.h"
#include "pipeline/io/hdf5_file.h"
#include "tests/support/damaged_hdf5.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using ModulePtr = std::shared_ptr<torch::nn::Module>;

// A miniature of our networks: in-model normalisation buffers, a bias-free conv, batch norm (with
// its int64 batch counter) and a classifier. Values are random, so two nets never agree by chance.
ModulePtr makeTinyNet(int numClasses, int width = 4) {
  auto net = std::make_shared<torch::nn::Module>();
  auto normalize = std::make_shared<torch::nn::Module>();
  normalize->register_buffer("mean", torch::rand({3, 1, 1}));
  normalize->register_buffer("std", torch::rand({3, 1, 1}) + 0.1);
  net->register_module("normalize", normalize);
  net->register_module("conv1",
                       torch::nn::Conv2d(torch::nn::Conv2dOptions(3, width, 3).bias(false)));
  net->register_module("bn1", torch::nn::BatchNorm2d(width));
  net->register_module("fc", torch::nn::Linear(width, numClasses));
  torch::NoGradGuard noGrad;
  for (torch::Tensor& parameter : net->parameters()) parameter.normal_();
  for (torch::Tensor& buffer : net->buffers()) {
    if (buffer.is_floating_point()) {
      buffer.uniform_(0.5, 1.5);
    } else {
      buffer.fill_(torch::randint(1, 1000, {1}).item<int64_t>());
    }
  }
  return net;
}

TensorMap namedTensors(const torch::OrderedDict<std::string, torch::Tensor>& tensors) {
  TensorMap map;
  for (const auto& item : tensors) map.emplace(item.key(), item.value().clone());
  return map;
}

TensorMap modelState(const torch::nn::Module& model) {
  TensorMap state = namedTensors(model.named_parameters());
  for (const auto& [name, tensor] : namedTensors(model.named_buffers()))
    state.emplace(name, tensor);
  return state;
}

void expectIdentical(const TensorMap& expected, const TensorMap& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [name, tensor] : expected) {
    ASSERT_EQ(actual.count(name), 1u) << name;
    EXPECT_EQ(actual.at(name).scalar_type(), tensor.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(actual.at(name), tensor)) << name;
  }
}

CheckpointMeta tinyMeta(const std::string& arch, int numClasses) {
  CheckpointMeta meta;
  meta.arch = arch;
  meta.dataset = "cifar10";
  meta.numClasses = numClasses;
  meta.inChannels = 3;
  meta.kind = checkpoint::kKindTrain;
  meta.epoch = 8;
  meta.step = 3128;
  meta.worldSize = 2;
  meta.configJson = R"({"lr": 0.1, "milestones": [91, 136], "note": "quotes \" and\nnewlines"})";
  meta.configHash = "3f2a9c";
  meta.numbers = {{"lr", 0.1}, {"best_val_acc", 93.25}, {"scheduler_last_epoch", 8}};
  meta.strings = {{"best_checkpoint", "0model_SA_best.h5"}};
  return meta;
}

// Masks for the conv weight only, as our pruning produces: about half of the entries kept.
TensorMap convMask(const torch::nn::Module& model) {
  const torch::Tensor weight = model.named_parameters()["conv1.weight"];
  return {{"conv1.weight", (torch::rand(weight.sizes()) > 0.5).to(torch::kFloat)}};
}

// The message of the InputError `action` throws ("" and a test failure if it throws none).
template <typename Action>
std::string inputErrorOf(Action&& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool hasTemporaryFiles(const std::string& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (contains(entry.path().filename().string(), ".tmp-")) return true;
  }
  return false;
}

class Checkpoint : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(20230404); }
};

TEST_F(Checkpoint, RoundTripIsBitExact) {
  test::ScratchDir dir("checkpoint-roundtrip");
  const ModulePtr saved = makeTinyNet(10);
  const TensorMap masks = convMask(*saved);
  TrainingState state;
  for (const auto& item : saved->named_parameters()) {
    if (item.key() != "fc.bias")
      state.momentum.emplace(item.key(), torch::randn(item.value().sizes()));
  }
  state.cpuRngState = captureCpuRngState();
  CheckpointMeta meta = tinyMeta("tiny", 10);
  meta.configJson += std::string(100000, ' ');  // larger than HDF5's 64 KiB attribute header limit
  saveCheckpoint(dir.file("ckpt.h5"), *saved, masks, &state, meta);

  const ModulePtr loaded = makeTinyNet(10);
  const void* weightStorage = loaded->named_parameters()["fc.weight"].data_ptr();
  TensorMap loadedMasks;
  TrainingState loadedState;
  const CheckpointMeta loadedMeta =
      loadCheckpoint(dir.file("ckpt.h5"), *loaded, &loadedMasks, &loadedState, {"tiny", 10});

  expectIdentical(modelState(*saved), modelState(*loaded));
  EXPECT_EQ(loaded->named_buffers()["bn1.num_batches_tracked"].scalar_type(), torch::kLong);
  EXPECT_EQ(loaded->named_parameters()["fc.weight"].data_ptr(), weightStorage)
      << "loading must copy into the model's own tensors";
  expectIdentical(masks, loadedMasks);
  expectIdentical(state.momentum, loadedState.momentum);
  EXPECT_EQ(loadedState.cpuRngState, state.cpuRngState);
  EXPECT_TRUE(loadedState.cudaRngState.empty());

  for (const CheckpointMeta& read : {loadedMeta, readCheckpointMeta(dir.file("ckpt.h5"))}) {
    EXPECT_EQ(read.arch, "tiny");
    EXPECT_EQ(read.dataset, "cifar10");
    EXPECT_EQ(read.numClasses, 10);
    EXPECT_EQ(read.inChannels, 3);
    EXPECT_EQ(read.kind, "train");
    EXPECT_EQ(read.epoch, 8);
    EXPECT_EQ(read.step, 3128);
    EXPECT_EQ(read.worldSize, 2);
    EXPECT_EQ(read.configJson, meta.configJson);
    EXPECT_EQ(read.configHash, "3f2a9c");
    EXPECT_EQ(read.numbers, meta.numbers);
    EXPECT_EQ(read.strings, meta.strings);
    EXPECT_EQ(read.codeVersion, codeVersion());
    EXPECT_EQ(read.createdUtc.size(), std::string("2024-05-01T12:34:56Z").size())
        << read.createdUtc;
  }
  EXPECT_TRUE(isCompleteCheckpoint(dir.file("ckpt.h5")));
  EXPECT_FALSE(hasTemporaryFiles(dir.path()));
}

TEST_F(Checkpoint, RestoredRngStateRepeatsTheDraws) {
  test::ScratchDir dir("checkpoint-rng");
  const ModulePtr model = makeTinyNet(10);
  TrainingState state;
  state.cpuRngState = captureCpuRngState();
  saveCheckpoint(dir.file("ckpt.h5"), *model, {}, &state, tinyMeta("tiny", 10));
  const torch::Tensor expected = torch::rand({16});
  torch::rand({1000});  // a run that went on after the checkpoint

  TrainingState loaded;
  loadCheckpoint(dir.file("ckpt.h5"), *model, nullptr, &loaded, {"tiny", 10});
  restoreCpuRngState(loaded.cpuRngState);
  EXPECT_TRUE(torch::equal(torch::rand({16}), expected));
  EXPECT_THROW(restoreCpuRngState({1, 2, 3}), std::invalid_argument);
}

TEST_F(Checkpoint, WeightsOnlyCheckpointOfADenseModel) {
  test::ScratchDir dir("checkpoint-dense");
  const ModulePtr model = makeTinyNet(10);
  CheckpointMeta meta = tinyMeta("tiny", 10);
  meta.kind = checkpoint::kKindBest;
  saveCheckpoint(dir.file("best.h5"), *model, {}, nullptr, meta);

  const Hdf5File file = Hdf5File::openReadOnly(dir.file("best.h5"));
  EXPECT_TRUE(file.exists(checkpoint::kMasks));
  EXPECT_TRUE(file.listGroup(checkpoint::kMasks).empty());
  EXPECT_FALSE(file.exists(checkpoint::kOptimizer));
  EXPECT_FALSE(file.exists(checkpoint::kRng));

  TensorMap masks = convMask(*model);
  loadCheckpoint(dir.file("best.h5"), *model, &masks, nullptr, {"tiny", 10});
  EXPECT_TRUE(masks.empty());
  TrainingState state;
  const std::string message = inputErrorOf([&] {
    loadCheckpoint(dir.file("best.h5"), *model, nullptr, &state, {"tiny", 10});
  });
  EXPECT_TRUE(contains(message, "/optimizer")) << message;
  EXPECT_TRUE(contains(message, "'best' checkpoint holds weights only")) << message;
}

TEST_F(Checkpoint, OtherArchitectureOrClassCountIsRefusedBeforeTouchingTheModel) {
  test::ScratchDir dir("checkpoint-foreign");
  const std::string path = dir.file("resnet18.h5");
  saveCheckpoint(path, *makeTinyNet(100), {}, nullptr, tinyMeta("resnet18", 100));

  const ModulePtr model = makeTinyNet(10);
  const TensorMap before = modelState(*model);
  std::string message = inputErrorOf([&] {
    loadCheckpoint(path, *model, nullptr, nullptr, {"resnet20s", 10});
  });
  EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_TRUE(contains(
      message, "checkpoint is for arch resnet18 with 100 classes, expected resnet20s with 10"))
      << message;

  // A file whose attributes claim the right model but whose tensors do not fit it.
  message = inputErrorOf([&] {
    loadCheckpoint(path, *model, nullptr, nullptr, {"resnet18", 100});
  });
  EXPECT_TRUE(
      contains(message, path + ": /params/fc.bias: expected float32 [10], found float32 [100]"))
      << message;
  expectIdentical(before, modelState(*model));
}

TEST_F(Checkpoint, MissingOrExtraTensorsAreRefused) {
  test::ScratchDir dir("checkpoint-entries");
  const std::string path = dir.file("ckpt.h5");
  saveCheckpoint(path, *makeTinyNet(10), {}, nullptr, tinyMeta("tiny", 10));

  const ModulePtr larger = makeTinyNet(10);
  larger->register_parameter("temperature", torch::ones({1}));
  std::string message = inputErrorOf([&] {
    loadCheckpoint(path, *larger, nullptr, nullptr, {"tiny", 10});
  });
  EXPECT_TRUE(
      contains(message, "/params/temperature: missing; the model's parameter is float32 [1]"))
      << message;

  const ModulePtr smaller = makeTinyNet(10);
  smaller->register_buffer("extra", torch::zeros({2}));
  saveCheckpoint(path, *smaller, {}, nullptr, tinyMeta("tiny", 10));
  message = inputErrorOf([&] {
    loadCheckpoint(path, *makeTinyNet(10), nullptr, nullptr, {"tiny", 10});
  });
  EXPECT_TRUE(contains(message, "/buffers/extra: the model has no such buffer")) << message;

  {
    Hdf5File file = Hdf5File::openReadWrite(path);
    file.createGroup("/scheduler");
  }
  message = inputErrorOf([&] { loadCheckpoint(path, *smaller, nullptr, nullptr, {"tiny", 10}); });
  EXPECT_TRUE(contains(message, "/scheduler: not part of schema mu-checkpoint/1")) << message;
}

TEST_F(Checkpoint, NonBinaryOrMisshapenMaskIsRefused) {
  test::ScratchDir dir("checkpoint-masks");
  const std::string path = dir.file("ckpt.h5");
  const ModulePtr model = makeTinyNet(10);

  TensorMap halfMask = convMask(*model);
  halfMask.at("conv1.weight")[0][0][0][0] = 0.5;
  std::string message =
      inputErrorOf([&] { saveCheckpoint(path, *model, halfMask, nullptr, tinyMeta("tiny", 10)); });
  EXPECT_TRUE(contains(message, "/masks/conv1.weight: expected only 0 and 1 in a mask, found 0.5"))
      << message;
  message = inputErrorOf([&] {
    saveCheckpoint(path, *model, {{"fc.weight", torch::ones({10, 5})}}, nullptr,
                   tinyMeta("tiny", 10));
  });
  EXPECT_TRUE(
      contains(message, "/masks/fc.weight: expected float32 [10, 4], found float32 [10, 5]"))
      << message;
  EXPECT_FALSE(fs::exists(path));

  // The same faults in a file written by someone else are refused on loading.
  saveCheckpoint(path, *model, {}, nullptr, tinyMeta("tiny", 10));
  {
    Hdf5File file = Hdf5File::openReadWrite(path);
    file.writeDataset<float>("/masks/fc.bias", std::vector<float>(10, 0.5F));
  }
  const TensorMap before = modelState(*model);
  TensorMap masks;
  message = inputErrorOf([&] { loadCheckpoint(path, *model, &masks, nullptr, {"tiny", 10}); });
  EXPECT_TRUE(
      contains(message, path + ": /masks/fc.bias: expected only 0 and 1 in a mask, found 0.5"))
      << message;
  {
    Hdf5File file = Hdf5File::openReadWrite(path);
    file.writeDataset<float>("/masks/fc.weight", std::vector<float>(7, 1.0F));
  }
  message = inputErrorOf([&] { loadCheckpoint(path, *model, &masks, nullptr, {"tiny", 10}); });
  EXPECT_TRUE(contains(message, "/masks/fc.weight: expected float32 [10, 4], found float32 [7]"))
      << message;
  EXPECT_TRUE(masks.empty());
  expectIdentical(before, modelState(*model));
}

TEST_F(Checkpoint, NonFiniteWeightsStatisticsOrMomentumAreRefused) {
  test::ScratchDir dir("checkpoint-non-finite");
  const std::string path = dir.file("ckpt.h5");
  const ModulePtr model = makeTinyNet(10);
  const TensorMap before = modelState(*model);
  const ModulePtr source = makeTinyNet(10);
  TrainingState state;
  for (const auto& item : source->named_parameters()) {
    state.momentum[item.key()] = torch::zeros_like(item.value());
  }
  // A file someone else wrote (or damage) with one value replaced, its shape kept.
  auto refusal = [&](const std::string& dataset, float value) {
    saveCheckpoint(path, *source, {}, &state, tinyMeta("tiny", 10));
    {
      Hdf5File file = Hdf5File::openReadWrite(path);
      const std::vector<hsize_t> shape = file.datasetShape(dataset);
      std::vector<float> values = file.readVector<float>(dataset);
      values[values.size() / 2] = value;
      file.remove(dataset);
      file.writeDataset<float>(dataset, values.data(), shape);
    }
    TrainingState loaded;
    return inputErrorOf([&] { loadCheckpoint(path, *model, nullptr, &loaded, {"tiny", 10}); });
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::string message = refusal("/params/conv1.weight", nan);
  EXPECT_TRUE(contains(message, path + ": /params/conv1.weight: expected finite values, found 1 "
                                       "NaN and 0 infinite"))
      << message;
  message = refusal("/buffers/bn1.running_var", inf);
  EXPECT_TRUE(contains(message,
                       "/buffers/bn1.running_var: expected finite values, found 0 NaN and "
                       "1 infinite"))
      << message;
  message = refusal("/optimizer/momentum/fc.weight", -inf);
  EXPECT_TRUE(contains(message, "/optimizer/momentum/fc.weight: expected finite values"))
      << message;
  expectIdentical(before, modelState(*model));

  // Nor is such a model saved: the good file stays as it was.
  saveCheckpoint(path, *source, {}, nullptr, tinyMeta("tiny", 10));
  {
    torch::NoGradGuard noGrad;
    source->named_parameters()["fc.bias"][3] = nan;
  }
  try {
    saveCheckpoint(path, *source, {}, nullptr, tinyMeta("tiny", 10));
    ADD_FAILURE() << "a NaN model was saved";
  } catch (const DivergedError& error) {
    EXPECT_TRUE(contains(error.what(), "/params/fc.bias: expected finite values, found 1 NaN"))
        << error.what();
  }
  EXPECT_FALSE(hasTemporaryFiles(dir.path()));
  loadCheckpoint(path, *model, nullptr, nullptr, {"tiny", 10});  // the good one, still there
}

TEST_F(Checkpoint, TruncatedFileIsIncompleteAndRefused) {
  test::ScratchDir dir("checkpoint-truncated");
  const std::string path = dir.file("ckpt.h5");
  const ModulePtr model = makeTinyNet(10);
  saveCheckpoint(path, *model, convMask(*model), nullptr, tinyMeta("tiny", 10));
  ASSERT_TRUE(isCompleteCheckpoint(path));
  fs::resize_file(path, fs::file_size(path) / 2);

  EXPECT_FALSE(isCompleteCheckpoint(path));
  const std::string message = inputErrorOf([&] {
    loadCheckpoint(path, *model, nullptr, nullptr, {"tiny", 10});
  });
  EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_TRUE(contains(message, "damaged or not written by this program")) << message;
}

// Checkpoints carry HDF5's metadata checksums (superblock version 2, "OHDR" object headers): a
// damaged byte of an object header is named with the checksum that caught it.
TEST_F(Checkpoint, DamagedObjectHeaderFailsItsChecksum) {
  test::ScratchDir dir("checkpoint-checksum");
  const std::string path = dir.file("ckpt.h5");
  const ModulePtr model = makeTinyNet(10);
  saveCheckpoint(path, *model, convMask(*model), nullptr, tinyMeta("tiny", 10));
  EXPECT_GE(test::byteAt(path, 8), 2) << "superblock version";
  const std::vector<uint64_t> headers = test::findInFile(path, "OHDR");
  ASSERT_FALSE(headers.empty());
  // Past the header's prefix (at most 34 bytes), among its messages.
  test::flipByte(path, headers.front() + 40);
  const std::string message = inputErrorOf([&] {
    loadCheckpoint(path, *model, nullptr, nullptr, {"tiny", 10});
  });
  EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_TRUE(contains(message, "damaged or not written by this program")) << message;
  EXPECT_TRUE(contains(message, "checksum")) << message;
}

// A checkpoint written before checkpoints carried checksums (HDF5's oldest format) still loads,
// and damage to it that once ended in a C++ library message or HDF5's "H5Aread failed" (exit 1),
// or in a crash inside the library, is named.
TEST_F(Checkpoint, DamagedCheckpointOfTheOldestFormatIsNamed) {
  const auto damagedIsNamed = [](const std::string& name,
                                 const std::function<void(const std::string&)>& damage) {
    return [=] {
      test::ScratchDir dir(name);
      const std::string path = dir.file("ckpt.h5");
      const ModulePtr model = makeTinyNet(10);
      saveCheckpoint(path, *model, convMask(*model), nullptr, tinyMeta("tiny", 10));
      test::rewriteInOldestFormat(path);
      const auto load = [&] { loadCheckpoint(path, *model, nullptr, nullptr, {"tiny", 10}); };
      load();
      damage(path);
      return test::namesDamage(path, load);
    };
  };
  // The name of the masks group's one link: listing the group failed in basic_string.
  test::expectInChildProcess(damagedIsNamed("checkpoint-damaged-link", [](const std::string& path) {
    test::flipByte(path, test::oldestFormatLinkNameByte(path, 1));
  }));
  // The string heap's signature: "H5Aread failed".
  test::expectInChildProcess(damagedIsNamed("checkpoint-damaged-heap", [](const std::string& path) {
    test::flipByte(path, test::findInFile(path, "GCOL").at(0));
  }));
  // A string's size in the heap, grown by 16 MiB (the collection's 16-byte header, then the
  // first object's header, whose last 8 bytes are its size): the library copied that many bytes
  // and crashed.
  test::expectInChildProcess(damagedIsNamed("checkpoint-damaged-size", [](const std::string& path) {
    test::flipByte(path, test::findInFile(path, "GCOL").at(0) + 16 + 10);
  }));
}

TEST_F(Checkpoint, MissingOrForeignFilesAreNotCheckpoints) {
  test::ScratchDir dir("checkpoint-foreign-files");
  EXPECT_FALSE(isCompleteCheckpoint(dir.file("absent.h5")));
  test::runCommand("echo not hdf5 > " + dir.file("text.h5"));
  EXPECT_FALSE(isCompleteCheckpoint(dir.file("text.h5")));
  {
    Hdf5File shard = Hdf5File::create(dir.file("shard.h5"));
    shard.setAttribute("schema", std::string("mu-shards/1"));
  }
  EXPECT_FALSE(isCompleteCheckpoint(dir.file("shard.h5")));
  const std::string message = inputErrorOf([&] { readCheckpointMeta(dir.file("shard.h5")); });
  EXPECT_TRUE(
      contains(message, "expected a checkpoint of schema mu-checkpoint/1, found mu-shards/1"))
      << message;
}

TEST_F(Checkpoint, FailedSaveKeepsThePreviousCheckpoint) {
  test::ScratchDir dir("checkpoint-failed-save");
  const std::string path = dir.file("ckpt.h5");
  const ModulePtr good = makeTinyNet(10);
  saveCheckpoint(path, *good, {}, nullptr, tinyMeta("tiny", 10));

  // Fails halfway: the parameters are written before the buffer HDF5 cannot hold.
  const ModulePtr bad = makeTinyNet(10);
  bad->register_buffer("phase", torch::zeros({2}, torch::kComplexFloat));
  EXPECT_THROW(saveCheckpoint(path, *bad, {}, nullptr, tinyMeta("tiny", 10)),
               std::invalid_argument);
  EXPECT_THROW(
      saveCheckpoint(dir.file("missing-folder/ckpt.h5"), *good, {}, nullptr, tinyMeta("tiny", 10)),
      SystemError);

  EXPECT_TRUE(isCompleteCheckpoint(path));
  EXPECT_FALSE(hasTemporaryFiles(dir.path()));
  EXPECT_EQ(test::listFolder(dir.path()), std::vector<std::string>{"ckpt.h5"});
  const ModulePtr loaded = makeTinyNet(10);
  loadCheckpoint(path, *loaded, nullptr, nullptr, {"tiny", 10});
  expectIdentical(modelState(*good), modelState(*loaded));
}

TEST_F(Checkpoint, TensorNamesThatWouldNestGroupsAreRefused) {
  test::ScratchDir dir("checkpoint-names");
  const ModulePtr model = makeTinyNet(10);
  model->register_parameter("a/b", torch::ones({1}));
  EXPECT_THROW(saveCheckpoint(dir.file("ckpt.h5"), *model, {}, nullptr, tinyMeta("tiny", 10)),
               std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir.file("ckpt.h5")));
}

TEST_F(Checkpoint, H5dumpShowsTheLayout) {
  test::ScratchDir dir("checkpoint-h5dump");
  const ModulePtr model = makeTinyNet(10);
  TrainingState state;
  state.cpuRngState = captureCpuRngState();
  saveCheckpoint(dir.file("ckpt.h5"), *model, convMask(*model), &state, tinyMeta("tiny", 10));

  const test::CommandResult dump = test::runCommand("h5dump -H " + dir.file("ckpt.h5"));
  ASSERT_EQ(dump.exitCode, 0) << dump.output;
  for (const char* expected :
       {"GROUP \"params\"", "DATASET \"conv1.weight\"", "H5T_IEEE_F32LE", "( 4, 3, 3, 3 )",
        "GROUP \"buffers\"", "DATASET \"bn1.num_batches_tracked\"", "H5T_STD_I64LE",
        "GROUP \"masks\"", "GROUP \"momentum\"", "DATASET \"torch_cpu\"", "GROUP \"meta\"",
        "ATTRIBUTE \"schema\"", "ATTRIBUTE \"config_json\"", "ATTRIBUTE \"best_val_acc\""}) {
    EXPECT_TRUE(contains(dump.output, expected)) << expected << "\n" << dump.output;
  }
}

}  // namespace
}  // namespace mu
