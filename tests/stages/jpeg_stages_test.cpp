// A JPEG dataset through the stages, on trees that datasets/tools/make_image_tree.py generates:
// 2-rank mu-train streams a split far larger than its prefetch budget with flat resident memory,
// and a tiny campaign (convert -> train -> prune -> unlearn -> evaluate) of ResNet-18 and
// ResNet-50 with the ImageNet stem runs to the end.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "pipeline/io/json_file.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

const std::string kMpirun =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np ";
// Small crops keep the CPU steps quick; the loader does the same work per image at 224.
const std::string kGeometry = " --image-size 48 --resize-size 56";

void makeTree(const std::string& dir, int perClass) {
  const test::CommandResult made = test::runCommand(
      "/usr/bin/python3 " + std::string(MU_SOURCE_DIR) + "/datasets/tools/make_image_tree.py " +
      dir + " --classes 4 --train-per-class " + std::to_string(perClass) +
      " --val-per-class 10 --min-side 60 --max-side 200");
  ASSERT_EQ(made.exitCode, 0) << made.output;
}

void convert(const std::string& tree, const std::string& out) {
  const test::CommandResult run = test::runCommand(
      kMpirun + "2 " + test::programPath("mu-data") +
      " convert --format imagefolder --shard-size 250 --source " + tree + " --out " + out);
  ASSERT_EQ(run.exitCode, 0) << run.output;
}

// Peak resident memory (largest rank) of one 2-rank epoch over `data`, validating on
// `valFraction` of it.
double trainPeakMegabytes(const std::string& data, const std::string& run,
                          const std::string& valFraction) {
  const test::CommandResult trained = test::runCommand(
      kMpirun + "2 " + test::programPath("mu-train") + " --data " + data + " --run-dir " + run +
      " --arch tinycnn --epochs 1 --batch-size 64 --rewind-epoch 0 --val-fraction " + valFraction +
      kGeometry + " --decode-threads 1 --prefetch-batches 2 --threads 1 --quiet");
  EXPECT_EQ(trained.exitCode, 0) << trained.output;
  const nlohmann::json results = readJsonFile(run + "/results.json");
  EXPECT_EQ(results.at("world_size").get<int>(), 2);
  return results.at("peak_resident_mb").get<double>();
}

TEST(JpegStages, StreamingTrainingKeepsResidentMemoryFlat) {
  test::ScratchDir work("jpeg-memory");
  makeTree(work.file("small"), 50);    // 200 training images
  makeTree(work.file("large"), 1000);  // 4 000
  convert(work.file("small"), work.file("small-data"));
  convert(work.file("large"), work.file("large-data"));
  // Both validate on 100 images: an evaluation batch's activations grow with its size (up to
  // --batch-size of the evaluation), which is not what this measures.
  const double small = trainPeakMegabytes(work.file("small-data"), work.file("small-run"), "0.5");
  const double large = trainPeakMegabytes(work.file("large-data"), work.file("large-run"), "0.025");
  // Holding the large split's crops alone would take 4000 x 48 x 48 x 3 bytes = 26 MiB; the
  // prefetch budget is 2 batches of 32 crops per rank (0.4 MiB).
  const double decodedLarge = 4000.0 * 48 * 48 * 3 / (1024 * 1024);
  EXPECT_LT(large - small, decodedLarge / 2)
      << "small " << small << " MiB, large " << large << " MiB";
  std::printf("peak resident memory: %.0f MiB (200 images), %.0f MiB (4000 images)\n", small,
              large);
}

TEST(JpegStages, ATinyCampaignRunsEndToEndOnGeneratedJpegs) {
  test::ScratchDir work("jpeg-campaign");
  makeTree(work.file("tree"), 30);
  const std::string geometry = R"("image-size": 48, "resize-size": 56)";
  std::ofstream(work.file("spec.json")) << R"({
    "name": "jpeg-tiny",
    "grid": {"datasets": [{"format": "imagefolder", "source": ")" +
                                               work.file("tree") + R"("}],
             "archs": ["resnet18", "resnet50"], "sparsities": ["dense", {"omp": 0.5}],
             "forget": [{"class": 0}], "methods": ["ft"], "seeds": [1]},
    "options": {"train": {"imagenet-stem": true, "epochs": 2, "batch-size": 32, "milestones": [1],
                          "rewind-epoch": 1, )" +
                                               geometry + R"(},
                "unlearn": {"ft-epochs": 1, )" +
                                               geometry + R"(},
                "evaluate": {)" + geometry + R"(}},
    "resources": {"default": {"ranks": 2, "threads": 1}, "data": {"ranks": 2}}
  })";
  const test::CommandResult run =
      test::runCommand(test::programPath("mu-campaign") + " run " + work.file("spec.json") +
                       " --root " + work.file("runs") + " --bin " + MU_BIN_DIR);
  ASSERT_EQ(run.exitCode, 0) << run.output;
  // data, 2 x (train, prune, 2 x unlearn, 2 x evaluate)
  EXPECT_NE(run.output.find("[13/13 done, 0 running, 0 failed]"), std::string::npos) << run.output;
  const test::CommandResult report =
      test::runCommand(test::programPath("mu-campaign") + " report --root " + work.file("runs") +
                       " --bin " + MU_BIN_DIR);
  EXPECT_EQ(report.exitCode, 0) << report.output;
  EXPECT_NE(report.output.find("imagefolder, resnet18"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("imagefolder, resnet50"), std::string::npos) << report.output;
  std::printf("%s\n", report.output.c_str());
}

}  // namespace
}  // namespace mu
