#!/usr/bin/python3
"""What PIL (and so torchvision's ImageFolder) makes of the image files the imaging test uses.

Writes into OUTDIR, for each test image, the file itself and PIL's convert("RGB") pixels
(<name>.rgb: "width height\n" then the raw bytes), and for the rgb image the bilinear resizes
and crops listed in CASES (<name>.<case>.rgb). Deterministic: the pixels come from a seeded
random walk, not from the clock.
"""
import random
import sys

from PIL import Image

# (case, crop box as (left, top, right, bottom) or None for the whole image, output size)
CASES = [
    ("down", None, (64, 48)),
    ("up", None, (300, 211)),
    ("width-only", None, (100, 103)),
    ("crop", (13, 7, 120, 95), (56, 56)),
    ("crop-up", (40, 30, 70, 50), (64, 64)),
]

# (case, resized size, crop box in the resized image)
RESIZE_THEN_CROP = [
    ("resize-crop", (200, 131), (30, 20, 126, 84)),
    ("resize-height-crop", (157, 80), (11, 3, 139, 67)),
]


def pattern(width, height, seed):
    rng = random.Random(seed)
    pixels = []
    for y in range(height):
        for x in range(width):
            base = (x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height))
            pixels.append(tuple(min(255, max(0, c + rng.randint(-40, 40))) for c in base))
    image = Image.new("RGB", (width, height))
    image.putdata(pixels)
    return image


def write_rgb(path, image):
    rgb = image.convert("RGB")
    with open(path, "wb") as out:
        out.write(b"%d %d\n" % rgb.size)
        out.write(rgb.tobytes())


def main(outdir):
    source = pattern(157, 103, 1)
    files = {
        "rgb.jpg": (source, "JPEG", {"quality": 90}),
        "grey.jpg": (source.convert("L"), "JPEG", {"quality": 85}),
        "cmyk.jpg": (source.convert("CMYK"), "JPEG", {"quality": 90}),
        "png.JPEG": (source, "PNG", {}),
        "q100-444.jpg": (source, "JPEG", {"quality": 100, "subsampling": 0}),
    }
    for name, (image, kind, options) in files.items():
        path = f"{outdir}/{name}"
        image.save(path, kind, **options)
        write_rgb(path + ".rgb", Image.open(path))
    decoded = Image.open(f"{outdir}/rgb.jpg").convert("RGB")
    for case, box, size in CASES:
        image = decoded if box is None else decoded.crop(box)
        write_rgb(f"{outdir}/rgb.jpg.{case}.rgb", image.resize(size, Image.BILINEAR))
    # A one-channel image resamples on its own (written as RGB, as everything here).
    grey = Image.open(f"{outdir}/grey.jpg")
    write_rgb(f"{outdir}/grey.jpg.down.rgb", grey.resize((64, 48), Image.BILINEAR))
    # torchvision's Resize + CenterCrop: resize the whole image, then crop.
    for case, size, box in RESIZE_THEN_CROP:
        write_rgb(f"{outdir}/rgb.jpg.{case}.rgb", decoded.resize(size, Image.BILINEAR).crop(box))


if __name__ == "__main__":
    main(sys.argv[1])
