#pragma once
// The paper's metrics, declared once. Each entry says what its field in evaluation.json is
// called, how it is titled, whether it is a column of the campaign report, enters the gap to the
// exact method (Retrain), is a panel of the report's plot or a figure of mu-evaluate's summary
// line, and how it is computed from what an evaluation measured. The results writer, the summary
// line, the report's table, CSV and plot all iterate this table, so a new metric is one entry
// here (plus the measurement it needs). A results file written before a metric existed simply
// lacks it: the report shows "–" there and nothing is recomputed unless asked (--force).

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mu {

// What one evaluation measured (docs/reference-behaviour.md §7.1, §7.2); every metric is computed
// from it.
struct Measurements {
  double forgetAccuracy = 0;  // percent correct on D_f
  double retainAccuracy = 0;  // on D_r
  double testAccuracy = 0;    // on D_te (class-wise forgetting: without the forgotten class)
  double valAccuracy = 0;     // on D_val
  // The fraction of D_f that the confidence-feature SVC attack calls non-members.
  double miaConfidenceNonMembers = 0;
  std::optional<double> rteSeconds;  // the unlearning run's; none for an original model
  // A backdoored model only (docs/reference-behaviour.md §9.1): the attack's success rate on the
  // triggered test set, over the other classes' images and over all of them, and the original
  // model's clean test accuracy and success rate before unlearning (from the unlearning run).
  std::optional<double> attackSuccess;
  std::optional<double> attackSuccessAll;
  std::optional<double> originalTestAccuracy;
  std::optional<double> originalAttackSuccess;
};

// Where a transfer metric's value comes from: the test accuracy on the target task of the
// mu-transfer run of this --mode that a campaign chained after the unlearning run, or after the
// model it unlearned (`original`). The campaign report reads those runs; mu-evaluate never
// measures it.
struct TransferSource {
  std::string mode;  // mu-transfer --mode
  bool original = false;
};

struct Metric {
  std::string key;    // its field in evaluation.json, e.g. "MIA_efficacy"
  std::string title;  // as tables and the summary line print it, e.g. "MIA-Efficacy"
  bool reported;      // a column of the campaign report's table and CSV
  bool inGap;         // one of the metrics the gap to the exact method averages
  bool plotted;       // a panel of the report's plot (against sparsity)
  bool summarised;    // in mu-evaluate's summary line
  // None where the evaluation did not measure it (written as null).
  std::function<std::optional<double>(const Measurements&)> compute;
  std::optional<TransferSource> transfer;  // a transfer metric (its compute gives none)
};

// In column order. Reports leave out a column no row has a value for, so the backdoor's columns
// appear in backdoor campaigns only.
const std::vector<Metric>& metricTable();

// A metric's value in a results document: none when the document predates the metric or holds
// no number there.
std::optional<double> readMetric(const nlohmann::json& results, const Metric& metric);

// "12.34", or "–" for none: how reports and the summary line print a value.
std::string formatMetric(std::optional<double> value);

}  // namespace mu
