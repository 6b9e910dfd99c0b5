"""PyTorch side of bench/compare_train_step.sh (CPU) and bench/gpu_check.sh (--device cuda):
images/s of plain eager training steps of the reference's CIFAR ResNet-18 or resnet20s
(docs/reference-behaviour.md §4.1) on random images, same batch, threads and SGD settings as bench_train_step / bench_gpu_train. On a
GPU the images live on the GPU and are augmented there (PyTorch's fastest eager loop), the
optimizer is torch.optim.SGD's default (multi-tensor on CUDA), and --amp bf16 runs the forward
under torch.autocast. Prints one RESULT line with the median over rounds."""
import argparse
import contextlib
import statistics
import time

import torch
import torch.nn.functional as F

from reference_models import ResNet18, ResNet20s

MODELS = {"resnet18": ResNet18, "resnet20s": ResNet20s}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", choices=sorted(MODELS), default="resnet18")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--amp", choices=["none", "bf16"], default="none")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--cudnn-benchmark", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    model = MODELS[args.arch]().to(device)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    samples = args.batch * args.steps
    images = torch.randint(0, 256, (samples, 3, 32, 32), dtype=torch.uint8).to(device)
    labels = torch.randint(0, 10, (samples,)).to(device)
    # Built only when asked for: CPU-only torch 1.13 (Debian's) refuses torch.autocast("cuda")
    # even with enabled=False, which broke the CPU comparison.
    if args.amp == "bf16":
        autocast = torch.autocast("cuda", dtype=torch.bfloat16)
    else:
        autocast = contextlib.nullcontext()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def epoch():
        order = torch.randperm(samples, device=device)
        for first in range(0, samples, args.batch):
            rows = order[first:first + args.batch]
            x = F.pad(images[rows].float().div(255), (4, 4, 4, 4))
            dy, dx = torch.randint(0, 9, (2,)).tolist()
            x = x[:, :, dy:dy + 32, dx:dx + 32]
            flip = torch.rand(len(rows), device=device) < 0.5
            x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
            x = x.contiguous(memory_format=memory_format)
            with autocast:
                logits = model(x)
            loss = F.cross_entropy(logits.float(), labels[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        sync()

    model.train()
    epoch()  # warm-up
    rates = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        epoch()
        rates.append(samples / (time.perf_counter() - start))
    rate = statistics.median(rates)
    print(f"RESULT pytorch arch={args.arch} batch={args.batch} threads={args.threads} "
          f"device={args.device} amp={args.amp} channels_last={int(args.channels_last)} "
          f"cudnn_benchmark={int(args.cudnn_benchmark)} step_ms={1000.0 * args.batch / rate:.3f} "
          f"images_per_second={rate:.2f}")


if __name__ == "__main__":
    main()
