#include "pipeline/evaluation/evaluation_results.h"

#include <cstdio>
#include <filesystem>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/io/json_file.h"

namespace mu {
namespace {

using nlohmann::json;

// A results file's text field, or `fallback` where it is missing or not text (older files).
std::string textField(const json& results, const char* key, const std::string& fallback) {
  const auto found = results.find(key);
  return found != results.end() && found->is_string() ? found->get<std::string>() : fallback;
}

json percentScores(const MiaScores& scores) {
  json out = json::object();
  for (const MiaFeature feature : kAllMiaFeatures)
    out[miaFeatureName(feature)] = 100.0 * scores[feature];
  return out;
}

}  // namespace

Measurements measurementsOf(const EvaluatedModel& model, const EvaluationMetrics& metrics) {
  Measurements measured;
  measured.forgetAccuracy = metrics.forgetAccuracy;
  measured.retainAccuracy = metrics.retainAccuracy;
  measured.testAccuracy = metrics.testAccuracy;
  measured.valAccuracy = metrics.valAccuracy;
  measured.miaConfidenceNonMembers = metrics.mia.efficacy.confidence;
  measured.rteSeconds = model.rteSeconds;
  if (metrics.attack) {
    measured.attackSuccess = metrics.attack->nonTargetPercent;
    measured.attackSuccessAll = metrics.attack->allPercent;
  }
  measured.originalTestAccuracy = model.originalTestAccuracy;
  measured.originalAttackSuccess = model.originalAttackSuccess;
  return measured;
}

json evaluationResultsJson(const EvaluatedModel& model, const EvaluationMetrics& metrics) {
  json out;
  out["method"] = model.method;
  out["protocol"] = model.protocol;
  out["dataset"] = model.meta.dataset;
  out["arch"] = model.meta.arch;
  // The trial's seed: it drew a random forget set, and with --reference-split-seed the split D_r
  // and D_f come from (docs/reference-behaviour.md §3.3).
  out["seed"] = model.forgetSet.request.seed;
  out["sparsity"] = model.sparsityPercent;
  const Measurements measured = measurementsOf(model, metrics);
  for (const Metric& metric : metricTable()) {
    if (metric.transfer) continue;  // the campaign's transfer runs measure it
    const std::optional<double> value = metric.compute(measured);
    out[metric.key] = value ? json(*value) : json(nullptr);
  }
  out["mia"] = percentScores(metrics.mia.efficacy);
  out["privacy_mia"] = percentScores(metrics.mia.privacy);
  out["world_size"] = model.meta.worldSize;  // ranks that produced the model
  out["evaluation_world_size"] = model.evaluationWorldSize;
  out["config_hash"] = model.meta.configHash;
  out["code_version"] = codeVersion();
  out["checkpoint"] = model.checkpointPath;
  out["checkpoint_kind"] = model.meta.kind;
  const ForgetSet& set = model.forgetSet;
  out["forget"] = {{"mode", set.request.mode},
                   {"class", set.request.forgetClasses},
                   {"count", set.request.count},
                   {"whole_class", set.wholeClass},
                   {"split_seed", set.splitSeed}};
  if (set.poisoning.enabled()) {
    const PoisonOptions& poison = set.poisoning.options;
    out["backdoor"] = {{"target", poison.target},
                       {"trigger",
                        {{"size", poison.trigger.size},
                         {"margin", poison.trigger.margin},
                         {"value", poison.trigger.value}}},
                       {"poisoned_samples", set.poisoning.ids.size()}};
  }
  out["sizes"] = {{"forget", metrics.sizes.forget},
                  {"retain", metrics.sizes.retain},
                  {"test", metrics.sizes.test},
                  {"val", metrics.sizes.val}};
  out["m_entropy"] = model.mEntropy;
  out["device"] = model.device;
  out["timing_s"] = {{"inference", metrics.inferenceSeconds}, {"attacks", metrics.attackSeconds}};
  out["inputs"] = model.inputs;
  return out;
}

std::optional<json> upToDateResults(const std::string& path, const json& inputs) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    json stored = readJsonFile(path);
    if (stored.is_object() && stored.value("inputs", json()) == inputs) return stored;
  } catch (const InputError&) {
    // A damaged results file is recomputed and replaced.
  }
  return std::nullopt;
}

std::string upToDateNote(const json& stored) {
  const std::string computedBy = textField(stored, "code_version", "an unrecorded code version");
  if (computedBy == codeVersion()) return " (up to date, not recomputed)";
  return " (up to date, not recomputed; computed by " + computedBy + ", this is " + codeVersion() +
         ": --force recomputes)";
}

std::string evaluationSummary(const json& results) {
  const auto text = [&](const char* key) { return textField(results, key, "?"); };
  const auto sparsity = results.find("sparsity");
  char percent[32] = "?";
  if (sparsity != results.end() && sparsity->is_number()) {
    std::snprintf(percent, sizeof percent, "%.1f", sparsity->get<double>());
  }
  std::string line = text("method") + " on " + text("dataset") + "/" + text("arch") + " (" +
                     percent + "% sparse):";
  // A metric the file lacks is left out (RTE of an original model, ASR of a clean one).
  for (const Metric& metric : metricTable()) {
    const std::optional<double> value = readMetric(results, metric);
    if (metric.summarised && value) line += " " + metric.title + " " + formatMetric(value);
  }
  return line;
}

}  // namespace mu
