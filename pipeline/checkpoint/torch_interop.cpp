#include "pipeline/checkpoint/torch_interop.h"

#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/checkpoint/torch_state_dict.h"
#include "pipeline/io/file_digest.h"
#include "pipeline/models/model_registry.h"

namespace mu {
namespace {

const std::string kMean = "normalize.mean";
const std::string kStd = "normalize.std";
const std::string kOrigSuffix = "_orig";  // torch.nn.utils.prune's names
const std::string kMaskSuffix = "_mask";

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isNormalizeBuffer(const std::string& name) {
  return name == kMean || name == kStd;
}

std::string shapeText(const torch::Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

std::vector<double> toVector(const torch::Tensor& tensor) {
  const torch::Tensor values = tensor.detach().to(torch::kDouble).cpu().contiguous();
  return {values.data_ptr<double>(), values.data_ptr<double>() + values.numel()};
}

// A model's own parameters and buffers, module by module as PyTorch's state_dict() lists them
// (each module's parameters, then its buffers).
StateDict stateDictOrder(const torch::nn::Module& model) {
  StateDict entries;
  for (const auto& module : model.named_modules()) {
    const std::string prefix = module.key().empty() ? "" : module.key() + ".";
    for (const auto& p : module.value()->named_parameters(/*recurse=*/false)) {
      entries.emplace_back(prefix + p.key(), p.value());
    }
    for (const auto& b : module.value()->named_buffers(/*recurse=*/false)) {
      entries.emplace_back(prefix + b.key(), b.value());
    }
  }
  return entries;
}

// The file's entries with each pruned weight (<name>_orig, <name>_mask) turned into <name> =
// orig * mask and its mask.
struct ResolvedEntries {
  StateDict tensors;
  TensorMap masks;
};

ResolvedEntries resolvePruned(const std::string& path, const StateDict& entries) {
  std::map<std::string, torch::Tensor> byName(entries.begin(), entries.end());
  ResolvedEntries resolved;
  for (const auto& [name, tensor] : entries) {
    if (endsWith(name, kMaskSuffix)) {
      const std::string base = name.substr(0, name.size() - kMaskSuffix.size());
      if (byName.count(base + kOrigSuffix) != 0) continue;  // taken with its _orig below
    }
    if (!endsWith(name, kOrigSuffix)) {
      resolved.tensors.emplace_back(name, tensor);
      continue;
    }
    const std::string base = name.substr(0, name.size() - kOrigSuffix.size());
    const std::string maskName = base + kMaskSuffix;
    const auto mask = byName.find(maskName);
    if (mask == byName.end()) {
      throw InputError(path, name,
                       "its mask " + maskName + " beside it (torch.nn.utils.prune saves both)");
    }
    if (!mask->second.sizes().equals(tensor.sizes())) {
      throw InputError(
          path, maskName,
          "the shape of " + name + ", " + shapeText(tensor) + "; got " + shapeText(mask->second));
    }
    const torch::Tensor values = mask->second.to(torch::kFloat);
    if (!values.eq(0).logical_or(values.eq(1)).all().item<bool>()) {
      throw InputError(path, maskName, "a mask of only 0 and 1");
    }
    resolved.tensors.emplace_back(base, tensor * mask->second.to(tensor.dtype()));
    resolved.masks[base] = values;
  }
  return resolved;
}

// Entries the model has that the file may lack (see the header).
bool isBatchCounter(const std::string& name) {
  return endsWith(name, ".num_batches_tracked");
}

bool mayBeMissing(const std::string& name, bool fileHasNormalize) {
  return isBatchCounter(name) || (!fileHasNormalize && isNormalizeBuffer(name));
}

// Checks every entry against the model, then copies them in: the model is changed only when
// the whole file matches.
void copyIntoModel(const std::string& path, const StateDict& entries, torch::nn::Module& model,
                   const ModelSpec& spec, bool fileHasNormalize) {
  const StateDict own = stateDictOrder(model);
  const std::map<std::string, torch::Tensor> targets(own.begin(), own.end());
  const std::string modelText = spec.arch + " (--num-classes " + std::to_string(spec.numClasses) +
                                ", --in-channels " + std::to_string(spec.inChannels) +
                                (spec.imagenetStem ? ", --imagenet-stem)" : ")");
  std::map<std::string, torch::Tensor> given;
  for (const auto& [name, tensor] : entries) {
    const auto target = targets.find(name);
    if (target == targets.end() && isBatchCounter(name)) continue;  // a model without one
    if (target == targets.end()) {
      throw InputError(path, name,
                       "a name of " + modelText +
                           "; it has no parameter or buffer of this name (its " +
                           std::to_string(own.size()) + " run from " + own.front().first + " to " +
                           own.back().first + ")");
    }
    if (!target->second.sizes().equals(tensor.sizes())) {
      throw InputError(path, name,
                       "shape " + shapeText(target->second) + " as in " + modelText + "; got " +
                           shapeText(tensor));
    }
    if (target->second.is_floating_point() != tensor.is_floating_point()) {
      throw InputError(
          path, name,
          std::string(target->second.is_floating_point() ? "floating-point" : "integer") +
              " values; got " + std::string(tensor.dtype().name()));
    }
    given[name] = tensor;
  }
  for (const auto& [name, tensor] : own) {
    if (given.count(name) == 0 && !mayBeMissing(name, fileHasNormalize)) {
      throw InputError(path, name,
                       "a tensor of shape " + shapeText(tensor) + ", which " + modelText +
                           " has; the file lacks it");
    }
  }
  torch::NoGradGuard noGrad;
  for (const auto& [name, tensor] : given) targets.at(name).copy_(tensor);
}

}  // namespace

ImportReport importTorchStateDict(const ImportRequest& request) {
  const TorchStateDictFile file = readTorchStateDict(request.from);
  const ResolvedEntries resolved = resolvePruned(request.from, file.entries);
  bool hasMean = false;
  bool hasStd = false;
  for (const auto& entry : resolved.tensors) {
    hasMean = hasMean || entry.first == kMean;
    hasStd = hasStd || entry.first == kStd;
  }
  if (hasMean != hasStd) {
    throw InputError(request.from, hasMean ? kStd : kMean,
                     "present, as " + std::string(hasMean ? kMean : kStd) + " is");
  }

  ImportReport report;
  ModelSpec spec = request.spec;
  if (hasMean && !spec.mean.empty()) {
    throw InputError("--mean", "value",
                     "not given: " + request.from + " carries its own " + kMean + " and " + kStd);
  }
  if (hasMean) {
    // Placeholders of the right length; the file's values replace them.
    spec.mean.assign(static_cast<size_t>(spec.inChannels), 0.0);
    spec.std.assign(static_cast<size_t>(spec.inChannels), 1.0);
    report.normalisation = "file";
  } else if (!spec.mean.empty()) {
    report.normalisation = "options";
  } else if (spec.inChannels == 3) {
    report.normalisation = "model";
  } else {
    throw InputError(request.from, kMean,
                     "present, or --mean and --std given: default statistics exist for 3 input "
                     "channels only");
  }
  const std::shared_ptr<Classifier> model = makeModel(spec);
  copyIntoModel(request.from, resolved.tensors, *model, spec, hasMean);

  report.sourceSha256 = sha256OfFile(request.from);
  report.tensors = resolved.tensors.size();
  report.maskedWeights = resolved.masks.size();
  report.mean = toVector(model->normalizer().mean());
  report.std = toVector(model->normalizer().stddev());

  CheckpointMeta meta;
  meta.arch = spec.arch;
  meta.dataset = request.dataset;
  meta.numClasses = spec.numClasses;
  meta.inChannels = spec.inChannels;
  meta.imagenetStem = spec.imagenetStem;
  meta.kind = checkpoint::kKindImported;
  // The reference's checkpoints say how many epochs they hold; anything else there is ignored.
  if (const PickleValuePtr epoch = file.root->find("epoch");
      file.nested && epoch && epoch->kind == PickleValue::Kind::kInt) {
    meta.epoch = epoch->integer;
  }
  const nlohmann::json config = {{"imported_from", request.from},
                                 {"source_sha256", report.sourceSha256},
                                 {"state_dict_entry", file.nested},
                                 {"arch", spec.arch},
                                 {"dataset", request.dataset},
                                 {"num_classes", spec.numClasses},
                                 {"in_channels", spec.inChannels},
                                 {"imagenet_stem", spec.imagenetStem},
                                 {"normalize_from", report.normalisation},
                                 {"mean", report.mean},
                                 {"std", report.std},
                                 {"masked_weights", report.maskedWeights}};
  meta.configJson = config.dump();
  meta.configHash = sha256OfString(meta.configJson).substr(0, 16);
  saveCheckpoint(request.out, *model, resolved.masks, nullptr, meta);
  return report;
}

ExportReport exportTorchStateDict(const ExportRequest& request) {
  const CheckpointMeta meta = readCheckpointMeta(request.from);
  ModelSpec spec;
  spec.arch = meta.arch;
  spec.numClasses = meta.numClasses;
  spec.inChannels = meta.inChannels;
  spec.imagenetStem = meta.imagenetStem;
  // Placeholders of the right length; the checkpoint's buffers replace them.
  spec.mean.assign(static_cast<size_t>(spec.inChannels), 0.0);
  spec.std.assign(static_cast<size_t>(spec.inChannels), 1.0);
  const std::shared_ptr<Classifier> model = makeModel(spec);
  TensorMap masks;
  loadCheckpoint(request.from, *model, &masks, nullptr, {meta.arch, meta.numClasses});

  ExportReport report;
  report.arch = meta.arch;
  report.mean = toVector(model->normalizer().mean());
  report.std = toVector(model->normalizer().stddev());
  StateDict entries;
  for (const auto& [name, tensor] : stateDictOrder(*model)) {
    if (isNormalizeBuffer(name) && !request.includeNormalize) continue;
    const auto mask = masks.find(name);
    if (mask == masks.end()) {
      entries.emplace_back(name, tensor);
    } else if (request.pruned == PrunedFormat::kPlain) {
      entries.emplace_back(name, tensor * mask->second.to(tensor.dtype()));
    } else {
      entries.emplace_back(name + kOrigSuffix, tensor);
      entries.emplace_back(name + kMaskSuffix, mask->second.to(tensor.dtype()));
    }
    report.maskedWeights += mask == masks.end() ? 0 : 1;
  }
  report.tensors = entries.size();
  writeTorchStateDict(request.out, entries);
  return report;
}

}  // namespace mu
