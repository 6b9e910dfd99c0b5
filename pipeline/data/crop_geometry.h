#pragma once
// Where torchvision's ImageNet transforms cut an image, as integer boxes computed with
// torchvision's own formulas (transforms.py, functional.py): RandomResizedCrop's get_params for
// training and Resize(int) + CenterCrop for evaluation, Python's round-half-to-even included.
// The random numbers are ours, drawn from (seed, epoch, sample id) so a sample's crop does not
// depend on which rank or thread decodes it, and tests/data/crop_geometry_test.cpp holds the
// arithmetic to a Python transcription of torchvision's on the same draws.

#include <cstdint>
#include <functional>

namespace mu {

struct CropBox {
  int top = 0;
  int left = 0;
  int height = 0;
  int width = 0;
};

struct RandomResizedCropRange {
  double scaleMin = 0.08;  // torchvision's defaults
  double scaleMax = 1.0;
  double ratioMin = 3.0 / 4.0;
  double ratioMax = 4.0 / 3.0;
};

// RandomResizedCrop.get_params on a `width` x `height` image. `uniform` yields numbers in [0, 1):
// per attempt (at most 10) one for the area and one for the log aspect ratio, then one each for
// the top and left offsets of the attempt that fits; none when all ten fail and the central
// fallback applies. torch.randint(0, n) is floor(u * n).
CropBox randomResizedCropBox(int width, int height, const std::function<double()>& uniform,
                             const RandomResizedCropRange& range = {});

// Resize(resizeSize) (the shorter side to resizeSize, the longer int(resizeSize * long / short))
// followed by CenterCrop(cropSize): the resized size and the crop inside it. `square`:
// Resize((resizeSize, resizeSize)) instead, ignoring the aspect ratio, as the reference's
// ImageNet evaluation does (docs/reference-behaviour.md §8).
struct ResizedCrop {
  int resizedWidth = 0;
  int resizedHeight = 0;
  CropBox crop;  // in the resized image
};
ResizedCrop resizeAndCenterCrop(int width, int height, int resizeSize, int cropSize,
                                bool square = false);

// Python's round(): to the nearest integer, halves to even.
int roundHalfEven(double value);

// The k-th uniform number in [0, 1) of sample `sampleId` in `epoch` under `seed`.
double sampleUniform(uint64_t seed, int64_t epoch, int64_t sampleId, uint64_t k);

}  // namespace mu
