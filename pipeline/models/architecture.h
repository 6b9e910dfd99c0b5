#pragma once
// One architecture as the model registry knows it: the name --arch takes, how to build it, and
// whether it has the ImageNet stem variant. Each architecture's file in architectures/ defines a
// function returning its entry, and registered_architectures.def lists those functions: that list
// is the only one.

#include <memory>
#include <string>

#include "pipeline/models/classifier.h"
#include "pipeline/models/model_spec.h"

namespace mu {

struct Architecture {
  std::string name;  // --arch, checkpoints, campaign specs
  std::shared_ptr<Classifier> (*make)(const ModelSpec&) = nullptr;
  bool hasImagenetStem = false;  // the reference's --imagenet_arch exists for it
};

}  // namespace mu
