#!/usr/bin/python3
"""Writes a synthetic image dataset in the layouts mu-data converts (tests and benchmarks).

  make_image_tree.py OUT [--layout imagefolder|imagenet|tinyimagenet] [--classes N]
                         [--train-per-class N] [--val-per-class N] [--min-side PX]
                         [--max-side PX] [--quality Q] [--odd-files] [--seed S]

Images are JPEGs of varied sizes and aspect ratios (smooth gradients with seeded noise, so they
compress like photographs); each class has its own colour cast, so a model can learn them.
--odd-files adds, to the first class's training folder, the files real ImageNet holds: a
greyscale JPEG, a CMYK JPEG, a PNG named .JPEG, and a truncated and an empty .JPEG (which a
conversion must refuse or, with --skip-bad, leave out).
Output is deterministic for a given seed.
"""
import argparse
import os
import random

from PIL import Image


def image(rng, width, height, cast):
    # A small random picture, scaled up: cheap to make, JPEG-sized like a photograph's.
    small = Image.new("RGB", (max(2, width // 8), max(2, height // 8)))
    small.putdata([tuple(min(255, max(0, c + rng.randint(-60, 60))) for c in cast)
                   for _ in range(small.width * small.height)])
    return small.resize((width, height), Image.BILINEAR)


def size(rng, args):
    longer = rng.randint(args.min_side, args.max_side)
    ratio = rng.uniform(0.6, 1.0)
    shorter = max(1, int(longer * ratio))
    return (longer, shorter) if rng.random() < 0.5 else (shorter, longer)


def class_names(args):
    if args.layout == "imagefolder":
        return [f"class_{c:02d}" for c in range(args.classes)]
    return [f"n{1440764 + 1000 * c:08d}" for c in range(args.classes)]


def save(picture, path, quality):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    picture.save(path, "JPEG", quality=quality)


def add_odd_files(folder, rng, args, cast, suffix):
    base = image(rng, 120, 90, cast)
    save(base.convert("L"), f"{folder}/odd_grey{suffix}", args.quality)
    base.convert("CMYK").save(f"{folder}/odd_cmyk{suffix}", "JPEG", quality=args.quality)
    base.save(f"{folder}/odd_png{suffix}", "PNG")
    save(base, f"{folder}/odd_truncated{suffix}", args.quality)
    with open(f"{folder}/odd_truncated{suffix}", "r+b") as out:
        out.truncate(os.path.getsize(f"{folder}/odd_truncated{suffix}") // 2)
    open(f"{folder}/odd_empty{suffix}", "wb").close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--layout", default="imagefolder",
                        choices=["imagefolder", "imagenet", "tinyimagenet"])
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--train-per-class", type=int, default=40)
    parser.add_argument("--val-per-class", type=int, default=10)
    parser.add_argument("--min-side", type=int, default=40)
    parser.add_argument("--max-side", type=int, default=160)
    parser.add_argument("--quality", type=int, default=90)
    parser.add_argument("--odd-files", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = class_names(args)
    casts = [(rng.randint(40, 215), rng.randint(40, 215), rng.randint(40, 215)) for _ in names]
    suffix = ".jpg" if args.layout == "imagefolder" else ".JPEG"
    val_lines = []
    for label, (name, cast) in enumerate(zip(names, casts)):
        train = f"{args.out}/train/{name}" + ("/images" if args.layout == "tinyimagenet" else "")
        for i in range(args.train_per_class):
            save(image(rng, *size(rng, args), cast), f"{train}/{name}_{i}{suffix}", args.quality)
        if args.odd_files and label == 0:
            add_odd_files(train, rng, args, cast, suffix)
        for i in range(args.val_per_class):
            number = label * args.val_per_class + i + 1
            if args.layout == "imagefolder":
                path = f"{args.out}/val/{name}/val_{i}{suffix}"
            elif args.layout == "imagenet":
                path = f"{args.out}/val/ILSVRC2012_val_{number:08d}{suffix}"
                val_lines.append(f"ILSVRC2012_val_{number:08d},{name} 1 2 30 40")
            else:
                path = f"{args.out}/val/images/val_{number}{suffix}"
                val_lines.append(f"val_{number}{suffix}\t{name}\t0\t0\t10\t10")
            save(image(rng, *size(rng, args), cast), path, args.quality)
    if args.layout == "imagenet":
        with open(f"{args.out}/LOC_val_solution.csv", "w") as out:
            out.write("ImageId,PredictionString\n" + "\n".join(val_lines) + "\n")
    elif args.layout == "tinyimagenet":
        with open(f"{args.out}/wnids.txt", "w") as out:
            out.write("\n".join(reversed(names)) + "\n")
        with open(f"{args.out}/val/val_annotations.txt", "w") as out:
            out.write("\n".join(val_lines) + "\n")


if __name__ == "__main__":
    main()
