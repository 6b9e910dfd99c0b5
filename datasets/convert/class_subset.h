#pragma once
// `mu-data convert --classes`: a dataset made of some of a source dataset's classes, e.g.
// Fashion-MNIST's classes 5-9 as the target task of a transfer-learning experiment. The kept
// classes are relabelled 0..k-1 in the order listed, and the dataset gets a name of its own,
// "<family>[<classes>]" (e.g. "fashion-mnist[5-9]"), which checkpoints and run identities carry:
// a model of one subset is never unlearned or evaluated on another by mistake.
// DatasetManifest::family() (pipeline/data/shard_schema.h) strips the "[...]" again.

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/formats/image_tree.h"
#include "pipeline/data/image_set.h"

namespace mu {

// "5-9", "0,2,4", "0-2,7": classes and inclusive ascending ranges, comma-separated, in the order
// the kept classes are numbered. InputError naming --classes for bad syntax, a repeated class or
// an empty list.
std::vector<int64_t> parseClassList(const std::string& text);

// The list written compactly: runs of consecutive ascending classes as "a-b", the rest one by one,
// in the listed order: {0,1,2,7} -> "0-2,7", {7,5} -> "7,5". parseClassList reads it back.
std::string classListText(const std::vector<int64_t>& classes);

// "fashion-mnist[5-9]"; `family` alone when `classes` is empty (every class).
std::string subsetDatasetName(const std::string& family, const std::vector<int64_t>& classes);

// InputError naming --classes unless every class is one of `dataset`'s numClasses.
void checkClassesExist(const std::vector<int64_t>& classes, int numClasses,
                       const std::string& dataset);

// The images of `classes`, in their original relative order, labelled by position in `classes`.
ImageSet selectClasses(const ImageSet& images, const std::vector<int64_t>& classes);

// The whole dataset reduced to `classes` (checked against its class count) and renamed; unchanged
// when `classes` is empty.
SourceDataset selectClasses(SourceDataset dataset, const std::vector<int64_t>& classes);
ImageTree selectClasses(ImageTree tree, const std::vector<int64_t>& classes);

}  // namespace mu
