"""The two CIFAR models the bench scripts time on PyTorch's side, as the reference defines them
(docs/reference-behaviour.md §4.1): ResNet-18 with a 3x3 stem, and resnet20s (ResNet-20 with the
option-A shortcut: stride-2 subsampling padded with zero channels). Our C++ models have the same
layers and shapes (pipeline/models/architectures)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoConvBlock(nn.Module):
    """conv-bn-relu, conv-bn, plus the shortcut, then relu: both models' residual block."""

    def __init__(self, inputs, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class BasicBlock(TwoConvBlock):
    """torchvision's: a 1x1 convolution and BatchNorm where the shape changes."""

    def __init__(self, inputs, planes, stride):
        super().__init__(inputs, planes, stride)
        self.downsample = None
        if stride != 1 or inputs != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def shortcut(self, x):
        return x if self.downsample is None else self.downsample(x)


class OptionABlock(TwoConvBlock):
    """ResNet-s: stride-2 subsampling padded with planes/4 zero channels on each side."""

    def __init__(self, inputs, planes, stride):
        super().__init__(inputs, planes, stride)
        self.project = stride != 1 or inputs != planes
        self.pad = planes // 4

    def shortcut(self, x):
        if not self.project:
            return x
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))


class CifarResNet(nn.Module):
    """Normalisation with the CIFAR-10 statistics, a 3x3 stem, the blocks, a global average and
    the class scores; `stages` lists (planes, stride, blocks)."""

    def __init__(self, block, stem, stages, classes=10):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1))
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        blocks, inputs = [], stem
        for planes, stride, count in stages:
            for index in range(count):
                blocks.append(block(inputs, planes, stride if index == 0 else 1))
                inputs = planes
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(inputs, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1((x - self.mean) / self.std)))
        x = F.adaptive_avg_pool2d(self.layers(x), 1).flatten(1)
        return self.fc(x)


def ResNet18(classes=10):
    return CifarResNet(BasicBlock, 64, [(64, 1, 2), (128, 2, 2), (256, 2, 2), (512, 2, 2)], classes)


def ResNet20s(classes=10):
    return CifarResNet(OptionABlock, 16, [(16, 1, 3), (32, 2, 3), (64, 2, 3)], classes)


MODELS = {"resnet18": ResNet18, "resnet20s": ResNet20s}
