#include "pipeline/checkpoint/checkpoint.h"

#include <torch/torch.h>

#include <ctime>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/checkpoint/rng_state.h"
#include "pipeline/checkpoint/tensor_io.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/hdf5_file.h"

namespace mu {
namespace {

namespace ck = checkpoint;

// Everything a checkpoint file holds, read and checked before any of it reaches the model.
struct StoredCheckpoint {
  CheckpointMeta meta;
  TensorMap params;
  TensorMap buffers;
  TensorMap masks;
  bool hasTrainingState = false;
  TrainingState state;
};

TensorMap toTensorMap(const torch::OrderedDict<std::string, torch::Tensor>& tensors) {
  TensorMap map;
  for (const auto& item : tensors) map.emplace(item.key(), item.value());
  return map;
}

std::string memberPath(const std::string& group, const std::string& name) {
  return group + "/" + name;
}

std::string describeTensor(const torch::Tensor& tensor) {
  return elementTypeName(tensor.scalar_type()) + " " + shapeText(tensor.sizes());
}

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A "/" in a tensor name would silently become a nested HDF5 group that reads back as something
// else, so such names are refused rather than written.
void checkFlatNames(const std::string& group, const TensorMap& tensors) {
  for (const auto& entry : tensors) {
    if (entry.first.empty() || entry.first.find('/') != std::string::npos) {
      throw std::invalid_argument("cannot store tensor '" + entry.first + "' in " + group +
                                  ": names must be non-empty and contain no '/'");
    }
  }
}

// Each of `found` must name a tensor of `reference` ("parameter"/"buffer") with its element type
// and shape; with `complete`, each of `reference` must be in `found` too.
void checkTensors(const std::string& file, const std::string& group, const TensorMap& found,
                  const TensorMap& reference, const std::string& referenceKind, bool complete) {
  if (complete) {
    for (const auto& [name, expected] : reference) {
      if (found.count(name) == 0) {
        throw InputError(
            file, memberPath(group, name),
            "missing; the model's " + referenceKind + " is " + describeTensor(expected));
      }
    }
  }
  for (const auto& [name, tensor] : found) {
    const auto match = reference.find(name);
    if (match == reference.end()) {
      throw InputError(file, memberPath(group, name), "the model has no such " + referenceKind);
    }
    if (tensor.scalar_type() != match->second.scalar_type() ||
        !tensor.sizes().equals(match->second.sizes())) {
      throw InputError(
          file, memberPath(group, name),
          "expected " + describeTensor(match->second) + ", found " + describeTensor(tensor));
    }
  }
}

// Masks multiply parameters, so they must fit one exactly and hold nothing but 0 and 1.
void checkMasks(const std::string& file, const TensorMap& masks, const TensorMap& params) {
  checkTensors(file, ck::kMasks, masks, params, "parameter", false);
  for (const auto& [name, mask] : masks) {
    const torch::Tensor notBinary = mask.ne(0).logical_and(mask.ne(1));
    if (notBinary.any().item<bool>()) {
      std::ostringstream value;
      value << mask.masked_select(notBinary)[0].item<double>();
      throw InputError(file, memberPath(ck::kMasks, name),
                       "expected only 0 and 1 in a mask, found " + value.str());
    }
  }
}

// A file holding entries this version does not know was not written by it; reading it as if the
// entries were not there could drop state silently.
void checkMembers(const Hdf5File& file, const std::string& group,
                  const std::set<std::string>& known) {
  if (!file.exists(group)) throw InputError(file.path(), group, "expected this group to exist");
  for (const std::string& name : file.listGroup(group)) {
    if (known.count(name) == 0) {
      throw InputError(file.path(), memberPath(group == "/" ? "" : group, name),
                       "not part of schema " + std::string(ck::kSchemaVersion));
    }
  }
}

void checkMetaNames(const CheckpointMeta& meta) {
  for (const auto& entry : meta.strings) {
    if (entry.first.empty() || meta.numbers.count(entry.first) != 0) {
      throw std::invalid_argument("checkpoint meta name '" + entry.first +
                                  "' is empty or used for both a number and a string");
    }
  }
  if (meta.numbers.count("") != 0) throw std::invalid_argument("checkpoint meta name is empty");
}

void writeMeta(Hdf5File& file, const CheckpointMeta& meta) {
  file.setAttribute(ck::kSchemaAttribute, std::string(ck::kSchemaVersion));
  file.setAttribute(ck::kArchAttribute, meta.arch);
  file.setAttribute(ck::kDatasetAttribute, meta.dataset);
  file.setAttribute(ck::kNumClassesAttribute, int64_t{meta.numClasses});
  file.setAttribute(ck::kInChannelsAttribute, int64_t{meta.inChannels});
  file.setAttribute(ck::kImagenetStemAttribute, int64_t{meta.imagenetStem ? 1 : 0});
  file.setAttribute(ck::kKindAttribute, meta.kind);
  file.setAttribute(ck::kEpochAttribute, meta.epoch);
  file.setAttribute(ck::kStepAttribute, meta.step);
  file.setAttribute(ck::kWorldSizeAttribute, int64_t{meta.worldSize});
  file.setAttribute(ck::kConfigJsonAttribute, meta.configJson);
  file.setAttribute(ck::kConfigHashAttribute, meta.configHash);
  file.setAttribute(ck::kCodeVersionAttribute, std::string(codeVersion()));
  file.setAttribute(ck::kCreatedUtcAttribute, utcNow());
  file.createGroup(ck::kMeta);
  for (const auto& [name, value] : meta.numbers) file.setAttribute(name, value, ck::kMeta);
  for (const auto& [name, value] : meta.strings) file.setAttribute(name, value, ck::kMeta);
}

CheckpointMeta readMeta(const Hdf5File& file) {
  const std::string schema = file.hasAttribute(ck::kSchemaAttribute)
                                 ? file.stringAttribute(ck::kSchemaAttribute)
                                 : "no schema attribute";
  if (schema != ck::kSchemaVersion) {
    throw InputError(
        file.path(), ck::kSchemaAttribute,
        "expected a checkpoint of schema " + std::string(ck::kSchemaVersion) + ", found " + schema);
  }
  CheckpointMeta meta;
  meta.arch = file.stringAttribute(ck::kArchAttribute);
  meta.dataset = file.stringAttribute(ck::kDatasetAttribute);
  meta.numClasses = static_cast<int>(file.intAttribute(ck::kNumClassesAttribute));
  meta.inChannels = static_cast<int>(file.intAttribute(ck::kInChannelsAttribute));
  meta.imagenetStem = file.hasAttribute(ck::kImagenetStemAttribute) &&
                      file.intAttribute(ck::kImagenetStemAttribute) != 0;
  meta.kind = file.stringAttribute(ck::kKindAttribute);
  meta.epoch = file.intAttribute(ck::kEpochAttribute);
  meta.step = file.intAttribute(ck::kStepAttribute);
  meta.worldSize = static_cast<int>(file.intAttribute(ck::kWorldSizeAttribute));
  meta.configJson = file.stringAttribute(ck::kConfigJsonAttribute);
  meta.configHash = file.stringAttribute(ck::kConfigHashAttribute);
  meta.codeVersion = file.stringAttribute(ck::kCodeVersionAttribute);
  meta.createdUtc = file.stringAttribute(ck::kCreatedUtcAttribute);
  for (const std::string& name : file.listAttributes(ck::kMeta)) {
    if (file.attributeElementType(name, ck::kMeta) == "string") {
      meta.strings[name] = file.stringAttribute(name, ck::kMeta);
    } else {
      meta.numbers[name] = file.doubleAttribute(name, ck::kMeta);
    }
  }
  return meta;
}

// The group is written even when empty: "no masks" is then stated by the file, not implied.
void writeGroup(Hdf5File& file, const std::string& group, const TensorMap& tensors) {
  file.createGroup(group);
  for (const auto& [name, tensor] : tensors) writeTensor(file, memberPath(group, name), tensor);
}

TensorMap readGroup(const Hdf5File& file, const std::string& group) {
  if (!file.exists(group)) throw InputError(file.path(), group, "expected this group to exist");
  TensorMap tensors;
  for (const std::string& name : file.listGroup(group)) {
    tensors.emplace(name, readTensor(file, memberPath(group, name)));
  }
  return tensors;
}

void writeBytes(Hdf5File& file, const std::string& name, const std::vector<uint8_t>& bytes) {
  if (!bytes.empty()) file.writeDataset(name, bytes);
}

std::vector<uint8_t> readBytes(const Hdf5File& file, const std::string& name) {
  if (!file.exists(name)) return {};
  const torch::Tensor tensor = readTensor(file, name);
  if (tensor.scalar_type() != torch::kByte || tensor.dim() != 1) {
    throw InputError(file.path(), name, "expected uint8 bytes, found " + describeTensor(tensor));
  }
  const uint8_t* bytes = tensor.data_ptr<uint8_t>();
  return std::vector<uint8_t>(bytes, bytes + tensor.numel());
}

void writeTrainingState(Hdf5File& file, const TrainingState& state) {
  writeGroup(file, ck::kMomentum, state.momentum);
  file.createGroup(ck::kRng);
  writeBytes(file, ck::kCpuRng, state.cpuRngState);
  writeBytes(file, ck::kCudaRng, state.cudaRngState);
}

TrainingState readTrainingState(const Hdf5File& file) {
  checkMembers(file, ck::kOptimizer, {"momentum"});
  checkMembers(file, ck::kRng, {"torch_cpu", "torch_cuda"});
  TrainingState state;
  state.momentum = readGroup(file, ck::kMomentum);
  state.cpuRngState = readBytes(file, ck::kCpuRng);
  state.cudaRngState = readBytes(file, ck::kCudaRng);
  if (!state.cpuRngState.empty() && state.cpuRngState.size() != cpuRngStateSize()) {
    throw InputError(file.path(), ck::kCpuRng,
                     "expected a torch CPU generator state of " +
                         std::to_string(cpuRngStateSize()) + " bytes, found " +
                         std::to_string(state.cpuRngState.size()));
  }
  return state;
}

void checkModelMatches(const std::string& path, const CheckpointMeta& meta,
                       const ExpectedModel& expect) {
  if (meta.arch != expect.arch || meta.numClasses != expect.numClasses) {
    throw InputError(path, ck::kArchAttribute,
                     "checkpoint is for arch " + meta.arch + " with " +
                         std::to_string(meta.numClasses) + " classes, expected " + expect.arch +
                         " with " + std::to_string(expect.numClasses));
  }
}

// "<group>/<name>: expected finite values, found ..." for the first tensor holding NaN or
// infinity; empty when all are finite.
std::string nonFiniteTensor(const std::string& group, const TensorMap& tensors) {
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.is_floating_point() || torch::isfinite(tensor).all().item<bool>()) continue;
    const int64_t nans = torch::isnan(tensor).sum().item<int64_t>();
    const int64_t infinite = torch::isinf(tensor).sum().item<int64_t>();
    return memberPath(group, name) + ": expected finite values, found " + std::to_string(nans) +
           " NaN and " + std::to_string(infinite) + " infinite";
  }
  return "";
}

// A NaN or infinite weight, statistic or momentum never starts a run: every stage would carry it
// into a model that looks finished (a diverged run of an older version, or a damaged file).
void checkFiniteOnLoad(const std::string& file, const StoredCheckpoint& stored) {
  std::string found = nonFiniteTensor(ck::kParams, stored.params);
  if (found.empty()) found = nonFiniteTensor(ck::kBuffers, stored.buffers);
  if (found.empty() && stored.hasTrainingState) {
    found = nonFiniteTensor(ck::kMomentum, stored.state.momentum);
  }
  if (!found.empty()) throw InputError(file + ": " + found + " (a diverged or damaged model)");
}

// Nor is one ever written: the file at `path` keeps the last good state.
void checkFiniteOnSave(const std::string& path, const TensorMap& params, const TensorMap& buffers,
                       const TrainingState* state) {
  std::string found = nonFiniteTensor(ck::kParams, params);
  if (found.empty()) found = nonFiniteTensor(ck::kBuffers, buffers);
  if (found.empty() && state) found = nonFiniteTensor(ck::kMomentum, state->momentum);
  if (!found.empty()) {
    throw DivergedError("the model to be saved as " + path + " is not finite (" + found +
                        "): it was not written, and the file there, if any, is the last good "
                        "state. The run diverged: lower the learning rate");
  }
}

// The model identity is checked before any tensor is read: it explains a mismatch best.
StoredCheckpoint readStoredCheckpoint(const Hdf5File& file, const ExpectedModel& expect) {
  StoredCheckpoint stored;
  stored.meta = readMeta(file);
  checkModelMatches(file.path(), stored.meta, expect);
  checkMembers(file, "/", {"params", "buffers", "masks", "optimizer", "rng", "meta"});
  stored.params = readGroup(file, ck::kParams);
  stored.buffers = readGroup(file, ck::kBuffers);
  stored.masks = readGroup(file, ck::kMasks);
  stored.hasTrainingState = file.exists(ck::kOptimizer);
  if (stored.hasTrainingState) stored.state = readTrainingState(file);
  return stored;
}

void copyInto(const TensorMap& targets, const TensorMap& sources) {
  torch::NoGradGuard noGrad;
  for (const auto& [name, target] : targets) target.copy_(sources.at(name));
}

}  // namespace

void saveCheckpoint(const std::string& path, const torch::nn::Module& model, const TensorMap& masks,
                    const TrainingState* state, const CheckpointMeta& meta) {
  const TensorMap params = toTensorMap(model.named_parameters());
  const TensorMap buffers = toTensorMap(model.named_buffers());
  checkFlatNames(ck::kParams, params);
  checkFlatNames(ck::kBuffers, buffers);
  checkMasks(path, masks, params);
  if (state) checkTensors(path, ck::kMomentum, state->momentum, params, "parameter", false);
  checkMetaNames(meta);
  checkFiniteOnSave(path, params, buffers, state);

  AtomicFile output(path);
  {
    Hdf5File file = Hdf5File::create(output.path());
    writeMeta(file, meta);
    writeGroup(file, ck::kParams, params);
    writeGroup(file, ck::kBuffers, buffers);
    writeGroup(file, ck::kMasks, masks);
    if (state) writeTrainingState(file, *state);
    file.flush();
  }  // closed before the rename, so the final name never refers to a file still being written
  output.commit();
}

CheckpointMeta readCheckpointMeta(const std::string& path) {
  return readMeta(Hdf5File::openReadOnly(path));
}

CheckpointMeta loadCheckpoint(const std::string& path, torch::nn::Module& model, TensorMap* masks,
                              TrainingState* state, const ExpectedModel& expect) {
  StoredCheckpoint stored = readStoredCheckpoint(Hdf5File::openReadOnly(path), expect);

  const TensorMap params = toTensorMap(model.named_parameters());
  const TensorMap buffers = toTensorMap(model.named_buffers());
  checkTensors(path, ck::kParams, stored.params, params, "parameter", true);
  checkTensors(path, ck::kBuffers, stored.buffers, buffers, "buffer", true);
  checkMasks(path, stored.masks, params);
  if (stored.hasTrainingState) {
    checkTensors(path, ck::kMomentum, stored.state.momentum, params, "parameter", false);
  } else if (state) {
    throw InputError(path, ck::kOptimizer,
                     "expected a training state to resume from; this '" + stored.meta.kind +
                         "' checkpoint holds weights only");
  }

  checkFiniteOnLoad(path, stored);

  // Everything is checked: from here on nothing fails on the file's account.
  copyInto(params, stored.params);
  copyInto(buffers, stored.buffers);
  if (masks) *masks = std::move(stored.masks);
  if (state) *state = std::move(stored.state);
  return stored.meta;
}

bool isCompleteCheckpoint(const std::string& path) {
  try {
    const Hdf5File file = Hdf5File::openReadOnly(path);
    readMeta(file);
    return file.exists(ck::kParams) && file.exists(ck::kBuffers) && file.exists(ck::kMasks);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace mu
