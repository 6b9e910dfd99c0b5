"""Byte offsets spread evenly over an HDF5 file's metadata: every byte that is not a dataset's
stored elements (superblock, object headers, attributes, heaps, free space).

  python3 metadata_offsets.py FILE COUNT

Prints about COUNT offsets, one a line, an odd stride apart (an even stride would keep hitting the
same byte of every aligned field). damage_sweep.sh flips them one at a time: a changed element is
a changed number, which no reader can tell from a real one, so the elements are left alone.
"""

import os
import sys

import h5py


def element_ranges(path):
    ranges = []

    def visit(_, item):
        if isinstance(item, h5py.Dataset):
            start = item.id.get_offset()
            if start is not None:  # None: not stored contiguously (never ours) or empty
                ranges.append((start, start + item.id.get_storage_size()))

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return ranges


def metadata_offsets(path):
    """Every offset outside the elements' ranges, in file order."""
    offsets = []
    position = 0
    for start, end in sorted(element_ranges(path)) + [(os.path.getsize(path),) * 2]:
        offsets.extend(range(position, start))
        position = max(position, end)
    return offsets


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    metadata = metadata_offsets(path)
    stride = max(1, len(metadata) // count) | 1
    for offset in metadata[::stride]:
        print(offset)


if __name__ == "__main__":
    main()
