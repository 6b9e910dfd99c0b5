#include "pipeline/data/jpeg_source.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/data/crop_geometry.h"
#include "pipeline/data/jpeg_batch_stream.h"
#include "pipeline/data/sample_transform.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/imaging/image_convert.h"
#include "pipeline/imaging/jpeg_region.h"
#include "pipeline/imaging/pixel_layout.h"
#include "pipeline/imaging/resample.h"
#include "pipeline/runs/run_folder.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

// Draw k of a sample: 0..21 belong to RandomResizedCrop, this one to the flip.
constexpr uint64_t kFlipDraw = 100;

// The largest libjpeg-turbo reduction (8, 4, 2 or 1) that keeps at least `needWidth` x
// `needHeight` of the `width` x `height` region.
int reductionFor(int width, int height, int needWidth, int needHeight) {
  for (int factor : {8, 4, 2}) {
    if (width / factor >= needWidth && height / factor >= needHeight) return factor;
  }
  return 1;
}

// Whether libjpeg-turbo turns the image into RGB itself, and so can also scale it in the DCT
// domain; CMYK files go through toRgb. (mu-data re-encodes them; one in a shard came from
// elsewhere.)
bool decodesToRgbDirectly(const JpegHeader& header) {
  return header.colorSpace != JpegColorSpace::kCmyk && header.colorSpace != JpegColorSpace::kYcck;
}

// The image decoded at 1 / `factor` (1 unless decodesToRgbDirectly) into `out`.
void decodeReduced(const JpegHeader& header, int factor, DecodeWorkspace& workspace,
                   DecodedImage& out) {
  const std::vector<uint8_t>& bytes = workspace.bytes;
  if (!decodesToRgbDirectly(header)) {
    out = decodeToRgb(bytes.data(), bytes.size(), workspace.codec);
    return;
  }
  workspace.codec.decodeRgb(bytes.data(), bytes.size(), 1, factor, out);
}

// `box` of the image, decoded at 1 / `factor` (the box scaled with it; exact when factor is 1)
// into workspace.decoded. Only the region is decoded, unless the file needs a colour conversion
// libjpeg cannot do.
void decodeCrop(const JpegHeader& header, const CropBox& box, int factor,
                DecodeWorkspace& workspace) {
  const int scaledWidth = (header.width + factor - 1) / factor;  // libjpeg rounds up
  const int scaledHeight = (header.height + factor - 1) / factor;
  PixelRegion region{box.left / factor, box.top / factor, 0, 0};
  region.width = std::max(1, std::min(scaledWidth - region.left, box.width / factor));
  region.height = std::max(1, std::min(scaledHeight - region.top, box.height / factor));
  if (!decodesToRgbDirectly(header)) {
    DecodedImage whole;
    decodeReduced(header, factor, workspace, whole);
    workspace.decoded = cropImage(whole, region.left, region.top, region.width, region.height);
    return;
  }
  const std::vector<uint8_t>& bytes = workspace.bytes;
  decodeJpegRegion(bytes.data(), bytes.size(), region, factor, workspace.decoded);
}

}  // namespace

JpegSource::JpegSource(const std::string& datasetDir, const DatasetManifest& manifest,
                       const std::string& split, const StreamOptions& options)
    : options_(options) {
  const std::string manifestPath = runs::DatasetFolder(datasetDir).manifest();
  const DatasetManifest::Split& entry = manifest.split(split, manifestPath);
  // Each shard's index, read with one file open at a time (an open HDF5 file's caches would
  // otherwise add up over hundreds of shards).
  struct Read {
    ShardIndex index;
    std::vector<int64_t> ids;
    std::vector<int32_t> labels;
  };
  std::vector<Read> reads;
  for (const std::string& name : entry.shards) {
    const std::string path = (fs::path(datasetDir) / name).string();
    if (!fs::exists(path)) throw InputError(path, "file", "shard listed in manifest.json");
    const EncodedShard shard(path);
    checkShardBelongsTo(shard.file(), manifest, split);
    if (shard.ids().size() != shard.labels().size()) {
      throw InputError(path, shards::kIds, "one id per image (a finished conversion)");
    }
    const std::optional<uint64_t> fileOffset = shard.encodedFileOffset();
    if (!fileOffset) {
      throw InputError(path, shards::kEncoded,
                       "contiguous bytes, as mu-data writes them (a tool rewrote them chunked or "
                       "compressed: convert again, or h5repack -l CONTI)");
    }
    reads.push_back({{path, shard.offsets(), *fileOffset}, shard.ids(), shard.labels()});
  }
  // Each shard holds consecutive ids; together they must cover 0..count-1 once.
  std::sort(reads.begin(), reads.end(), [](const Read& a, const Read& b) {
    return a.ids.empty() || (!b.ids.empty() && a.ids.front() < b.ids.front());
  });
  labels_.reserve(static_cast<size_t>(entry.count));
  for (Read& read : reads) {
    const auto expected = static_cast<int64_t>(labels_.size());
    for (size_t row = 0; row < read.ids.size(); ++row) {
      if (read.ids[row] != expected + static_cast<int64_t>(row)) {
        throw InputError(read.index.path, shards::kIds,
                         "consecutive ids from " + std::to_string(expected) +
                             " (every id once across the shards)");
      }
      if (read.labels[row] < 0 || read.labels[row] >= manifest.numClasses) {
        throw InputError(read.index.path, shards::kLabels,
                         "labels in [0, " + std::to_string(manifest.numClasses) + "), found " +
                             std::to_string(read.labels[row]));
      }
    }
    firstIds_.push_back(expected);
    labels_.insert(labels_.end(), read.labels.begin(), read.labels.end());
    shards_.push_back(std::move(read.index));
  }
  if (static_cast<int64_t>(labels_.size()) != entry.count) {
    throw InputError(
        manifestPath, "splits." + split + ".count",
        std::to_string(entry.count) + " images, the shards hold " + std::to_string(labels_.size()));
  }
}

void JpegSource::readEncoded(int64_t id, std::vector<uint8_t>& bytes) const {
  if (id < 0 || id >= size()) {
    throw InputError("sample id " + std::to_string(id) + " outside [0, " + std::to_string(size()) +
                     ")");
  }
  const auto shard = static_cast<size_t>(std::upper_bound(firstIds_.begin(), firstIds_.end(), id) -
                                         firstIds_.begin() - 1);
  const std::vector<int64_t>& offsets = shards_[shard].offsets;
  const auto row = static_cast<size_t>(id - firstIds_[shard]);
  bytes.resize(static_cast<size_t>(offsets[row + 1] - offsets[row]));
  if (!bytes.empty()) {
    openShard(shard)->read(shards_[shard].fileOffset + static_cast<uint64_t>(offsets[row]),
                           bytes.size(), bytes.data());
  }
}

std::shared_ptr<const RandomAccessFile> JpegSource::openShard(size_t shard) const {
  constexpr size_t kOpenShards = 32;
  const std::lock_guard<std::mutex> lock(filesMutex_);
  for (auto file = openFiles_.begin(); file != openFiles_.end(); ++file) {
    if (file->first == shard) {
      openFiles_.splice(openFiles_.begin(), openFiles_, file);
      return openFiles_.front().second;
    }
  }
  openFiles_.emplace_front(shard, std::make_shared<RandomAccessFile>(shards_[shard].path));
  if (openFiles_.size() > kOpenShards) openFiles_.pop_back();
  return openFiles_.front().second;
}

void JpegSource::decodeSample(int64_t id, const BatchRecipe& recipe, PixelLayout layout,
                              uint8_t* out, DecodeWorkspace& workspace) const {
  readEncoded(id, workspace.bytes);
  const int size = static_cast<int>(options_.imageSize);
  DecodedImage& image = workspace.resized;
  try {
    const JpegHeader header =
        workspace.codec.header(workspace.bytes.data(), workspace.bytes.size());
    const bool scaling = !options_.fullSizeDecode && decodesToRgbDirectly(header);
    if (recipe.augment.randomResizedCrop) {
      uint64_t draw = 0;
      const CropBox box = randomResizedCropBox(header.width, header.height, [&] {
        return sampleUniform(recipe.seed, recipe.epoch, id, draw++);
      });
      const int factor = scaling ? reductionFor(box.width, box.height, size, size) : 1;
      decodeCrop(header, box, factor, workspace);
      resizeBilinear(workspace.decoded, size, size, image);
    } else {
      const ResizedCrop view =
          resizeAndCenterCrop(header.width, header.height, static_cast<int>(options_.resizeSize),
                              size, options_.squareResize);
      const int factor =
          scaling ? reductionFor(header.width, header.height, view.resizedWidth, view.resizedHeight)
                  : 1;
      decodeReduced(header, factor, workspace, workspace.decoded);
      resizeThenCrop(workspace.decoded, view.resizedWidth, view.resizedHeight, view.crop.left,
                     view.crop.top, size, size, image);
    }
  } catch (const ImageError& error) {
    throw InputError("sample id " + std::to_string(id), "image",
                     std::string("a decodable JPEG: ") + error.what());
  }
  bool flip = recipe.augment.horizontalFlip &&
              sampleUniform(recipe.seed, recipe.epoch, id, kFlipDraw) < 0.5;
  if (recipe.augment.cropPadding > 0 && !recipe.augment.randomResizedCrop) {
    // The small datasets' RandomCrop(padding) + flip on the evaluation view, drawn as the
    // in-memory path draws them (TinyImageNet's recipe, docs/reference-behaviour.md §2.2).
    const SampleTransform shift =
        drawSampleTransform(recipe.augment, recipe.seed, recipe.epoch, id);
    const int padding = recipe.augment.cropPadding;
    image = cropImage(image, shift.offsetX - padding, shift.offsetY - padding, size, size);
    flip = shift.flip;
  }
  writePixels(image, flip, layout, out);
}

std::unique_ptr<BatchStream> JpegSource::stream(std::vector<std::vector<int64_t>> plan,
                                                const BatchRecipe& recipe,
                                                const BatchPlacement& placement) const {
  return std::make_unique<JpegBatchStream>(*this, std::move(plan), recipe, placement);
}

}  // namespace mu
