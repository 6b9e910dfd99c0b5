#include "pipeline/data/poisoning.h"

#include <torch/torch.h>

#include "pipeline/base/error.h"
#include "pipeline/data/forget_set.h"
#include "pipeline/io/json_number.h"

namespace mu {
namespace {

using nlohmann::json;
using torch::indexing::Slice;

template <typename T>
T optionOr(const json& options, const char* name, T fallback) {
  if (!options.is_object()) return fallback;
  const auto found = options.find(name);
  if (found == options.end() || found->is_null()) return fallback;
  return found->get<T>();
}

torch::Tensor imagesOf(const LoadedSplit& split) {
  if (!split.images.defined()) {
    throw InputError(split.manifest.dataset + " (" + split.split + " split)", "images",
                     "decoded pixels in memory: a backdoor trigger is stamped before "
                     "augmentation, which streamed JPEG datasets do not support yet");
  }
  return split.images;
}

// `split` with `images` and `labels` in place of its own.
LoadedSplit withPixels(const LoadedSplit& split, torch::Tensor images, torch::Tensor labels) {
  LoadedSplit changed = split;
  changed.images = images;
  changed.labels = std::move(labels);
  changed.source = std::make_shared<InMemorySource>(std::move(images));
  return changed;
}

}  // namespace

void TriggerPatch::stamp(torch::Tensor& images) const {
  const int64_t height = images.size(2);
  const int64_t width = images.size(3);
  if (size + margin > height || size + margin > width) {
    throw InputError("--trigger-size", "value",
                     "a patch that fits " + std::to_string(height) + "x" + std::to_string(width) +
                         " images with --trigger-margin " + std::to_string(margin) + ", got " +
                         std::to_string(size));
  }
  images
      .index({Slice(), Slice(), Slice(height - margin - size, height - margin),
              Slice(width - margin - size, width - margin)})
      .fill_(value);
}

void PoisonOptions::registerOptions(OptionTable& table) {
  table
      .add("poison-count", &count,
           "backdoor: poison n training samples drawn as --forget random draws (0: none)")
      .add("poison-ids", &idsFile, "backdoor: poison the train row ids in this file instead")
      .add("poison-target", &target, "backdoor: the label poisoned samples get")
      .add("poison-seed", &seed, "backdoor: the draw uses numpy's RandomState(seed - 1)")
      .add("trigger-size", &trigger.size, "backdoor: side of the square trigger in pixels")
      .add("trigger-margin", &trigger.margin,
           "backdoor: pixels between the trigger and the bottom and right edges")
      .add("trigger-value", &trigger.value,
           "backdoor: the trigger's pixel value in every channel (0 black .. 255 white)");
}

void PoisonOptions::validate() const {
  requireOption(count >= 0, "poison-count", "expected >= 0");
  requireOption(count == 0 || idsFile.empty(), "poison-ids", "either --poison-count or a file");
  requireOption(target >= 0, "poison-target", "a class label (>= 0)");
  requireOption(seed >= 1 && seed <= 0x100000000LL, "poison-seed",
                "a seed in [1, 2^32] (the draw uses seed - 1)");
  requireOption(trigger.size >= 1, "trigger-size", "expected >= 1 pixel");
  requireOption(trigger.margin >= 0, "trigger-margin", "expected >= 0 pixels");
  requireOption(trigger.value >= 0 && trigger.value <= 255, "trigger-value", "expected 0..255");
}

PoisonOptions PoisonOptions::fromRunOptions(const json& options) {
  PoisonOptions poison;
  poison.count = optionOr<int64_t>(options, "poison-count", poison.count);
  poison.idsFile = optionOr<std::string>(options, "poison-ids", poison.idsFile);
  poison.target = optionOr<int64_t>(options, "poison-target", poison.target);
  poison.seed = optionOr<int64_t>(options, "poison-seed", poison.seed);
  poison.trigger.size = optionOr<int64_t>(options, "trigger-size", poison.trigger.size);
  poison.trigger.margin = optionOr<int64_t>(options, "trigger-margin", poison.trigger.margin);
  poison.trigger.value = optionOr<int64_t>(options, "trigger-value", poison.trigger.value);
  return poison;
}

Poisoning selectPoisoning(const PoisonOptions& options, const LoadedSplit& train,
                          const TrainValSplit& split) {
  Poisoning poisoning;
  poisoning.options = options;
  if (!options.enabled()) return poisoning;
  if (options.target >= train.manifest.numClasses) {
    throw InputError("--poison-target", "value",
                     "a class in 0.." + std::to_string(train.manifest.numClasses - 1) + " of " +
                         train.manifest.dataset + ", got " + std::to_string(options.target));
  }
  // The reference poisons its random forget set (docs/reference-behaviour.md §9.1): the same draw.
  ForgetRequest draw;
  draw.mode = options.idsFile.empty() ? "random" : "ids";
  draw.count = options.count;
  draw.seed = options.seed;
  draw.idsFile = options.idsFile;
  draw.names = {"--poison-count", "--poison-seed", "--poison-ids"};
  poisoning.ids = selectForgetSet(draw, train, split, 0, 0).forgetIds;
  return poisoning;
}

LoadedSplit poisonRows(const LoadedSplit& split, const std::vector<int64_t>& rows,
                       const Poisoning& poisoning) {
  if (rows.empty()) return split;
  for (const int64_t row : rows) {
    if (row < 0 || row >= split.size()) {
      throw InputError(split.manifest.dataset + " (" + split.split + " split)", "poisoned row",
                       "ids in [0, " + std::to_string(split.size()) + "), got " +
                           std::to_string(row) + " (a poisoning of another dataset?)");
    }
  }
  const torch::Tensor index = torch::tensor(rows, torch::kInt64);
  torch::Tensor images = imagesOf(split).clone();
  torch::Tensor stamped = images.index_select(0, index);
  poisoning.options.trigger.stamp(stamped);
  images.index_copy_(0, index, stamped);
  torch::Tensor labels = split.labels.clone();
  labels.index_fill_(0, index, poisoning.options.target);
  return withPixels(split, std::move(images), std::move(labels));
}

LoadedSplit triggerAll(const LoadedSplit& split, const Poisoning& poisoning) {
  torch::Tensor images = imagesOf(split).clone();
  poisoning.options.trigger.stamp(images);
  return withPixels(split, std::move(images), split.labels);
}

json poisoningJson(const Poisoning& poisoning) {
  const PoisonOptions& options = poisoning.options;
  return {{"target", options.target},
          {"trigger",
           {{"size", options.trigger.size},
            {"margin", options.trigger.margin},
            {"value", options.trigger.value}}},
          {"count", options.count},
          {"seed", options.seed},
          {"ids_file", options.idsFile},
          {"ids", poisoning.ids}};
}

Poisoning poisoningFromJson(const json& document, const std::string& where) {
  Poisoning poisoning;
  std::string field = "poisoning";
  try {
    const auto get = [&](const json& from, const char* name) -> const json& {
      field = std::string("poisoning.") + name;
      return from.at(name);
    };
    PoisonOptions& options = poisoning.options;
    options.target = jsonInteger<int64_t>(get(document, "target"), where, field);
    const json& trigger = get(document, "trigger");
    options.trigger.size = jsonInteger<int64_t>(get(trigger, "size"), where, field);
    options.trigger.margin = jsonInteger<int64_t>(get(trigger, "margin"), where, field);
    options.trigger.value = jsonInteger<int64_t>(get(trigger, "value"), where, field);
    options.count = jsonInteger<int64_t>(get(document, "count"), where, field);
    options.seed = jsonInteger<int64_t>(get(document, "seed"), where, field);
    options.idsFile = get(document, "ids_file").get<std::string>();
    poisoning.ids = jsonIntegers<int64_t>(get(document, "ids"), where, field);
  } catch (const json::exception& error) {
    throw InputError(where, field, std::string("the poisoning's field: ") + error.what());
  }
  if (poisoning.ids.empty()) throw InputError(where, "poisoning.ids", "the poisoned train rows");
  return poisoning;
}

}  // namespace mu
