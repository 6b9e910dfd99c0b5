#pragma once
// Bilinear resampling as PIL's Image.resize(size, BILINEAR, box) computes it, which is what
// torchvision's Resize, CenterCrop + Resize and RandomResizedCrop do to PIL images: a triangle
// filter widened by the scale when shrinking (so it averages, not samples), weights rounded to
// 22-bit fixed point, the horizontal pass first into 8-bit pixels, then the vertical pass. An
// axis whose size and box do not change is not resampled at all. The crops and resizes our loader
// applies are therefore the ones the paper's numbers were measured with. Both passes compute eight
// values at a time in 32-bit integer SIMD (AVX2 where the CPU has it), with exactly PIL's sums.

#include "pipeline/imaging/image.h"

namespace mu {

// A region of the source image in pixel units: [left, right) x [top, bottom).
struct ResampleBox {
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
};

// `box` of `image` resampled to `width` x `height` (any channel count).
DecodedImage resampleBilinear(const DecodedImage& image, const ResampleBox& box, int width,
                              int height);

// PIL's Image.crop((left, top, left + width, top + height)): what lies outside the image is black.
// torchvision's resized_crop crops this way before it resizes, so the filter never reads pixels
// outside the crop.
DecodedImage cropImage(const DecodedImage& image, int left, int top, int width, int height);

// PIL's resize((resizedWidth, resizedHeight)) followed by crop((left, top, left + width,
// top + height)), computing only the pixels the crop keeps: torchvision's Resize + CenterCrop.
DecodedImage resizeThenCrop(const DecodedImage& image, int resizedWidth, int resizedHeight,
                            int left, int top, int width, int height);
// The same into `out` (not `image` itself), reusing the memory `out` holds.
void resizeThenCrop(const DecodedImage& image, int resizedWidth, int resizedHeight, int left,
                    int top, int width, int height, DecodedImage& out);

// The whole image resampled.
DecodedImage resizeBilinear(const DecodedImage& image, int width, int height);
// The same into `out` (not `image` itself), reusing the memory `out` holds.
void resizeBilinear(const DecodedImage& image, int width, int height, DecodedImage& out);

}  // namespace mu
