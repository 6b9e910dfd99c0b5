#include "pipeline/models/model_registry.h"

#include <map>

#include "pipeline/error.h"
#include "pipeline/models/resnet.h"
#include "pipeline/models/resnet_small.h"
#include "pipeline/models/tiny_cnn.h"
#include "pipeline/models/vgg.h"

namespace mu {
namespace {

struct ModelEntry {
  std::shared_ptr<Classifier> (*make)(const ModelSpec&);
  bool hasImagenetStem;  // the reference's --imagenet_arch exists for the torchvision ResNets only
};

const std::map<std::string, ModelEntry>& registry() {
  static const std::map<std::string, ModelEntry> kRegistry{
      {"resnet18", {&makeResNet18, true}},    {"resnet50", {&makeResNet50, true}},
      {"resnet20s", {&makeResNet20s, false}}, {"resnet44s", {&makeResNet44s, false}},
      {"resnet56s", {&makeResNet56s, false}}, {"vgg16_bn", {&makeVgg16Bn, false}},
      {"tinycnn", {&makeTinyCnn, false}},
  };
  return kRegistry;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::vector<std::string> modelNames() {
  std::vector<std::string> names;
  for (const auto& item : registry()) names.push_back(item.first);
  return names;
}

std::shared_ptr<Classifier> makeModel(const ModelSpec& spec) {
  const auto found = registry().find(spec.arch);
  if (found == registry().end()) {
    throw InputError("model architecture '" + spec.arch +
                     "' is unknown; valid names: " + joined(modelNames()));
  }
  if (spec.numClasses < 1 || spec.inChannels < 1) {
    throw InputError("model " + spec.arch + ": numClasses and inChannels must be positive, got " +
                     std::to_string(spec.numClasses) + " and " + std::to_string(spec.inChannels));
  }
  if (spec.imagenetStem && !found->second.hasImagenetStem) {
    std::vector<std::string> withStem;
    for (const auto& item : registry()) {
      if (item.second.hasImagenetStem) withStem.push_back(item.first);
    }
    throw InputError("model " + spec.arch + ": no ImageNet stem; it exists only for " +
                     joined(withStem));
  }
  return found->second.make(spec);
}

}  // namespace mu
