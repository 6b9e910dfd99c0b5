#!/usr/bin/python3
"""torchvision's ImageNet training input pipeline on one core, for bench/loader_bench.sh.

  torchvision_loader.py TRAIN_DIR [--images N] [--batch-size B] [--repeats R]

ImageFolder + RandomResizedCrop(224) + RandomHorizontalFlip through a DataLoader in the main
process (num_workers=0, one torch thread): what one DataLoader worker does per core. Ends in
ToTensor (float batches, as the reference trains) and, for comparison with a loader that hands
uint8 batches to the GPU, in PILToTensor (uint8 batches). Prints the median images/s of R passes
over the first N images for each.
"""
import argparse
import statistics
import time

import torch
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("--images", type=int, default=1280)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name, to_tensor in (("float", transforms.ToTensor()), ("uint8", transforms.PILToTensor())):
        transform = transforms.Compose([transforms.RandomResizedCrop(224),
                                        transforms.RandomHorizontalFlip(), to_tensor])
        dataset = datasets.ImageFolder(args.train, transform=transform)
        subset = Subset(dataset, range(min(args.images, len(dataset))))
        rates = []
        for _ in range(args.repeats + 1):  # the first pass is untimed, as bench_loader's
            loader = DataLoader(subset, batch_size=args.batch_size, shuffle=False, num_workers=0)
            start = time.perf_counter()
            count = sum(images.shape[0] for images, _ in loader)
            rates.append(count / (time.perf_counter() - start))
        rates = rates[1:]
        print(f"torchvision ImageFolder + DataLoader, RandomResizedCrop(224) + flip, {name} batches, "
              f"1 core: {statistics.median(rates):.0f} images/s")

if __name__ == "__main__":
    main()
