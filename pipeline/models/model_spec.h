#pragma once
// What to build: an architecture name plus the dataset facts it depends on. Kept free of LibTorch
// so that option parsing and configuration code can fill one in without the torch headers.

#include <string>
#include <vector>

namespace mu {

struct ModelSpec {
  std::string arch;           // a name from modelNames(), e.g. "resnet18"
  int numClasses = 10;        // width of the final Linear layer
  int inChannels = 3;         // 1 for Fashion-MNIST, 3 for the CIFAR family
  bool imagenetStem = false;  // 7x7/stride-2 stem plus max-pool (resnet18 and resnet50 only)
  // Per-channel statistics of the dataset, one value per input channel. Left empty on a 3-channel
  // model they default to the CIFAR-10 constants, as the reference models do before
  // setup_model_dataset swaps in the dataset's own.
  std::vector<double> mean;
  std::vector<double> std;
};

}  // namespace mu
