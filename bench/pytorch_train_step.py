"""PyTorch side of bench/compare_train_step.sh (CPU) and bench/gpu_check.sh (--device cuda):
images/s of plain eager training steps of the reference's CIFAR ResNet-18 (docs/reference-behaviour.md §4.1) on
random images, same batch, threads and SGD settings as bench_train_step / bench_gpu_train. On a
GPU the images live on the GPU and are augmented there (PyTorch's fastest eager loop), the
optimizer is torch.optim.SGD's default (multi-tensor on CUDA), and --amp bf16 runs the forward
under torch.autocast. Prints one RESULT line with the median over rounds."""
import argparse
import contextlib
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, inputs, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inputs != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1))
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, inputs = [], 64
        for planes, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers.append(nn.Sequential(BasicBlock(inputs, planes, stride),
                                        BasicBlock(planes, planes, 1)))
            inputs = planes
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1((x - self.mean) / self.std)))
        x = F.adaptive_avg_pool2d(self.layers(x), 1).flatten(1)
        return self.fc(x)


def main():
    parser = argparse.ArgumentParser()
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
    model = ResNet18().to(device)
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
    print(f"RESULT pytorch arch=resnet18 batch={args.batch} threads={args.threads} "
          f"device={args.device} amp={args.amp} channels_last={int(args.channels_last)} "
          f"cudnn_benchmark={int(args.cudnn_benchmark)} step_ms={1000.0 * args.batch / rate:.3f} "
          f"images_per_second={rate:.2f}")


if __name__ == "__main__":
    main()
