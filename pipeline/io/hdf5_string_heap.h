#pragma once
// Variable-length strings live in HDF5's global heap, the one metadata structure of a file that
// carries no checksum. HDF5 1.10 trusts a heap object's stored size: it copies that many bytes
// into a buffer sized by the string's own length, so a damaged size overruns memory (a crash, or
// worse) and a damaged object table makes the library loop forever. This checks, without the
// library, the heap objects that a string attribute's elements refer to, before it is read.

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mu {

class RandomAccessFile;

// What makes reading the `count` variable-length strings of `attribute` unsafe, or "" when
// nothing does. `file` is the attribute's file, `fileSize` its size in bytes.
std::string stringHeapDamage(hid_t attribute, size_t count, const RandomAccessFile& file,
                             uint64_t fileSize);

}  // namespace mu
