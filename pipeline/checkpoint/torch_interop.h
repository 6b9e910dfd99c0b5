#pragma once
// mu-checkpoint's two directions between PyTorch state dicts and our HDF5 checkpoints
// (docs/SCHEMA.md "PyTorch interop").
//
// Names need no translation table: every architecture registers its modules under the names of
// the reference's PyTorch model (ResNet-18/50 under torchvision's: conv1, bn1, layer1.0.conv1,
// layer2.0.downsample.0, fc), and LibTorch's BatchNorm2d has PyTorch's buffers (running_mean,
// running_var, num_batches_tracked), so a tensor has the same name on both sides. What differs is
// which entries each side has, and that is all this file handles:
//  - normalize.mean / normalize.std: our models, like the reference's, normalise their input
//    themselves (docs/reference-behaviour.md §1.3); torchvision's expect normalised input and
//    have no such buffers.
//  - <module>.num_batches_tracked: only BatchNorm's cumulative-average mode (momentum None)
//    reads it; some state dicts lack it, and one the model lacks is ignored on import.
//  - <name>_orig + <name>_mask: a weight pruned by torch.nn.utils.prune, the form the
//    reference's checkpoints use; ours is the weight (already zero where pruned) plus a mask.

#include <cstddef>
#include <string>
#include <vector>

#include "pipeline/models/model_spec.h"

namespace mu {

struct ImportRequest {
  std::string from;  // a torch.save file
  std::string out;   // our checkpoint (HDF5)
  // The model to build. Its mean/std are used only when the file has no normalize.* buffers;
  // empty, the model's default (the CIFAR-10 constants for 3 channels).
  ModelSpec spec;
  std::string dataset;  // recorded in the checkpoint
};

struct ImportReport {
  std::string sourceSha256;
  std::size_t tensors = 0;        // parameters and buffers taken from the file
  std::size_t maskedWeights = 0;  // weights given as <name>_orig + <name>_mask
  std::string normalisation;      // where normalize.mean/std came from: "file", "options", "model"
  std::vector<double> mean, std;  // the model's statistics
};

// Reads the state dict in request.from (see readTorchStateDict), matches it against the model
// request.spec builds and writes our checkpoint (kind "imported", with masks for the pruned
// weights) to request.out through a temporary file. Every mismatch is an InputError naming the
// file and the key: an entry the model lacks, a tensor of the wrong shape, a parameter or buffer
// missing from the file (normalize.* and num_batches_tracked may be missing: see above), a
// <name>_orig without its _mask, a mask that is not 0/1. On error nothing is written.
ImportReport importTorchStateDict(const ImportRequest& request);

// How a pruned weight is written.
enum class PrunedFormat {
  kPlain,      // <name> = weight * mask: what an unpruned PyTorch model loads
  kReference,  // <name>_orig and <name>_mask: a model pruned with torch.nn.utils.prune loads it
};

struct ExportRequest {
  std::string from;  // our checkpoint
  std::string out;   // the torch.save file to write
  PrunedFormat pruned = PrunedFormat::kPlain;
  // normalize.mean/std are written for the reference's models, left out for torchvision's.
  bool includeNormalize = false;
};

struct ExportReport {
  std::string arch;
  std::size_t tensors = 0;
  std::size_t maskedWeights = 0;
  std::vector<double> mean, std;  // the checkpoint's input statistics
};

// Writes request.from's parameters and buffers as a state dict that torch.load and
// load_state_dict(strict=True) of the matching PyTorch model accept, through a temporary file.
ExportReport exportTorchStateDict(const ExportRequest& request);

}  // namespace mu
