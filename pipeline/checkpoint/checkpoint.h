#pragma once
// Training checkpoints: one self-describing HDF5 file per checkpoint holding the model's
// parameters and buffers, the pruning masks, the optimiser's momentum, the RNG state and the run's
// metadata (layout: checkpoint_schema.h, docs/SCHEMA.md ("Checkpoint schema")). Files are written
// under a temporary name and renamed into place, so a checkpoint under its final name is always
// complete, and loading checks the whole file against the model before changing anything.

#include <torch/types.h>

#include "pipeline/models/tensor_map.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace torch {
namespace nn {
class Module;
}  // namespace nn
}  // namespace torch

namespace mu {

// What a checkpoint is about; root attributes and the /meta group.
struct CheckpointMeta {
  std::string arch;     // model registry name, e.g. "resnet18"
  std::string dataset;  // e.g. "cifar10"
  int numClasses = 0;
  int inChannels = 0;
  bool imagenetStem =
      false;               // the model's ImageNet stem (7x7/2 conv + max-pool), for rebuilding it
  std::string kind;        // checkpoint::kKind* ("train", "best", ...)
  int64_t epoch = 0;       // completed epochs
  int64_t step = 0;        // optimiser steps taken over the whole run
  int worldSize = 1;       // ranks that trained it
  std::string configJson;  // the full run configuration
  std::string configHash;
  std::map<std::string, double> numbers;       // /meta: lr, best_val_acc, scheduler position, ...
  std::map<std::string, std::string> strings;  // /meta: free text; names must differ from numbers'
  // Set by saveCheckpoint (a caller's values are ignored); filled by readCheckpointMeta.
  std::string codeVersion;
  std::string createdUtc;  // "2024-05-01T12:34:56Z"
};

// What only a resumed training run needs. The caller captures and restores it (optimizer,
// captureCpuRngState()/restoreCpuRngState()); loadCheckpoint only returns it.
struct TrainingState {
  TensorMap momentum;                // SGD momentum buffer by parameter name; absent: no buffer yet
  std::vector<uint8_t> cpuRngState;  // captureCpuRngState(); empty: not saved
  std::vector<uint8_t> cudaRngState;  // empty: not saved (CPU runs)
};

// The model a checkpoint must have been written for.
struct ExpectedModel {
  std::string arch;
  int numClasses = 0;
};

// Writes `model`'s parameters and buffers, `masks` (binary, by parameter name; empty for a dense
// model), `state` (nullptr: a weights-only checkpoint) and `meta` to `path` through a temporary
// file: on any failure the file previously at `path` is left as it was. Masks and momentum must
// name model parameters and match their shapes and element types (InputError otherwise).
void saveCheckpoint(const std::string& path, const torch::nn::Module& model, const TensorMap& masks,
                    const TrainingState* state, const CheckpointMeta& meta);

// The metadata alone; InputError if `path` is not a checkpoint of this schema.
CheckpointMeta readCheckpointMeta(const std::string& path);

// Copies the checkpoint's parameters and buffers into `model`'s existing tensors (any device)
// and returns its metadata. Everything is checked first, and a mismatch throws InputError
// naming the file and field without changing the model: the arch and class count against
// `expect`, every parameter and buffer present with the model's shape and element type and
// nothing else, masks and momentum naming parameters with their shapes, masks only 0 and 1.
// `masks` and `state` (either may be nullptr: not wanted) receive CPU tensors; asking for a
// state from a weights-only checkpoint is an error.
CheckpointMeta loadCheckpoint(const std::string& path, torch::nn::Module& model, TensorMap* masks,
                              TrainingState* state, const ExpectedModel& expect);

// True when `path` is a readable HDF5 file carrying our schema attribute and groups; false for a
// missing, truncated or foreign file. Never throws.
bool isCompleteCheckpoint(const std::string& path);

}  // namespace mu
