"""PyTorch side of bench/compare_inference.sh: images/s of plain eager inference, as the
reference evaluates (model.eval(), torch.no_grad(), batches of 256), on random CIFAR-shaped images
already in memory, the same images, batch and threads as bench_inference. Prints one RESULT line
with the median over rounds."""
import argparse
import statistics
import time

import torch

from reference_models import MODELS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", choices=sorted(MODELS), default="resnet20s")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--images", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = MODELS[args.arch]().eval()
    images = torch.rand(args.images, 3, 32, 32)

    def run_all():
        with torch.no_grad():
            for first in range(0, args.images, args.batch):
                model(images[first:first + args.batch])

    with torch.no_grad():
        model(images[:args.batch])  # warm-up, as bench_inference
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        run_all()
        times.append(time.perf_counter() - start)
    rate = args.images / statistics.median(times)
    print(f"RESULT pytorch arch={args.arch} variant=eager batch={args.batch} "
          f"threads={args.threads} images_per_s={rate:.1f}")


if __name__ == "__main__":
    main()
