// mu-checkpoint against real PyTorch (/usr/bin/python3 with torch and torchvision): a torchvision
// state dict survives import and export bit for bit, the imported model computes torchvision's
// logits, the reference's pruned checkpoint.pth.tar (weight_orig + weight_mask, optimiser state,
// results) imports with its masks and exports back in its own format, and bad state dicts are
// refused naming the file and the key, with nothing written. The pickle reader itself is checked
// on every kind of value Python writes.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <iterator>
#include <limits>
#include <string>

#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/checkpoint/torch_pickle.h"
#include "pipeline/checkpoint/torch_state_dict.h"
#include "pipeline/io/file_digest.h"
#include "pipeline/models/model_registry.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

const std::string kFixture = "/usr/bin/python3 " + std::string(MU_SOURCE_DIR) +
                             "/tests/checkpoint/torch_interop_fixture.py ";

// Runs a command of the fixture script; `arch` only for those that take one (else resnet18).
void python(const std::string& command, const std::string& folder, const std::string& arch = "") {
  const test::CommandResult run =
      test::runCommand(kFixture + command + " " + folder + (arch.empty() ? "" : " " + arch));
  ASSERT_EQ(run.exitCode, 0) << command << ": " << run.output;
}

test::CommandResult muCheckpoint(const std::string& arguments) {
  return test::runCommand(test::programPath("mu-checkpoint") + " " + arguments);
}

// torchvision's resnet18 and resnet50 are ours with the ImageNet stem (7x7/2 conv and max-pool).
std::string torchvisionModel(const std::string& arch) {
  return " --arch " + arch + " --dataset cifar10 --num-classes 10 --imagenet-stem";
}

void importTorchvision(const test::ScratchDir& work, const std::string& arch = "resnet18") {
  const test::CommandResult run =
      muCheckpoint("import --from " + work.file("torchvision.pth") + " --out " +
                   work.file("imported.h5") + torchvisionModel(arch));
  ASSERT_EQ(run.exitCode, 0) << run.output;
}

class TorchvisionRoundTrip : public testing::TestWithParam<std::string> {};

TEST_P(TorchvisionRoundTrip, StateDictSurvivesImportAndExport) {
  const std::string arch = GetParam();
  test::ScratchDir work("torch-interop-roundtrip-" + arch);
  python("make-torchvision", work.path(), arch);
  importTorchvision(work, arch);
  const CheckpointMeta meta = readCheckpointMeta(work.file("imported.h5"));
  EXPECT_EQ(meta.kind, checkpoint::kKindImported);
  EXPECT_EQ(meta.arch, arch);
  EXPECT_TRUE(meta.imagenetStem);
  EXPECT_NE(meta.configJson.find(sha256OfFile(work.file("torchvision.pth"))), std::string::npos)
      << meta.configJson;

  const test::CommandResult exported = muCheckpoint("export --from " + work.file("imported.h5") +
                                                    " --out " + work.file("exported.pth"));
  ASSERT_EQ(exported.exitCode, 0) << exported.output;
  // load_state_dict(strict=True) into torchvision's model, then every tensor compared.
  python("check-torchvision", work.path(), arch);
}

INSTANTIATE_TEST_SUITE_P(TorchInterop, TorchvisionRoundTrip,
                         testing::Values("resnet18", "resnet50"));

TEST(TorchInterop, ImportedModelComputesTorchvisionLogits) {
  test::ScratchDir work("torch-interop-logits");
  python("make-torchvision", work.path());
  importTorchvision(work);
  ModelSpec spec;
  spec.arch = "resnet18";
  spec.numClasses = 10;
  spec.imagenetStem = true;
  const std::shared_ptr<Classifier> model = makeModel(spec);
  loadCheckpoint(work.file("imported.h5"), *model, nullptr, nullptr, {"resnet18", 10});
  model->eval();

  // torchvision's model was fed (images - mean) / std with the CIFAR-10 constants; ours
  // normalises inside with the same constants (the state dict had no normalize.* buffers, so the
  // import kept the model's default), hence it is fed the raw images in [0,1].
  const TorchStateDictFile saved = readTorchStateDict(work.file("logits.pth"));
  ASSERT_EQ(saved.entries.size(), 2U);
  const torch::Tensor images = saved.entries[0].second;
  const torch::Tensor expected = saved.entries[1].second;
  torch::NoGradGuard noGrad;
  const torch::Tensor logits = model->forward(images);
  ASSERT_EQ(logits.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(logits, expected, /*rtol=*/1e-4, /*atol=*/1e-4))
      << "largest difference " << (logits - expected).abs().max().item<double>();
}

TEST(TorchInterop, ReferenceCheckpointWithPrunedConvsImportsAndExports) {
  test::ScratchDir work("torch-interop-reference");
  python("make-reference", work.path());
  const test::CommandResult imported = muCheckpoint(
      "import --from " + work.file("0checkpoint.pth.tar") + " --out " + work.file("imported.h5") +
      " --arch resnet18 --dataset cifar10 --num-classes 10");
  ASSERT_EQ(imported.exitCode, 0) << imported.output;
  EXPECT_NE(imported.output.find("20 pruned weights"), std::string::npos) << imported.output;
  EXPECT_NE(imported.output.find("from the file"), std::string::npos) << imported.output;
  // Masks equal weight_mask, weights equal weight_orig * weight_mask (read with h5py).
  python("check-import", work.path());
  EXPECT_EQ(readCheckpointMeta(work.file("imported.h5")).epoch, 3);

  const test::CommandResult exported =
      muCheckpoint("export --from " + work.file("imported.h5") + " --out " +
                   work.file("exported.pth.tar") + " --pruned-format reference --with-normalize");
  ASSERT_EQ(exported.exitCode, 0) << exported.output;
  // load_state_dict(strict=True) into the reference model pruned with torch.nn.utils.prune.
  python("check-reference", work.path());
}

// What torch.save writes beyond tensors, in the pickle protocols torch uses (2, its default) and
// users may choose (4): the reader must get every value right, and skip what it cannot use.
TEST(TorchInterop, ReaderUnderstandsEveryValueKindInProtocols2And4) {
  test::ScratchDir work("torch-interop-values");
  python("make-values", work.path());
  for (const std::string protocol : {"2", "4"}) {
    SCOPED_TRACE("protocol " + protocol);
    const PickleValuePtr root = readTorchSave(work.file("values-p" + protocol + ".pth"));
    ASSERT_EQ(root->kind, PickleValue::Kind::kDict);
    const PickleValuePtr one = root->find("one")->find("a");
    ASSERT_EQ(one->kind, PickleValue::Kind::kTensor);
    EXPECT_TRUE(torch::equal(one->tensor, torch::tensor({1.5F, -2.0F})));

    std::vector<int64_t> ints;
    for (const PickleValuePtr& item : root->find("ints")->items) ints.push_back(item->integer);
    EXPECT_EQ(ints, (std::vector<int64_t>{0, -1, 255, 65535, -70000, int64_t{1} << 40,
                                          std::numeric_limits<int64_t>::min()}));
    EXPECT_EQ(root->find("float")->number, -0.25);
    const std::vector<PickleValuePtr>& flags = root->find("flags")->items;
    ASSERT_EQ(flags.size(), 3U);
    EXPECT_EQ(flags[0]->kind, PickleValue::Kind::kBool);
    EXPECT_EQ(flags[0]->integer, 1);
    EXPECT_EQ(flags[1]->integer, 0);
    EXPECT_EQ(flags[2]->kind, PickleValue::Kind::kNone);
    EXPECT_EQ(root->find("text")->text, "h\xc3\xa9llo");

    const torch::Tensor half = root->find("half")->tensor;
    EXPECT_EQ(half.scalar_type(), torch::kHalf);
    EXPECT_TRUE(torch::equal(half, torch::arange(6, torch::kHalf).reshape({2, 3})));
    // A strided view of a larger storage comes back as exactly the viewed elements.
    EXPECT_TRUE(torch::equal(root->find("view")->tensor, torch::tensor({2.0F, 4.0F, 6.0F})));

    const PickleValuePtr intKeys = root->find("int_keys");
    ASSERT_EQ(intKeys->entries.size(), 1U);
    EXPECT_EQ(intKeys->entries[0].first->integer, 3);
    EXPECT_EQ(intKeys->entries[0].second->text, "x");
    EXPECT_EQ(root->find("numpy")->kind, PickleValue::Kind::kOpaque);
  }
}

TEST(TorchInterop, BadStateDictsNameFileAndKeyAndWriteNothing) {
  test::ScratchDir work("torch-interop-bad");
  python("make-bad", work.path());
  struct Case {
    std::string file, key, expectation;
  };
  const Case cases[] = {
      {"missing.pth", "layer1.0.conv1.weight", "the file lacks it"},
      {"wrong-shape.pth", "fc.weight", "shape [10, 512]"},
      {"unexpected.pth", "head.weight", "it has no parameter or buffer of this name"},
      {"orphan-orig.pth", "conv1.weight_orig", "its mask conv1.weight_mask beside it"},
      {"soft-mask.pth", "conv1.weight_mask", "a mask of only 0 and 1"},
  };
  for (const Case& c : cases) {
    const std::string out = work.file(c.file + ".h5");
    const test::CommandResult run = muCheckpoint("import --from " + work.file(c.file) + " --out " +
                                                 out + torchvisionModel("resnet18"));
    EXPECT_EQ(run.exitCode, 2) << run.output;
    EXPECT_NE(run.output.find(work.file(c.file) + ": " + c.key + ": "), std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find(c.expectation), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(out));
  }
  // No temporary file left behind either: only the inputs.
  EXPECT_EQ(test::listFolder(work.path()).size(), std::size(cases));

  const test::CommandResult notTorch =
      muCheckpoint("import --from " + std::string(MU_SOURCE_DIR) + "/README.md --out " +
                   work.file("x.h5") + torchvisionModel("resnet18"));
  EXPECT_EQ(notTorch.exitCode, 2) << notTorch.output;
  EXPECT_NE(notTorch.output.find("a zip file written by torch.save"), std::string::npos)
      << notTorch.output;
}

}  // namespace
}  // namespace mu
