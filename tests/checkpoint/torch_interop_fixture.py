"""PyTorch side of torch_interop_test: writes state dicts the way PyTorch users and the reference
do, and checks what mu-checkpoint wrote with torch.load + load_state_dict(strict=True).

  make-torchvision DIR [ARCH]   DIR/torchvision.pth (torchvision's ARCH, default resnet18, 10
                          classes, random weights and batch-norm statistics) and DIR/logits.pth
                          (images in [0,1] and the model's eval-mode logits on them after
                          CIFAR-10 normalisation)
  check-torchvision DIR [ARCH]  DIR/exported.pth loads strictly into ARCH, equal to torchvision.pth
                          (torch.load with weights_only=True, the default of torch >= 2.6)
  make-reference DIR      DIR/0checkpoint.pth.tar: a reference-style resnet18 (3x3 stem, normalize
                          module) whose convs are pruned with torch.nn.utils.prune, saved with
                          optimizer state, epoch and results as the reference does, behind
                          DataParallel's 'module.' prefix
  check-import DIR        DIR/imported.h5 (ours, read with h5py): masks equal weight_mask and
                          weights equal weight_orig * weight_mask
  check-reference DIR     DIR/exported.pth.tar loads strictly into the pruned reference model
  make-values DIR          DIR/values-p2.pth and DIR/values-p4.pth: one object of every kind the
                          reader understands (and a numpy value it skips), pickle protocols 2, 4
  make-bad DIR            DIR/missing.pth (no layer1.0.conv1.weight), DIR/wrong-shape.pth
                          (fc for 100 classes), DIR/unexpected.pth (an extra key),
                          DIR/orphan-orig.pth (conv1.weight_orig without its mask) and
                          DIR/soft-mask.pth (a mask of 0.5)
"""
import sys

import h5py
import numpy
import torch
import torch.nn as nn
import torch.nn.utils.prune as prune
import torchvision

# The constants our resnet18 normalises with by default (docs/reference-behaviour.md section 1.3).
CIFAR10_MEAN = [0.4914, 0.4822, 0.4465]
CIFAR10_STD = [0.2470, 0.2435, 0.2616]


def randomised(model):
    """Every parameter and batch-norm statistic random, so equal tensors mean a real copy."""
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                tensor.fill_(7)
            elif name.endswith("running_var") or name.endswith("std"):
                tensor.uniform_(0.5, 1.5)
            else:
                tensor.normal_(0, 0.05)
    return model


def torchvision_model(arch="resnet18"):
    return getattr(torchvision.models, arch)(num_classes=10)


class Normalize(nn.Module):
    """The reference's in-model normalisation: buffers normalize.mean and normalize.std."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(CIFAR10_MEAN))
        self.register_buffer("std", torch.tensor(CIFAR10_STD))

    def forward(self, x):
        return (x - self.mean[None, :, None, None]) / self.std[None, :, None, None]


def reference_resnet18(pruned):
    """The reference's CIFAR ResNet-18: 3x3 stride-1 stem, no max-pool, normalize inside."""
    model = torchvision.models.resnet18(num_classes=10)
    model.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    model.normalize = Normalize()
    if pruned:
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                prune.identity(module, "weight")
    return model


def compare(expected, actual):
    bad = [k for k in expected if not torch.equal(expected[k], actual[k])]
    if bad or set(expected) != set(actual):
        sys.exit(f"differ: {bad[:5]}; keys only on one side: {set(expected) ^ set(actual)}")


def make_torchvision(folder, arch="resnet18"):
    torch.manual_seed(1)
    model = randomised(torchvision_model(arch))
    torch.save(model.state_dict(), f"{folder}/torchvision.pth")
    model.eval()
    images = torch.rand(4, 3, 32, 32)
    mean = torch.tensor(CIFAR10_MEAN)[None, :, None, None]
    std = torch.tensor(CIFAR10_STD)[None, :, None, None]
    with torch.no_grad():
        logits = model((images - mean) / std)
    torch.save({"images": images, "logits": logits}, f"{folder}/logits.pth")


def check_torchvision(folder, arch="resnet18"):
    model = torchvision_model(arch)
    model.load_state_dict(torch.load(f"{folder}/exported.pth", weights_only=True), strict=True)
    compare(torch.load(f"{folder}/torchvision.pth"), model.state_dict())


def make_reference(folder):
    torch.manual_seed(2)
    model = randomised(reference_resnet18(pruned=False))
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            prune.l1_unstructured(module, "weight", amount=0.6)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    model(torch.rand(2, 3, 32, 32)).sum().backward()
    optimizer.step()
    state = {"module." + k: v for k, v in model.state_dict().items()}
    result = {"train_ta": [10.5, 20.25], "test_ta": [9.0], "best": torch.tensor(3.0).numpy()}
    torch.save({"state_dict": state, "epoch": 3, "optimizer": optimizer.state_dict(),
                "result": result, "best_sa": 20.25}, f"{folder}/0checkpoint.pth.tar")


def check_import(folder):
    source = torch.load(f"{folder}/0checkpoint.pth.tar")["state_dict"]
    with h5py.File(f"{folder}/imported.h5", "r") as f:
        masks = {k: torch.as_tensor(v[()]) for k, v in f["masks"].items()}
        params = {k: torch.as_tensor(v[()]) for k, v in f["params"].items()}
    expected = {k[len("module."):-len("_orig")]: v for k, v in source.items() if k.endswith("_orig")}
    if set(masks) != set(expected) or len(expected) != 20:
        sys.exit(f"masks for {sorted(masks)}, expected {sorted(expected)}")
    for name, orig in expected.items():
        mask = source["module." + name + "_mask"]
        if not torch.equal(masks[name], mask):
            sys.exit(f"mask of {name} differs")
        if not torch.equal(params[name], orig * mask):
            sys.exit(f"weight of {name} is not weight_orig * weight_mask")


def check_reference(folder):
    model = reference_resnet18(pruned=True)
    exported = torch.load(f"{folder}/exported.pth.tar", weights_only=True)
    model.load_state_dict(exported, strict=True)
    source = {k[len("module."):]: v for k, v in
              torch.load(f"{folder}/0checkpoint.pth.tar")["state_dict"].items()}
    exported = model.state_dict()
    for name, tensor in source.items():
        if name.endswith("_orig"):  # ours holds orig * mask: equal where the mask keeps it
            mask = source[name[:-len("_orig")] + "_mask"]
            ok = torch.equal(exported[name] * mask, tensor * mask)
        else:
            ok = torch.equal(exported[name], tensor)
        if not ok:
            sys.exit(f"{name} differs")


def make_values(folder):
    values = {
        "one": {"a": torch.tensor([1.5, -2.0])},  # a one-entry dict: pickle's SETITEM
        "ints": [0, -1, 255, 65535, -70000, 2**40, -2**63],
        "float": -0.25,
        "flags": (True, False, None),
        "text": "h\u00e9llo",
        "half": torch.arange(6, dtype=torch.float16).reshape(2, 3),
        "view": torch.arange(10.0)[2:8:2],
        "int_keys": {3: "x"},
        "numpy": numpy.float64(2.5),
    }
    for protocol in (2, 4):
        torch.save(values, f"{folder}/values-p{protocol}.pth", pickle_protocol=protocol)


def make_bad(folder):
    state = torchvision_model().state_dict()
    missing = dict(state)
    del missing["layer1.0.conv1.weight"]
    torch.save(missing, f"{folder}/missing.pth")
    wrong = dict(state)
    wrong["fc.weight"] = torch.zeros(100, 512)
    wrong["fc.bias"] = torch.zeros(100)
    torch.save(wrong, f"{folder}/wrong-shape.pth")
    extra = dict(state)
    extra["head.weight"] = torch.zeros(3)
    torch.save(extra, f"{folder}/unexpected.pth")
    orphan = dict(state)
    orphan["conv1.weight_orig"] = orphan.pop("conv1.weight")
    torch.save(orphan, f"{folder}/orphan-orig.pth")
    soft = dict(orphan)
    soft["conv1.weight_mask"] = torch.full_like(soft["conv1.weight_orig"], 0.5)
    torch.save(soft, f"{folder}/soft-mask.pth")


if __name__ == "__main__":
    commands = {"make-torchvision": make_torchvision, "check-torchvision": check_torchvision,
                "make-reference": make_reference, "check-import": check_import,
                "check-reference": check_reference, "make-values": make_values,
                "make-bad": make_bad}
    commands[sys.argv[1]](*sys.argv[2:])
