#pragma once
// What the training-throughput benchmarks share (bench_train_step on the CPU, bench_gpu_train on
// a GPU): our training loop with the reference's SGD (lr 0.1, momentum 0.9, weight decay 5e-4, a
// constant rate) over one epoch of random CIFAR-shaped images with the usual crop and flip, timed
// as whole epochs after a warm-up epoch. Header-only: each benchmark is its own program.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "bench/bench_timing.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/training/step_profile.h"
#include "pipeline/training/training_loop.h"

namespace mu::bench {

// The options both benchmarks take: what to train and how long to time it.
struct TrainingBenchSettings {
  std::string arch = "resnet18";
  int64_t batch = 128;
  int64_t steps = 6;
  int64_t rounds = 3;
  int64_t threads = 2;

  void registerOptions(OptionTable& table) {
    table.addChoice("arch", &arch, modelNames(), "model architecture")
        .add("batch", &batch, "images per step")
        .add("steps", &steps, "timed steps per round")
        .add("rounds", &rounds, "rounds (the median is printed)")
        .add("threads", &threads, "LibTorch threads");
  }
};

class TrainingBench {
 public:
  // `model` already placed on its device; `steps` batches of `batch` images of
  // `channels` x `size` x `size` make one epoch.
  TrainingBench(std::shared_ptr<Classifier> model, Communicator& comm, int64_t batch, int64_t steps,
                int64_t channels = 3, int64_t size = 32)
      : model_(std::move(model)),
        batch_(batch),
        sgd_(namedParameterList(*model_), {0.1, 0.9, 5e-4}),
        buckets_(model_->parameters()),
        schedule_({"constant", 0.1, {}, 0.1, 1, 0}),
        loop_(*model_, comm, sgd_, buckets_, schedule_, crossEntropyLoss()) {
    const int64_t samples = batch * steps;
    data_.images = std::make_shared<InMemorySource>(
        torch::randint(0, 256, {samples, channels, size, size}, torch::kUInt8));
    data_.labels = torch::randint(0, 10, {samples}, torch::kInt64);
    for (int64_t i = 0; i < samples; ++i) data_.rows.push_back(i);
    data_.augment = {4, true};
  }
  // The loop holds references to the members.
  TrainingBench(const TrainingBench&) = delete;
  TrainingBench& operator=(const TrainingBench&) = delete;

  TrainingLoop& loop() { return loop_; }

  // Images/s: the median over `rounds` timed epochs, after one untimed epoch that warms up what
  // is made on first use (allocator pools, oneDNN or cuDNN plans, a first collective).
  // `finishEpoch` runs inside each timing (a GPU's synchronize, so queued work is counted).
  double imagesPerSecond(
      int rounds, const std::function<void()>& finishEpoch = [] {}) {
    runEpoch(0);
    finishEpoch();
    std::vector<double> rates;
    for (int round = 0; round < rounds; ++round) {
      const double seconds = secondsOf([&] {
        runEpoch(round + 1);
        finishEpoch();
      });
      rates.push_back(static_cast<double>(data_.rows.size()) / seconds);
    }
    return median(rates);
  }

  // Each phase's share of `rounds` epochs' steps, after the warm-up epoch (step_profile.h).
  StepProfile profile(int rounds) {
    runEpoch(0);
    StepProfile profile;
    loop_.setProfile(&profile);
    for (int round = 0; round < rounds; ++round) runEpoch(round + 1);
    loop_.setProfile(nullptr);
    return profile;
  }

 private:
  void runEpoch(int64_t index) {
    loop_.runEpoch(
        data_, {index, 1, 0, batch_, 1}, [](int64_t, int64_t) {}, silent_);
  }

  std::shared_ptr<Classifier> model_;
  int64_t batch_;
  MaskedSgd sgd_;
  GradientBucketer buckets_;
  LrSchedule schedule_;
  TrainingLoop loop_;
  SampleSet data_;
  ProgressReporter silent_{"bench", false};
};

}  // namespace mu::bench
