#include "pipeline/data/augment.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <array>

#include "pipeline/data/batch_on_device.h"
#include "pipeline/data/sample_transform.h"

namespace mu {
namespace {

// Fewer samples than this per thread cost more in hand-off than they gain.
constexpr int64_t kSamplesPerTask = 32;

// value / 255 exactly as ToTensor computes it (a division, not a multiplication by 1/255).
const std::array<float, 256>& byteToUnitFloat() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> values{};
    for (int i = 0; i < 256; ++i) values[static_cast<size_t>(i)] = static_cast<float>(i) / 255.0f;
    return values;
  }();
  return table;
}

// Writes one transformed image into `out` (already zeroed: padding stays 0).
void transformImage(const uint8_t* image, float* out, int channels, int height, int width,
                    int padding, const SampleTransform& transform) {
  const auto& unit = byteToUnitFloat();
  const int shiftY = transform.offsetY - padding;  // source row = output row + shiftY
  const int shiftX = transform.offsetX - padding;
  const int firstX = std::max(0, -shiftX);
  const int endX = std::min(width, width - shiftX);
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < height; ++y) {
      const int sourceY = y + shiftY;
      if (sourceY < 0 || sourceY >= height) continue;
      const uint8_t* source = image + (c * height + sourceY) * width + shiftX;
      float* target = out + (c * height + y) * width;
      if (transform.flip) {
        for (int x = firstX; x < endX; ++x) target[width - 1 - x] = unit[source[x]];
      } else {
        for (int x = firstX; x < endX; ++x) target[x] = unit[source[x]];
      }
    }
  }
}

}  // namespace

torch::Tensor makeImageBatch(const torch::Tensor& images, const std::vector<int64_t>& rows,
                             const std::vector<int64_t>& sampleIds, const AugmentOptions& options,
                             uint64_t seed, int64_t epoch, const BatchPlacement& placement) {
  if (!placement.device.is_cpu()) {
    return makeImageBatchOnDevice(images, rows, sampleIds, options, seed, epoch, placement);
  }
  checkBatchRequest(images, rows, sampleIds);
  const int channels = static_cast<int>(images.size(1));
  const int height = static_cast<int>(images.size(2));
  const int width = static_cast<int>(images.size(3));
  const int64_t imageSize = int64_t{channels} * height * width;
  torch::Tensor batch =
      torch::zeros({static_cast<int64_t>(rows.size()), channels, height, width}, torch::kFloat32);
  const uint8_t* source = images.data_ptr<uint8_t>();
  float* target = batch.data_ptr<float>();
  // Samples are independent (each one's randomness is keyed by its id), so LibTorch's threads
  // share them.
  at::parallel_for(0, static_cast<int64_t>(rows.size()), kSamplesPerTask,
                   [&](int64_t first, int64_t end) {
                     for (int64_t i = first; i < end; ++i) {
                       const auto index = static_cast<size_t>(i);
                       const SampleTransform transform =
                           drawSampleTransform(options, seed, epoch, sampleIds[index]);
                       transformImage(source + rows[index] * imageSize, target + i * imageSize,
                                      channels, height, width, options.cropPadding, transform);
                     }
                   });
  if (placement.channelsLast) batch = batch.contiguous(torch::MemoryFormat::ChannelsLast);
  return batch;
}

torch::Tensor makeImageBatch(const torch::Tensor& images, const std::vector<int64_t>& rows,
                             const BatchPlacement& placement) {
  return makeImageBatch(images, rows, rows, AugmentOptions{}, 0, 0, placement);
}

}  // namespace mu
