#include "pipeline/metrics/metric_table.h"

#include <cstdio>

namespace mu {

const std::vector<Metric>& metricTable() {
  using M = Measurements;
  static const std::vector<Metric> table{
      // Unlearning accuracy: how much of D_f the model no longer gets right.
      {"UA", "UA", true, true, true, true,
       [](const M& m) { return std::optional<double>(100.0 - m.forgetAccuracy); }},
      // MIA-Efficacy: the confidence attack's share of D_f taken for non-members (issue #11 of
      // the reference: the "confidence" entry).
      {"MIA_efficacy", "MIA-Efficacy", true, true, true, true,
       [](const M& m) { return std::optional<double>(100.0 * m.miaConfidenceNonMembers); }},
      {"RA", "RA", true, true, true, true,
       [](const M& m) { return std::optional<double>(m.retainAccuracy); }},
      {"TA", "TA", true, true, true, true,
       [](const M& m) { return std::optional<double>(m.testAccuracy); }},
      {"val_acc", "Val", false, false, false, false,
       [](const M& m) { return std::optional<double>(m.valAccuracy); }},
      // Run-time efficiency: read from the unlearning run, not measured here.
      {"RTE_s", "RTE (s)", true, false, false, true, [](const M& m) { return m.rteSeconds; }},
      // Backdoor cleanse: TA is then the clean test accuracy (every class). ASR is the customary
      // rate (triggered images of the other classes predicted as the target); ASR-all is the
      // reference's attack_acc (every test image triggered and relabelled).
      {"ASR", "ASR", true, false, true, true, [](const M& m) { return m.attackSuccess; }},
      {"ASR_all", "ASR-all", true, false, false, false,
       [](const M& m) { return m.attackSuccessAll; }},
      {"TA_original", "TA before", true, false, false, false,
       [](const M& m) { return m.originalTestAccuracy; }},
      {"ASR_original", "ASR before", true, false, true, false,
       [](const M& m) { return m.originalAttackSuccess; }},
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
