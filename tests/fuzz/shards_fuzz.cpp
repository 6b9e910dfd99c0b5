// A dataset folder as a stage opens it: part 0 is manifest.json, parts 1-3 the shards
// train-00000.h5 .. train-00002.h5 (raw pixels or JPEG files with their offsets), part 4 the
// seed-1 validation split. The reader checks every shard against the manifest, then the split
// file is read; a JPEG dataset also decodes a batch, as training's first step would.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/data/shard_schema.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kFiles = {
      "manifest.json", mu::shards::shardFileName("train", 0), mu::shards::shardFileName("train", 1),
      mu::shards::shardFileName("train", 2), mu::shards::validationSplitFileName(1)};
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::vector<std::string_view> parts = mu::fuzz::splitParts(data, size);
  for (size_t i = 0; i < parts.size() && i < kFiles.size(); ++i) folder.write(kFiles[i], parts[i]);
  try {
    mu::StreamOptions stream;
    stream.imageSize = 8;  // small crops keep a decoded batch cheap
    stream.resizeSize = 8;
    stream.decodeThreads = 1;
    const mu::LoadedSplit train = mu::loadSplit(folder.path(), "train", stream);
    mu::loadValidationSplit(folder.path(), train, 1);
    if (train.manifest.encoded()) {
      std::vector<int64_t> ids(static_cast<size_t>(std::min<int64_t>(train.size(), 4)));
      std::iota(ids.begin(), ids.end(), 0);
      if (!ids.empty()) train.source->batch(ids, {}, {});
    }
  } catch (const mu::InputError&) {
    // A refusal naming the manifest or the shard and the field: what damaged data should get.
  }
  return 0;
}
