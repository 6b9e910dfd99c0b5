#include "pipeline/masks/sparsity_report.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>

namespace mu {
namespace {

double percentOf(int64_t part, int64_t whole) {
  return whole == 0 ? 100.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// 11159232 -> "11,159,232": counts in the millions are unreadable without separators.
std::string grouped(int64_t value) {
  std::string digits = std::to_string(value);
  for (auto at = static_cast<int64_t>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<size_t>(at), ",");
  }
  return digits;
}

std::string line(const std::string& name, size_t nameWidth, int64_t remaining, int64_t total) {
  char text[96];
  std::snprintf(text, sizeof text, " %14s of %14s remain (%6.2f%%)\n", grouped(remaining).c_str(),
                grouped(total).c_str(), percentOf(remaining, total));
  return name + std::string(nameWidth - name.size(), ' ') + text;
}

}  // namespace

SparsityReport sparsityReport(const NamedTensors& weights, const TensorMap& masks) {
  SparsityReport report;
  for (const auto& [name, weight] : weights) {
    const auto mask = masks.find(name);
    const int64_t remaining =
        mask == masks.end() ? weight.numel() : (mask->second != 0).sum().item<int64_t>();
    report.layers.push_back({name, remaining, weight.numel()});
    report.remaining += remaining;
    report.total += weight.numel();
  }
  return report;
}

SparsityReport sparsityReport(const Classifier& model, const TensorMap& masks,
                              const PruneScope& scope) {
  return sparsityReport(prunableWeights(model, scope), masks);
}

std::string formatSparsity(const SparsityReport& report) {
  size_t width = std::string("total").size();
  for (const auto& layer : report.layers) width = std::max(width, layer.name.size());
  std::string text;
  for (const auto& layer : report.layers) {
    text += line(layer.name, width, layer.remaining, layer.total);
  }
  return text + line("total", width, report.remaining, report.total);
}

nlohmann::json sparsityJson(const SparsityReport& report) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : report.layers) {
    layers.push_back({{"name", layer.name},
                      {"remaining", layer.remaining},
                      {"total", layer.total},
                      {"remaining_percent", percentOf(layer.remaining, layer.total)}});
  }
  return {{"layers", layers},
          {"remaining", report.remaining},
          {"total", report.total},
          {"remaining_percent", percentOf(report.remaining, report.total)},
          {"sparsity_percent", 100.0 - percentOf(report.remaining, report.total)}};
}

}  // namespace mu
