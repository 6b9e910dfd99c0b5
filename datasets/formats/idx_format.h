#pragma once
// IDX files (MNIST, Fashion-MNIST): big-endian header (magic, then one uint32 per dimension)
// followed by the raw uint8 data. Files may be plain or gzip-compressed.

#include <string>

#include "pipeline/data/image_set.h"

namespace mu {

// Read train-/t10k- images-idx3-ubyte and labels-idx1-ubyte (each plain, or with .gz) from `dir`.
SourceDataset loadFashionMnist(const std::string& dir);
SourceDataset loadMnist(const std::string& dir);

}  // namespace mu
