// The streaming JPEG loader on a converted dataset (bench/loader_bench.sh makes one of
// ImageNet-like JPEGs): images/s of decode + RandomResizedCrop(224) + flip, and of the evaluation
// view, per decoder thread; and how fast single images read from a shard's concatenated bytes
// (our layout) against an HDF5 variable-length dataset holding the same files.
// --smoke: two batches of 8, one timing and 50 reads, for CI's bench_smoke_test.

#include <hdf5.h>
#include <torch/torch.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <random>

#include "bench/bench_timing.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/data/encoded_shards.h"
#include "pipeline/data/jpeg_source.h"
#include "pipeline/data/shard_reader.h"

namespace {

struct BenchOptions {
  std::string data;
  int64_t batches = 20;
  int64_t batchSize = 64;
  int64_t threads = 1;
  int64_t imageSize = 224;
  int64_t repeats = 5;
  int64_t reads = 2000;  // random single-image reads per layout timing
  bool smoke = false;

  // --smoke overrides the sizes: seconds of the same work.
  void applySmoke() {
    if (!smoke) return;
    batches = 2;
    batchSize = 8;
    repeats = 1;
    reads = 50;
  }
};

// Images per second over `batches` batches of the split's first ids, decoded by the stream.
double imagesPerSecond(const mu::LoadedSplit& split, const BenchOptions& options,
                       const mu::AugmentOptions& augment) {
  std::vector<std::vector<int64_t>> plan;
  int64_t next = 0;
  for (int64_t b = 0; b < options.batches; ++b) {
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < options.batchSize; ++i) ids.push_back(next++ % split.size());
    plan.push_back(ids);
  }
  int64_t epoch = 0;
  const double seconds = mu::bench::medianSeconds(static_cast<int>(options.repeats), [&] {
    auto stream = split.source->stream(plan, {augment, 1, epoch++}, {});
    for (size_t b = 0; b < plan.size(); ++b) stream->next();
  });
  return static_cast<double>(options.batches * options.batchSize) / seconds;
}

// Images per second of the decoder's own work on one thread: decode + RandomResizedCrop + flip into
// a uint8 batch, what the host does per image when a GPU trains (the scaling to float runs there).
double bytesPerSecond(const mu::LoadedSplit& split, const BenchOptions& options) {
  const auto& source = dynamic_cast<const mu::JpegSource&>(*split.source);
  const int64_t images = options.batches * options.batchSize;
  const auto imageBytes = static_cast<size_t>(options.imageSize * options.imageSize * 3);
  std::vector<uint8_t> batch(static_cast<size_t>(options.batchSize) * imageBytes);
  mu::DecodeWorkspace workspace;
  int64_t epoch = 0;
  const double seconds = mu::bench::medianSeconds(static_cast<int>(options.repeats), [&] {
    const mu::BatchRecipe recipe{{0, true, true}, 1, epoch++};
    for (int64_t i = 0; i < images; ++i) {
      const auto slot = static_cast<size_t>(i % options.batchSize);
      source.decodeSample(i % split.size(), recipe, mu::PixelLayout::kPlanar,
                          &batch[slot * imageBytes], workspace);
    }
  });
  return static_cast<double>(images) / seconds;
}

// The shard's images rewritten as one HDF5 variable-length uint8 dataset.
void writeVlenCopy(const mu::EncodedShard& shard, const std::string& path) {
  std::vector<std::vector<uint8_t>> images;
  std::vector<hvl_t> entries;
  for (int64_t row = 0; row < shard.size(); ++row) images.push_back(shard.bytes(row));
  for (auto& image : images) entries.push_back({image.size(), image.data()});
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t type = H5Tvlen_create(H5T_NATIVE_UINT8);
  const hsize_t count = entries.size();
  const hid_t space = H5Screate_simple(1, &count, nullptr);
  const hid_t dataset =
      H5Dcreate2(file, "encoded", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, entries.data());
  H5Dclose(dataset);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(file);
}

// Seconds to read `rows` single images from the vlen copy.
double readVlen(const std::string& path, const std::vector<int64_t>& rows) {
  return mu::bench::secondsOf([&] {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t dataset = H5Dopen2(file, "encoded", H5P_DEFAULT);
    const hid_t type = H5Tvlen_create(H5T_NATIVE_UINT8);
    const hid_t space = H5Dget_space(dataset);
    const hsize_t one = 1;
    const hid_t memory = H5Screate_simple(1, &one, nullptr);
    for (const int64_t row : rows) {
      const auto start = static_cast<hsize_t>(row);
      H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &one, nullptr);
      hvl_t entry{};
      H5Dread(dataset, type, memory, space, H5P_DEFAULT, &entry);
      H5Dvlen_reclaim(type, memory, H5P_DEFAULT, &entry);
    }
    H5Sclose(memory);
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(dataset);
    H5Fclose(file);
  });
}

int run(const BenchOptions& options) {
  torch::set_num_threads(1);
  mu::StreamOptions stream;
  stream.imageSize = options.imageSize;
  stream.decodeThreads = options.threads;
  stream.prefetchBatches = 4;
  const mu::LoadedSplit train = mu::loadSplit(options.data, "train", stream);
  // An untimed pass first: the page cache, the allocator's arenas and the CPU's clock settle (the
  // first pass here ran ~10% slower than later identical ones).
  imagesPerSecond(train, options, {0, true, true});
  const double training = imagesPerSecond(train, options, {0, true, true});
  const double trainingBytes = bytesPerSecond(train, options);
  const double evaluation = imagesPerSecond(train, options, {});
  stream.fullSizeDecode = true;
  const mu::LoadedSplit exact = mu::loadSplit(options.data, "train", stream);
  const double trainingExact = imagesPerSecond(exact, options, {0, true, true});
  std::printf(
      "decode + RandomResizedCrop(%lld) + flip, %lld decoder thread(s): %.0f images/s "
      "(%.0f with --full-size-decode)\n",
      static_cast<long long>(options.imageSize), static_cast<long long>(options.threads), training,
      trainingExact);
  std::printf(
      "decode + RandomResizedCrop(%lld) + flip into uint8 batches, one thread, no stream: %.0f "
      "images/s\n",
      static_cast<long long>(options.imageSize), trainingBytes);
  std::printf("decode + Resize + CenterCrop(%lld), %lld decoder thread(s): %.0f images/s\n",
              static_cast<long long>(options.imageSize), static_cast<long long>(options.threads),
              evaluation);

  // Layout: random single-image reads, concatenated bytes + offsets against vlen.
  const std::string shardPath =
      options.data + "/" + train.manifest.splits.at("train").shards.front();
  const mu::EncodedShard shard(shardPath);
  const std::string vlenPath = "/tmp/mu-bench-vlen-" + std::to_string(::getpid()) + ".h5";
  writeVlenCopy(shard, vlenPath);
  std::vector<int64_t> rows(static_cast<size_t>(options.reads));
  std::mt19937 random(1);
  for (int64_t& row : rows) row = static_cast<int64_t>(random() % shard.size());
  std::vector<double> concatenated, vlen;
  for (int64_t repeat = 0; repeat < options.repeats; ++repeat) {
    concatenated.push_back(mu::bench::secondsOf([&] {
      const mu::EncodedShard reopened(shardPath);
      for (const int64_t row : rows) reopened.bytes(row);
    }));
    vlen.push_back(readVlen(vlenPath, rows));
  }
  std::filesystem::remove(vlenPath);
  const double concatenatedRate =
      static_cast<double>(rows.size()) / mu::bench::median(concatenated);
  const double vlenRate = static_cast<double>(rows.size()) / mu::bench::median(vlen);
  std::printf(
      "random single-image reads (page cache): concatenated + offsets %.0f images/s, "
      "HDF5 variable-length %.0f images/s\n",
      concatenatedRate, vlenRate);
  std::printf(
      "summary: %.0f images/s/core decode+RRC+flip to float batches, %.0f to uint8 batches, reads "
      "%.2fx vlen\n",
      training, trainingBytes, concatenatedRate / vlenRate);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions options;
  mu::OptionTable table;
  table.add("data", &options.data, "a JPEG dataset folder written by mu-data convert")
      .add("batches", &options.batches, "batches per timing")
      .add("batch-size", &options.batchSize, "images per batch")
      .add("threads", &options.threads, "decoder threads")
      .add("image-size", &options.imageSize, "crop size")
      .add("repeats", &options.repeats, "timings (the median is printed)")
      .addFlag("smoke", &options.smoke,
               "seconds-long run on tiny sizes, overriding the above (CI's bench_smoke_test)");
  return mu::runWithOptions({"bench_loader", "usage: bench_loader --data DIR [options]", {}}, table,
                            argc, argv, [&] {
                              options.applySmoke();
                              return run(options);
                            });
}
