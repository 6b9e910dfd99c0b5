"""Writes Fashion-MNIST laid out as CIFAR-10 binary batches, the data of issue 19's whole-run figure.

Each grey 28x28 image is padded to 32x32 and repeated over three channels, so the CIFAR-10 reader
and resnet20s see CIFAR's shapes on data every machine here has (Debian's dataset-fashion-mnist).
The 60 000 training rows fill data_batch_1..5 (10 000 each, the last rows dropped), the 10 000 test
rows test_batch.bin; --rows N keeps the first N of each split (smoke runs).

    python3 bench/fashion_mnist_as_cifar.py OUT_DIR [--rows N] [--source DIR]
"""
import argparse
import gzip
import os

CLASS_NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
               "bag", "boot"]
BATCH_ROWS = 10000


def read_idx(path, header_bytes):
    with gzip.open(path) as f:
        return f.read()[header_bytes:]


def as_cifar_rows(source, split, rows):
    """CIFAR-10 records (a label byte, then 3 planes of 32x32), pure Python: no numpy needed."""
    images = read_idx(os.path.join(source, split + "-images-idx3-ubyte.gz"), 16)
    labels = read_idx(os.path.join(source, split + "-labels-idx1-ubyte.gz"), 8)[:rows]
    border, side_pad = bytes(2 * 32), bytes(2)
    records = []
    for i, label in enumerate(labels):
        image = images[i * 784:(i + 1) * 784]
        plane = border + b"".join(side_pad + image[r * 28:(r + 1) * 28] + side_pad
                                  for r in range(28)) + border
        records.append(bytes([label]) + plane * 3)
    return records


def write_records(path, records):
    with open(path, "wb") as f:
        f.write(b"".join(records))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    out = os.path.join(args.out, "cifar-10-batches-bin")
    os.makedirs(out, exist_ok=True)
    train = as_cifar_rows(args.source, "train", args.rows)
    per_batch = min(BATCH_ROWS, max(1, len(train) // 5))
    for i in range(5):
        write_records(os.path.join(out, f"data_batch_{i + 1}.bin"),
                      train[i * per_batch:(i + 1) * per_batch])
    write_records(os.path.join(out, "test_batch.bin"), as_cifar_rows(args.source, "t10k", args.rows))
    with open(os.path.join(out, "batches.meta.txt"), "w") as f:
        f.write("\n".join(CLASS_NAMES) + "\n")


if __name__ == "__main__":
    main()
