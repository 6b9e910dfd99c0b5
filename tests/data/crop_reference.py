#!/usr/bin/python3
"""torchvision's crop arithmetic, transcribed from its source, on given random draws.

Prints, for seeded random image sizes and draws, one line per case:
  rrc W H u0 u1 ... u21 -> top left height width
  center W H RESIZE CROP -> resized_w resized_h top left
RandomResizedCrop.get_params (torchvision/transforms/transforms.py) with its torch draws replaced
by the listed uniforms, consumed in the same order (area, log-ratio per attempt; then top, left;
torch.randint(0, n) as floor(u * n)). Resize(int) + CenterCrop as _compute_resized_output_size
and F.center_crop compute them.
"""
import math
import random


def rrc_box(width, height, draws, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0)):
    draws = iter(draws)
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target_area = area * (scale[0] + next(draws) * (scale[1] - scale[0]))
        aspect_ratio = math.exp(log_ratio[0] + next(draws) * (log_ratio[1] - log_ratio[0]))
        w = int(round(math.sqrt(target_area * aspect_ratio)))
        h = int(round(math.sqrt(target_area / aspect_ratio)))
        if 0 < w <= width and 0 < h <= height:
            i = math.floor(next(draws) * (height - h + 1))
            j = math.floor(next(draws) * (width - w + 1))
            return i, j, h, w
    in_ratio = float(width) / float(height)
    if in_ratio < min(ratio):
        w = width
        h = int(round(w / min(ratio)))
    elif in_ratio > max(ratio):
        h = height
        w = int(round(h * max(ratio)))
    else:
        w = width
        h = height
    i = (height - h) // 2
    j = (width - w) // 2
    return i, j, h, w


def resized_center_crop(width, height, size, crop):
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    top = int(round((new_h - crop) / 2.0))
    left = int(round((new_w - crop) / 2.0))
    return new_w, new_h, top, left


def main():
    rng = random.Random(7)
    for case in range(3000):
        # Mostly photographs' sizes; some tiny and some extreme aspect ratios for the fallback.
        if case % 10 == 0:
            width, height = rng.randint(1, 12), rng.randint(1, 400)
        else:
            width, height = rng.randint(20, 1200), rng.randint(20, 1200)
        draws = [rng.random() for _ in range(22)]
        if case % 7 == 0:  # push every attempt out of range: the central fallback
            draws = [0.999999 if k % 2 == 0 else (0.0 if case % 2 else 0.999999)
                     for k in range(20)] + draws[20:]
        box = rrc_box(width, height, draws)
        print("rrc", width, height, *[repr(d) for d in draws], "->", *box)
        size = rng.choice([256, 36, 73])
        crop = rng.choice([224, 32, 64]) if size == 256 else min(size, rng.choice([32, 64]))
        print("center", width, height, size, crop, "->",
              *resized_center_crop(width, height, size, crop))


if __name__ == "__main__":
    main()
