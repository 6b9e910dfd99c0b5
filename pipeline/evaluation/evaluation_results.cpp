#include "pipeline/evaluation/evaluation_results.h"

#include <cstdio>
#include <filesystem>

#include "pipeline/code_version.h"
#include "pipeline/error.h"
#include "pipeline/json_file.h"

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

std::string formatNumber(const json& value, int decimals) {
  if (!value.is_number()) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value.get<double>());
  return text;
}

}  // namespace

json evaluationResultsJson(const EvaluatedModel& model, const EvaluationMetrics& metrics) {
  json out;
  out["method"] = model.method;
  out["dataset"] = model.meta.dataset;
  out["arch"] = model.meta.arch;
  // The trial's seed: it drew the forget set and the split D_r and D_f come from (spec §3.3).
  out["seed"] = model.forgetSet.request.seed;
  out["sparsity"] = model.sparsityPercent;
  out["UA"] = metrics.unlearningAccuracy();
  out["RA"] = metrics.retainAccuracy;
  out["TA"] = metrics.testAccuracy;
  out["val_acc"] = metrics.valAccuracy;
  out["MIA_efficacy"] = metrics.miaEfficacy();
  out["mia"] = percentScores(metrics.mia.efficacy);
  out["privacy_mia"] = percentScores(metrics.mia.privacy);
  out["RTE_s"] = model.rteSeconds ? json(*model.rteSeconds) : json(nullptr);
  out["world_size"] = model.meta.worldSize;  // ranks that produced the model
  out["evaluation_world_size"] = model.evaluationWorldSize;
  out["config_hash"] = model.meta.configHash;
  out["code_version"] = codeVersion();
  out["checkpoint"] = model.checkpointPath;
  out["checkpoint_kind"] = model.meta.kind;
  const ForgetSet& set = model.forgetSet;
  out["forget"] = {{"mode", set.request.mode},
                   {"class", set.request.forgetClass},
                   {"count", set.request.count},
                   {"whole_class", set.wholeClass},
                   {"split_seed", set.splitSeed}};
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
  const auto field = [&](const char* key) {
    const auto found = results.find(key);
    return found == results.end() ? json() : *found;
  };
  const auto text = [&](const char* key) { return textField(results, key, "?"); };
  const auto number = [&](const char* key, int decimals = 2) {
    return formatNumber(field(key), decimals);
  };
  return text("method") + " on " + text("dataset") + "/" + text("arch") + " (" +
         number("sparsity", 1) + "% sparse): UA " + number("UA") + " RA " + number("RA") + " TA " +
         number("TA") + " MIA-Efficacy " + number("MIA_efficacy") + " RTE " + number("RTE_s", 1) +
         " s";
}

}  // namespace mu
