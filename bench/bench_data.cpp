// Data-path figures: Fashion-MNIST conversion time (target: well under 10 s) and batches of 256
// read + augmented from memory on one core (target: >= 20 000 images/s for 32x32x3).
// --smoke: one conversion of two classes and 512 images augmented once, for CI's bench_smoke_test.

#include <torch/torch.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/bench_timing.h"
#include "datasets/convert/converter.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/data/augment.h"
#include "pipeline/data/epoch_sampler.h"

namespace {

// The work one run does; --smoke shrinks it to seconds along the same code path.
struct Sizes {
  int convertRepeats = 3;
  std::string classes;  // "": all ten classes
  int64_t images = 20000;
  int augmentRepeats = 5;
};

double convertFashionMnistSeconds(const Sizes& sizes) {
  const std::string base = "/tmp/mu-bench-convert-" + std::to_string(::getpid());
  int run = 0;
  const double seconds = mu::bench::medianSeconds(sizes.convertRepeats, [&] {
    mu::ConvertOptions options;
    options.format = "fashion-mnist";
    options.classes = sizes.classes;
    options.outDir = base + "-" + std::to_string(run++);
    mu::convertDataset(options);
  });
  for (int i = 0; i < run; ++i) std::filesystem::remove_all(base + "-" + std::to_string(i));
  return seconds;
}

// Images per second for one epoch's worth of batches (the sampler's slicing included).
double augmentImagesPerSecond(const torch::Tensor& images, const mu::AugmentOptions& options,
                              int repeats) {
  const int64_t count = images.size(0);
  mu::EpochSampler sampler(count, 256, 1, 0, 1);
  const std::vector<int64_t> order = sampler.epochOrder(0);
  const double seconds = mu::bench::medianSeconds(repeats, [&] {
    for (int64_t b = 0; b < sampler.batchesPerEpoch(); ++b) {
      const std::vector<int64_t> rows = sampler.rankSlice(order, b);
      torch::Tensor batch = mu::makeImageBatch(images, rows, rows, options, 1, 0);
      (void)batch;
    }
  });
  return static_cast<double>(count) / seconds;
}

int run(bool smoke) {
  Sizes sizes;
  if (smoke) sizes = {1, "0,1", 512, 1};
  torch::set_num_threads(1);
  const double convertSeconds = convertFashionMnistSeconds(sizes);
  std::printf("convert fashion-mnist (%s, read + write shards): median %.2f s\n",
              sizes.classes.empty() ? "70 000 images" : "classes 0 and 1", convertSeconds);

  torch::manual_seed(0);
  const int64_t n = sizes.images;
  const int repeats = sizes.augmentRepeats;
  const torch::Tensor cifarLike = torch::randint(0, 256, {n, 3, 32, 32}, torch::kUInt8);
  const torch::Tensor fashionLike = torch::randint(0, 256, {n, 1, 28, 28}, torch::kUInt8);
  const double cifarAugmented = augmentImagesPerSecond(cifarLike, {4, true}, repeats);
  const double cifarPlain = augmentImagesPerSecond(cifarLike, {}, repeats);
  const double fashionAugmented = augmentImagesPerSecond(fashionLike, {4, true}, repeats);
  std::printf("batch 256, 3x32x32, crop+flip, 1 thread: %.0f images/s\n", cifarAugmented);
  std::printf("batch 256, 3x32x32, no augmentation, 1 thread: %.0f images/s\n", cifarPlain);
  std::printf("batch 256, 1x28x28, crop+flip, 1 thread: %.0f images/s\n", fashionAugmented);
  std::printf(
      "summary: convert %.2f s (target < 10 s), augment %.0f images/s/core (target >= 20000)\n",
      convertSeconds, cifarAugmented);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = false;
  mu::OptionTable table;
  table.addFlag("smoke", &smoke, "seconds-long run on tiny sizes (CI's bench_smoke_test)");
  return mu::runWithOptions({"bench_data", "usage: bench_data [--smoke]", {}}, table, argc, argv,
                            [&] { return run(smoke); });
}
