#include "pipeline/data/jpeg_batch_stream.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "pipeline/data/batch_on_device.h"
#include "pipeline/data/jpeg_source.h"

namespace mu {

JpegBatchStream::JpegBatchStream(const JpegSource& source, std::vector<std::vector<int64_t>> plan,
                                 BatchRecipe recipe, BatchPlacement placement)
    : source_(source),
      plan_(std::move(plan)),
      recipe_(std::move(recipe)),
      placement_(std::move(placement)),
      imageBytes_(source.options().imageSize * source.options().imageSize * 3),
      // The layout the model's batches have, so that scaling to float is one contiguous pass.
      layout_(placement_.channelsLast ? PixelLayout::kInterleaved : PixelLayout::kPlanar) {
  const std::lock_guard<std::mutex> lock(mutex_);
  submitAhead();
  // No more threads than samples: influence unlearning asks for one sample at a time.
  size_t samples = 0;
  for (const std::vector<int64_t>& batch : plan_) samples += batch.size();
  const auto threads =
      std::max<size_t>(1, std::min(static_cast<size_t>(source.options().threads()), samples));
  for (size_t t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
}

JpegBatchStream::~JpegBatchStream() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  workAvailable_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void JpegBatchStream::submitAhead() {
  const auto depth = static_cast<size_t>(source_.options().prefetchBatches);
  const int64_t size = source_.options().imageSize;
  bool submitted = false;
  for (; nextSubmit_ < plan_.size() && nextSubmit_ < nextTake_ + depth; ++nextSubmit_) {
    const auto count = static_cast<int64_t>(plan_[nextSubmit_].size());
    Pending& pending = pending_[nextSubmit_];
    // Pinned host memory copies to a GPU asynchronously.
    const std::vector<int64_t> shape = layout_ == PixelLayout::kPlanar
                                           ? std::vector<int64_t>{count, 3, size, size}
                                           : std::vector<int64_t>{count, size, size, 3};
    pending.pixels = torch::empty(
        shape, torch::TensorOptions(torch::kUInt8).pinned_memory(placement_.device.is_cuda()));
    pending.remaining = count;
    for (size_t sample = 0; sample < static_cast<size_t>(count); ++sample) {
      tasks_.push_back({nextSubmit_, sample});
    }
    submitted = true;
  }
  if (submitted) workAvailable_.notify_all();
}

void JpegBatchStream::decode(const Task& task, uint8_t* out, DecodeWorkspace& workspace,
                             Pending& pending) {
  try {
    source_.decodeSample(plan_[task.batch][task.sample], recipe_, layout_, out, workspace);
  } catch (...) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!pending.error) pending.error = std::current_exception();
  }
}

void JpegBatchStream::work() {
  DecodeWorkspace workspace;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    workAvailable_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (stopping_) return;
    const Task task = tasks_.front();
    tasks_.pop_front();
    Pending& pending = pending_.at(task.batch);  // map nodes stay put while others come and go
    uint8_t* out =
        pending.pixels.data_ptr<uint8_t>() + static_cast<int64_t>(task.sample) * imageBytes_;
    lock.unlock();
    decode(task, out, workspace, pending);
    lock.lock();
    if (--pending.remaining == 0) batchDone_.notify_all();
  }
}

torch::Tensor JpegBatchStream::next() {
  if (nextTake_ >= plan_.size()) throw std::logic_error("BatchStream: the plan is exhausted");
  Pending taken;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    batchDone_.wait(lock, [this] { return pending_.at(nextTake_).remaining == 0; });
    taken = std::move(pending_.at(nextTake_));
    pending_.erase(nextTake_);
    ++nextTake_;
    submitAhead();
  }
  if (taken.error) std::rethrow_exception(taken.error);
  // Scaled on the device; interleaved bytes are viewed as NCHW (a channels-last tensor).
  torch::Tensor bytes = taken.pixels.to(placement_.device, /*non_blocking=*/true);
  if (layout_ == PixelLayout::kInterleaved) bytes = bytes.permute({0, 3, 1, 2});
  return scaleToUnit(bytes, placement_.channelsLast);
}

}  // namespace mu
