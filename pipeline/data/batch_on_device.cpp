#include "pipeline/data/batch_on_device.h"

#include <torch/torch.h>

#include <cstring>

#include "pipeline/data/sample_transform.h"

namespace mu {
namespace {

// Host staging memory: pinned when the batch goes to a GPU, so its copy is asynchronous and the
// caching host allocator keeps the block until that copy is done.
torch::TensorOptions stagingOptions(torch::ScalarType type, torch::Device device) {
  return torch::TensorOptions(type).pinned_memory(!device.is_cpu());
}

torch::Tensor onDevice(const torch::Tensor& staged, torch::Device device) {
  return device.is_cpu() ? staged : staged.to(device, /*non_blocking=*/true);
}

// Row y and column x of each sample's output image index the zero-padded image at
// coordinates[b][y] and coordinates[b][H + x]: the crop origin, plus the mirrored column when
// the sample is flipped.
torch::Tensor sourceCoordinates(const std::vector<int64_t>& sampleIds,
                                const AugmentOptions& options, uint64_t seed, int64_t epoch,
                                int64_t height, int64_t width, torch::Device device) {
  const auto count = static_cast<int64_t>(sampleIds.size());
  torch::Tensor coordinates =
      torch::empty({count, height + width}, stagingOptions(torch::kInt64, device));
  int64_t* out = coordinates.data_ptr<int64_t>();
  for (int64_t b = 0; b < count; ++b) {
    const SampleTransform transform =
        drawSampleTransform(options, seed, epoch, sampleIds[static_cast<size_t>(b)]);
    int64_t* rowOf = out + b * (height + width);
    int64_t* columnOf = rowOf + height;
    for (int64_t y = 0; y < height; ++y) rowOf[y] = transform.offsetY + y;
    for (int64_t x = 0; x < width; ++x) {
      columnOf[x] = transform.offsetX + (transform.flip ? width - 1 - x : x);
    }
  }
  return coordinates;
}

}  // namespace

torch::Tensor makeImageBatchOnDevice(const torch::Tensor& images, const std::vector<int64_t>& rows,
                                     const std::vector<int64_t>& sampleIds,
                                     const AugmentOptions& options, uint64_t seed, int64_t epoch,
                                     const BatchPlacement& placement) {
  checkBatchRequest(images, rows, sampleIds);
  const torch::Device device = placement.device;
  const auto count = static_cast<int64_t>(rows.size());
  const int64_t channels = images.size(1);
  const int64_t height = images.size(2);
  const int64_t width = images.size(3);
  const int64_t imageBytes = channels * height * width;

  torch::Tensor raw =
      torch::empty({count, channels, height, width}, stagingOptions(torch::kUInt8, device));
  const uint8_t* source = images.data_ptr<uint8_t>();
  uint8_t* target = raw.data_ptr<uint8_t>();
  for (int64_t b = 0; b < count; ++b) {
    std::memcpy(target + b * imageBytes, source + rows[static_cast<size_t>(b)] * imageBytes,
                static_cast<size_t>(imageBytes));
  }
  torch::Tensor batch = onDevice(raw, device);

  if (options.cropPadding > 0 || options.horizontalFlip) {
    const torch::Tensor coordinates =
        onDevice(sourceCoordinates(sampleIds, options, seed, epoch, height, width, device), device);
    const int64_t padding = options.cropPadding;
    const torch::Tensor padded =
        padding > 0 ? torch::constant_pad_nd(batch, {padding, padding, padding, padding}, 0)
                    : batch;
    // One gather: out[b][c][y][x] = padded[b][c][row(b, y)][column(b, x)], the index tensors
    // broadcast to [B, C, H, W].
    const auto indexOptions = torch::TensorOptions(torch::kInt64).device(device);
    const torch::Tensor sampleIndex = torch::arange(count, indexOptions).view({count, 1, 1, 1});
    const torch::Tensor channelIndex =
        torch::arange(channels, indexOptions).view({1, channels, 1, 1});
    const torch::Tensor rowIndex = coordinates.narrow(1, 0, height).unsqueeze(1).unsqueeze(3);
    const torch::Tensor columnIndex =
        coordinates.narrow(1, height, width).unsqueeze(1).unsqueeze(2);
    batch = padded.index({sampleIndex, channelIndex, rowIndex, columnIndex});
  }

  return scaleToUnit(batch, placement.channelsLast);
}

torch::Tensor scaleToUnit(const torch::Tensor& bytes, bool channelsLast) {
  // value / 255 as ToTensor computes it. The divisor is a tensor on the batch's device: a CPU
  // scalar would let CUDA's division multiply by a rounded 1/255 instead, which changes bits.
  const torch::Tensor divisor =
      torch::full({}, 255.0f, torch::TensorOptions(torch::kFloat32).device(bytes.device()));
  // Converting into the output's layout, then dividing in place: two passes the CPU vectorises
  // when the bytes already lie in that layout (the JPEG loader writes them so).
  torch::Tensor batch = torch::empty(
      bytes.sizes(), torch::TensorOptions(torch::kFloat32).device(bytes.device()),
      channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
  return batch.copy_(bytes).div_(divisor);
}

torch::Tensor makeLabelBatch(const torch::Tensor& labels, const std::vector<int64_t>& rows,
                             torch::Device device) {
  const torch::Tensor index = torch::tensor(rows, torch::kInt64);
  if (device.is_cpu()) return labels.index_select(0, index);
  torch::Tensor staged = torch::empty({static_cast<int64_t>(rows.size())},
                                      stagingOptions(labels.scalar_type(), device));
  torch::index_select_out(staged, labels, 0, index);
  return onDevice(staged, device);
}

}  // namespace mu
