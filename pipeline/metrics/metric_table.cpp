#include "pipeline/metrics/metric_table.h"

#include <cstdio>

namespace mu {

namespace {

Metric transferMetric(const char* key, const char* title, TransferSource source) {
  const auto measuredByTransfers = [](const Measurements&) { return std::optional<double>(); };
  return {key, title, true, false, true, false, measuredByTransfers, source};
}

}  // namespace

const std::vector<Metric>& metricTable() {
  using M = Measurements;
  static const std::vector<Metric> table{
      // Unlearning accuracy: how much of D_f the model no longer gets right.
      {"UA", "UA", true, true, true, true,
       [](const M& m) { return std::optional<double>(100.0 - m.forgetAccuracy); }, std::nullopt},
      // MIA-Efficacy: the confidence attack's share of D_f taken for non-members (issue #11 of
      // the reference: the "confidence" entry).
      {"MIA_efficacy", "MIA-Efficacy", true, true, true, true,
       [](const M& m) { return std::optional<double>(100.0 * m.miaConfidenceNonMembers); },
       std::nullopt},
      {"RA", "RA", true, true, true, true,
       [](const M& m) { return std::optional<double>(m.retainAccuracy); }, std::nullopt},
      {"TA", "TA", true, true, true, true,
       [](const M& m) { return std::optional<double>(m.testAccuracy); }, std::nullopt},
      {"val_acc", "Val", false, false, false, false,
       [](const M& m) { return std::optional<double>(m.valAccuracy); }, std::nullopt},
      // Run-time efficiency: read from the unlearning run, not measured here.
      {"RTE_s", "RTE (s)", true, false, false, true, [](const M& m) { return m.rteSeconds; },
       std::nullopt},
      // Backdoor cleanse: TA is then the clean test accuracy (every class). ASR is the customary
      // rate (triggered images of the other classes predicted as the target); ASR-all is the
      // reference's attack_acc (every test image triggered and relabelled).
      {"ASR", "ASR", true, false, true, true, [](const M& m) { return m.attackSuccess; },
       std::nullopt},
      {"ASR_all", "ASR-all", true, false, false, false,
       [](const M& m) { return m.attackSuccessAll; }, std::nullopt},
      {"TA_original", "TA before", true, false, false, false,
       [](const M& m) { return m.originalTestAccuracy; }, std::nullopt},
      {"ASR_original", "ASR before", true, false, true, false,
       [](const M& m) { return m.originalAttackSuccess; }, std::nullopt},
      // Transfer via source-class removal: the target task's test accuracy of the unlearned
      // model, and of the model before unlearning, fitted by a linear probe or by fine-tuning.
      transferMetric("transfer_LP", "LP target", {"linear-probe", false}),
      transferMetric("transfer_LP_original", "LP target before", {"linear-probe", true}),
      transferMetric("transfer_FT", "FT target", {"fine-tune", false}),
      transferMetric("transfer_FT_original", "FT target before", {"fine-tune", true}),
  };
  return table;
}

std::optional<double> readMetric(const nlohmann::json& results, const Metric& metric) {
  if (!results.is_object()) return std::nullopt;
  const auto found = results.find(metric.key);
  if (found == results.end() || !found->is_number()) return std::nullopt;
  return found->get<double>();
}

std::string formatMetric(std::optional<double> value) {
  if (!value) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", *value);
  return text;
}

}  // namespace mu
