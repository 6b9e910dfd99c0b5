#pragma once
// How much of each prunable layer remains: for the console after a pruning round and for the
// round's results file. Counts come from the masks, which are what training enforces (a weight
// that merely happens to be 0 is not pruned); a weight without a mask counts as dense.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/masks/masks.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"

namespace mu {

struct LayerSparsity {
  std::string name;  // the weight's parameter name, e.g. "layer1.0.conv1.weight"
  int64_t remaining = 0;
  int64_t total = 0;
};

struct SparsityReport {
  std::vector<LayerSparsity> layers;  // in registration order
  int64_t remaining = 0;
  int64_t total = 0;

  // Fractions in [0, 1]; a report without weights counts as dense.
  double density() const {
    return total == 0 ? 1.0 : static_cast<double>(remaining) / static_cast<double>(total);
  }
  double sparsity() const { return 1.0 - density(); }
};

SparsityReport sparsityReport(const NamedTensors& weights, const TensorMap& masks);
SparsityReport sparsityReport(const Classifier& model, const TensorMap& masks,
                              const PruneScope& scope = {});

// One line per layer, then a total line, e.g.
//   "conv1.weight            1,728 of 1,728 remain (100.00%)" ... "total 557,962 of ..."
std::string formatSparsity(const SparsityReport& report);

// {"layers": [{"name", "remaining", "total", "remaining_percent"}...], "remaining", "total",
//  "remaining_percent", "sparsity_percent"}
nlohmann::json sparsityJson(const SparsityReport& report);

}  // namespace mu
