// The streaming JPEG source on a generated ImageFolder tree converted by mu-data: its evaluation
// view is PIL's Resize + CenterCrop bit for bit (torchvision's transform), DCT-scaled decoding
// stays close to it, and batches depend only on (seed, epoch, sample id), never on the decoder
// threads, the prefetch depth or a sample's place in the plan.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/data/jpeg_source.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/io/text_file.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

class JpegSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new test::ScratchDir("jpeg-source");
    const test::CommandResult made = test::runCommand(
        "/usr/bin/python3 " + std::string(MU_SOURCE_DIR) + "/datasets/tools/make_image_tree.py " +
        work_->file("tree") +
        " --classes 4 --train-per-class 12 --val-per-class 3 --min-side 30 --max-side 400");
    ASSERT_EQ(made.exitCode, 0) << made.output;
    const test::CommandResult converted = test::runCommand(
        test::programPath("mu-data") + " convert --format imagefolder --source " +
        work_->file("tree") + " --out " + work_->file("data") + " --shard-size 10");
    ASSERT_EQ(converted.exitCode, 0) << converted.output;
  }
  static void TearDownTestSuite() {
    delete work_;
    work_ = nullptr;
  }
  static std::string data() { return work_->file("data"); }

  static StreamOptions options(int threads, int prefetch, bool fullSize = true) {
    StreamOptions stream;
    stream.imageSize = 32;
    stream.resizeSize = 40;
    stream.decodeThreads = threads;
    stream.prefetchBatches = prefetch;
    stream.fullSizeDecode = fullSize;
    return stream;
  }

  // PIL's view of every test image (sorted paths = sample ids): Resize + CenterCrop bytes, HWC.
  static std::string pilView(bool square) {
    const std::string script =
        "import glob, sys\n"
        "from PIL import Image\n"
        "out = open(sys.argv[2], 'wb')\n"
        "for path in sorted(glob.glob(sys.argv[1] + '/val/*/*.jpg')):\n"
        "    im = Image.open(path).convert('RGB')\n"
        "    w, h = im.size\n"
        "    if " +
        std::string(square ? "True" : "False") +
        ":\n"
        "        size = (40, 40)\n"
        "    else:\n"
        "        size = (40, int(40 * h / w)) if w <= h else (int(40 * w / h), 40)\n"
        "    im = im.resize(size, Image.BILINEAR)\n"
        "    top, left = int(round((size[1] - 32) / 2.0)), int(round((size[0] - 32) / 2.0))\n"
        "    out.write(im.crop((left, top, left + 32, top + 32)).tobytes())\n";
    std::ofstream(work_->file("view.py")) << script;
    const test::CommandResult run =
        test::runCommand("/usr/bin/python3 " + work_->file("view.py") + " " + work_->file("tree") +
                         " " + work_->file("view.raw"));
    EXPECT_EQ(run.exitCode, 0) << run.output;
    return readTextFile(work_->file("view.raw"));
  }

  // float [B, 3, S, S] in [0, 1] back to the bytes it came from, HWC.
  static torch::Tensor toBytes(const torch::Tensor& batch) {
    return batch.mul(255).round().to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
  }

  static test::ScratchDir* work_;
};

test::ScratchDir* JpegSourceTest::work_ = nullptr;

std::vector<int64_t> allIds(int64_t count) {
  std::vector<int64_t> ids(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) ids[static_cast<size_t>(i)] = i;
  return ids;
}

TEST_F(JpegSourceTest, EvaluationViewIsPilsResizeAndCenterCrop) {
  for (const bool square : {false, true}) {
    StreamOptions stream = options(2, 2);
    stream.squareResize = square;
    const LoadedSplit test = loadSplit(data(), "test", stream);
    ASSERT_EQ(test.size(), 12);
    EXPECT_FALSE(test.images.defined());  // streamed, not loaded
    const torch::Tensor batch = test.source->batch(allIds(12), {}, {});
    ASSERT_EQ(batch.sizes(), (std::vector<int64_t>{12, 3, 32, 32}));
    const std::string expected = pilView(square);
    const torch::Tensor ours = toBytes(batch);
    ASSERT_EQ(static_cast<size_t>(ours.numel()), expected.size());
    EXPECT_EQ(std::memcmp(ours.data_ptr<uint8_t>(), expected.data(), expected.size()), 0)
        << (square ? "square" : "shorter side");
  }
}

TEST_F(JpegSourceTest, LabelsFollowTheSortedClassFolders) {
  const LoadedSplit train = loadSplit(data(), "train", options(1, 1));
  ASSERT_EQ(train.size(), 48);
  for (int64_t id = 0; id < 48; ++id) EXPECT_EQ(train.labels[id].item<int64_t>(), id / 12);
}

TEST_F(JpegSourceTest, DctScaledDecodingStaysCloseToTheExactView) {
  const LoadedSplit exact = loadSplit(data(), "train", options(2, 2, true));
  const LoadedSplit scaled = loadSplit(data(), "train", options(2, 2, false));
  const torch::Tensor a = exact.source->batch(allIds(48), {}, {});
  const torch::Tensor b = scaled.source->batch(allIds(48), {}, {});
  const double meanDifference = (a - b).abs().mean().item<double>() * 255;
  EXPECT_GT(meanDifference, 0.0);  // some images were decoded smaller
  EXPECT_LT(meanDifference, 6.0);
}

TEST_F(JpegSourceTest, BatchesDependOnlyOnSeedEpochAndIdNotOnThreadsOrPrefetch) {
  const AugmentOptions crop{0, true, true};
  const std::vector<std::vector<int64_t>> plan = {
      {5, 1, 40}, {0, 2, 3, 4, 6, 7}, {47}, {8, 9, 10, 11, 12}, {13, 14}};
  const auto run = [&](int threads, int prefetch, int64_t epoch) {
    const LoadedSplit train = loadSplit(data(), "train", options(threads, prefetch));
    auto stream = train.source->stream(plan, {crop, 7, epoch}, {});
    std::vector<torch::Tensor> batches;
    for (size_t b = 0; b < plan.size(); ++b) batches.push_back(stream->next());
    EXPECT_THROW(stream->next(), std::logic_error);
    return batches;
  };
  const std::vector<torch::Tensor> one = run(1, 1, 3);
  const std::vector<torch::Tensor> many = run(4, 5, 3);
  for (size_t b = 0; b < plan.size(); ++b) EXPECT_TRUE(torch::equal(one[b], many[b])) << b;
  // Sample 1 in another batch of another plan: the same crop.
  const LoadedSplit train = loadSplit(data(), "train", options(3, 2));
  const torch::Tensor alone = train.source->batch({1}, {crop, 7, 3}, {});
  EXPECT_TRUE(torch::equal(alone[0], one[0][1]));
  // Another epoch, other crops.
  const std::vector<torch::Tensor> later = run(2, 2, 4);
  EXPECT_FALSE(torch::equal(one[1], later[1]));
  // The training view differs from the evaluation view, and stays in [0, 1].
  EXPECT_FALSE(torch::equal(one[0], train.source->batch({5, 1, 40}, {}, {})));
  EXPECT_GE(one[1].min().item<float>(), 0.0f);
  EXPECT_LE(one[1].max().item<float>(), 1.0f);
}

TEST_F(JpegSourceTest, ChannelsLastBatchesHoldTheSameValues) {
  const LoadedSplit test = loadSplit(data(), "test", options(2, 2));
  const torch::Tensor plain = test.source->batch({0, 1, 2}, {}, {});
  const torch::Tensor nhwc = test.source->batch({0, 1, 2}, {}, {torch::kCPU, true});
  EXPECT_TRUE(nhwc.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(plain.is_contiguous());
  EXPECT_TRUE(torch::equal(plain, nhwc));
  // The training view too, whose flipped samples the decoder mirrors as it lays them out.
  const LoadedSplit train = loadSplit(data(), "train", options(2, 2));
  const std::vector<int64_t> ids = {0, 1, 2, 3, 4, 5, 6, 7};
  const BatchRecipe crop{{0, true, true}, 7, 1};
  EXPECT_TRUE(torch::equal(train.source->batch(ids, crop, {}),
                           train.source->batch(ids, crop, {torch::kCPU, true})));
}

TEST_F(JpegSourceTest, AnIdOutsideTheSplitIsAnError) {
  const LoadedSplit test = loadSplit(data(), "test", options(1, 1));
  EXPECT_THROW(test.source->batch({12}, {}, {}), InputError);
}

TEST_F(JpegSourceTest, ShardsRewrittenChunkedAreRefusedByName) {
  // The loader reads the bytes straight from the file; h5repack's chunked copy has no one run.
  const std::string copy = work_->file("chunked");
  ASSERT_EQ(test::runCommand("cp -r " + data() + " " + copy).exitCode, 0);
  const std::string shard = copy + "/train-00000.h5";
  const test::CommandResult repacked =
      test::runCommand("h5repack -l encoded:CHUNK=4096 " + shard + " " + shard + ".new && mv " +
                       shard + ".new " + shard);
  ASSERT_EQ(repacked.exitCode, 0) << repacked.output;
  try {
    loadSplit(copy, "train", options(1, 1));
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("train-00000.h5"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("contiguous"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace mu
