#pragma once
// The checkpoint file layout shared by every stage that writes or reads model state. It is
// documented for people in docs/SCHEMA.md ("Checkpoint schema"); the names below are the single
// source for code.

namespace mu {
namespace checkpoint {

inline constexpr const char* kSchemaVersion = "mu-checkpoint/1";

// Groups. Tensor datasets inside them are named like torch's named_parameters()/named_buffers()
// ("layer1.0.conv1.weight"); HDF5 allows dots in names, so the names stay flat.
inline constexpr const char* kParams = "/params";
inline constexpr const char* kBuffers = "/buffers";
inline constexpr const char* kMasks = "/masks";
inline constexpr const char* kOptimizer = "/optimizer";  // present only with a training state
inline constexpr const char* kMomentum = "/optimizer/momentum";
inline constexpr const char* kRng = "/rng";  // present only with a training state
inline constexpr const char* kCpuRng = "/rng/torch_cpu";
inline constexpr const char* kCudaRng = "/rng/torch_cuda";
inline constexpr const char* kMeta = "/meta";  // free-form attributes (lr, best_val_acc, ...)

// Root attributes.
inline constexpr const char* kSchemaAttribute = "schema";
inline constexpr const char* kArchAttribute = "arch";
inline constexpr const char* kDatasetAttribute = "dataset";
inline constexpr const char* kNumClassesAttribute = "num_classes";
inline constexpr const char* kInChannelsAttribute = "in_channels";
// 1 when the model has the ImageNet stem; absent (older checkpoints) means 0.
inline constexpr const char* kImagenetStemAttribute = "imagenet_stem";
inline constexpr const char* kKindAttribute = "kind";
inline constexpr const char* kEpochAttribute = "epoch";
inline constexpr const char* kStepAttribute = "step";
inline constexpr const char* kWorldSizeAttribute = "world_size";
inline constexpr const char* kConfigJsonAttribute = "config_json";
inline constexpr const char* kConfigHashAttribute = "config_hash";
inline constexpr const char* kCodeVersionAttribute = "code_version";
inline constexpr const char* kCreatedUtcAttribute = "created_utc";

// Values of the `kind` attribute written by our stages. The attribute is free text, so a new
// kind needs no schema change.
inline constexpr const char* kKindTrain = "train";             // periodic, for resuming
inline constexpr const char* kKindBest = "best";               // best validation accuracy
inline constexpr const char* kKindRewind = "rewind";           // weights at the rewind epoch
inline constexpr const char* kKindPruneRound = "prune-round";  // end of one pruning round
inline constexpr const char* kKindUnlearned = "unlearned";     // output of an unlearning method
inline constexpr const char* kKindImported = "imported";       // mu-checkpoint import of a .pth

}  // namespace checkpoint
}  // namespace mu
