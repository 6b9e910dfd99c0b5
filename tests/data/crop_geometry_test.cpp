// The loader's crop boxes are torchvision's: tests/data/crop_reference.py transcribes
// RandomResizedCrop.get_params and Resize + CenterCrop from torchvision's source and prints their
// boxes for 3000 image sizes on fixed random draws; ours must be the same on the same draws.

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/data/crop_geometry.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

std::vector<std::string> referenceLines() {
  const test::CommandResult run = test::runCommand(
      "/usr/bin/python3 " + std::string(MU_SOURCE_DIR) + "/tests/data/crop_reference.py");
  EXPECT_EQ(run.exitCode, 0) << run.output;
  std::vector<std::string> lines;
  std::istringstream in(run.output);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(CropGeometry, RandomResizedCropBoxesAreTorchvisions) {
  int cases = 0, fallbacks = 0;
  for (const std::string& line : referenceLines()) {
    std::istringstream fields(line);
    std::string kind;
    int width = 0, height = 0;
    fields >> kind >> width >> height;
    if (kind != "rrc") continue;
    std::vector<double> draws;
    for (std::string token; fields >> token && token != "->";) draws.push_back(std::stod(token));
    CropBox expected;
    fields >> expected.top >> expected.left >> expected.height >> expected.width;
    size_t next = 0;
    const CropBox box = randomResizedCropBox(width, height, [&] { return draws.at(next++); });
    ASSERT_EQ(box.top, expected.top) << line;
    ASSERT_EQ(box.left, expected.left) << line;
    ASSERT_EQ(box.height, expected.height) << line;
    ASSERT_EQ(box.width, expected.width) << line;
    ++cases;
    fallbacks += next == 20 ? 1 : 0;
  }
  EXPECT_EQ(cases, 3000);
  EXPECT_GT(fallbacks, 100);  // the central fallback is exercised, not only the first attempts
}

TEST(CropGeometry, ResizeThenCenterCropIsTorchvisions) {
  int cases = 0;
  for (const std::string& line : referenceLines()) {
    std::istringstream fields(line);
    std::string kind, arrow;
    int width = 0, height = 0, size = 0, crop = 0;
    fields >> kind >> width >> height >> size >> crop >> arrow;
    if (kind != "center") continue;
    int resizedWidth = 0, resizedHeight = 0, top = 0, left = 0;
    fields >> resizedWidth >> resizedHeight >> top >> left;
    const ResizedCrop ours = resizeAndCenterCrop(width, height, size, crop);
    ASSERT_EQ(ours.resizedWidth, resizedWidth) << line;
    ASSERT_EQ(ours.resizedHeight, resizedHeight) << line;
    ASSERT_EQ(ours.crop.top, top) << line;
    ASSERT_EQ(ours.crop.left, left) << line;
    ++cases;
  }
  EXPECT_EQ(cases, 3000);
}

TEST(CropGeometry, RoundingIsPythonsHalfToEven) {
  EXPECT_EQ(roundHalfEven(0.5), 0);
  EXPECT_EQ(roundHalfEven(1.5), 2);
  EXPECT_EQ(roundHalfEven(2.5), 2);
  EXPECT_EQ(roundHalfEven(-0.5), 0);
  EXPECT_EQ(roundHalfEven(2.5000001), 3);
}

TEST(CropGeometry, SampleDrawsDependOnlyOnSeedEpochAndId) {
  EXPECT_EQ(sampleUniform(3, 1, 17, 0), sampleUniform(3, 1, 17, 0));
  EXPECT_NE(sampleUniform(3, 1, 17, 0), sampleUniform(3, 2, 17, 0));
  EXPECT_NE(sampleUniform(3, 1, 17, 0), sampleUniform(3, 1, 18, 0));
  EXPECT_NE(sampleUniform(3, 1, 17, 0), sampleUniform(3, 1, 17, 1));
  double sum = 0;
  for (int k = 0; k < 10000; ++k) {
    const double u = sampleUniform(1, 0, k, 0);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.01);
}

}  // namespace
}  // namespace mu
