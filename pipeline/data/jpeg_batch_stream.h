#pragma once
// The batches of one plan from a JpegSource, decoded ahead by a pool of threads: while the
// consumer trains on batch i, the pool decodes batches i+1 .. i+depth (--prefetch-batches), one
// sample per task, into uint8 buffers laid out as the model's batches are (NCHW, or NHWC for a
// channels-last model). next() waits for batch i, hands its buffer to the device (pinned memory
// and an asynchronous copy on a GPU) and scales it to [0, 1] there.
// Memory: depth buffers of B x S x S x 3 bytes, plus each thread's workspace (a few images).

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/data/jpeg_source.h"
#include "pipeline/data/sample_source.h"

namespace mu {

class JpegBatchStream : public BatchStream {
 public:
  JpegBatchStream(const JpegSource& source, std::vector<std::vector<int64_t>> plan,
                  BatchRecipe recipe, BatchPlacement placement);
  ~JpegBatchStream() override;
  JpegBatchStream(const JpegBatchStream&) = delete;
  JpegBatchStream& operator=(const JpegBatchStream&) = delete;

  torch::Tensor next() override;

 private:
  struct Pending {
    torch::Tensor pixels;  // uint8 [B, 3, S, S] or [B, S, S, 3] (layout_)
    int64_t remaining = 0;
    std::exception_ptr error;
  };
  struct Task {
    size_t batch = 0;
    size_t sample = 0;
  };

  // Queues the batches up to the prefetch depth ahead of the consumer (lock held).
  void submitAhead();
  void work();
  // Decodes one sample into its batch's buffer, recording the first error.
  void decode(const Task& task, uint8_t* out, DecodeWorkspace& workspace, Pending& pending);

  const JpegSource& source_;
  std::vector<std::vector<int64_t>> plan_;
  BatchRecipe recipe_;
  BatchPlacement placement_;
  int64_t imageBytes_ = 0;
  PixelLayout layout_;

  std::mutex mutex_;
  std::condition_variable workAvailable_;
  std::condition_variable batchDone_;
  std::map<size_t, Pending> pending_;  // submitted and not yet taken
  std::deque<Task> tasks_;
  size_t nextSubmit_ = 0;
  size_t nextTake_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace mu
