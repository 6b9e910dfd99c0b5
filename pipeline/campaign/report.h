#pragma once
// `mu-campaign report`: every evaluation.json under ROOT/unlearn/ aggregated into the paper's
// table layout: for each dataset / arch / forget mode, rows method x sparsity, a column per
// reported metric of the metric table (metrics/metric_table.h: UA, MIA-Efficacy, RA, TA, RTE) as
// mean ± sample standard deviation over seeds, plus the gap to the exact method, Retrain (mean
// |difference| over the metric table's gap metrics at the same sparsity), which the paper's claim
// is about: sparsity should shrink it. Written as Markdown, CSV and an SVG of the plotted metrics
// against sparsity. Methods are ordered and titled as mu-unlearn registers them.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/campaign/catalogue.h"
#include "pipeline/metrics/metric_table.h"

namespace mu::campaign {

struct EvaluationRecord {
  std::string dataset, arch, forget, method, sparsityLabel;
  std::string setting;  // MethodSpec::setting where a campaign swept the method's options
  std::string protocol = "clean";
  double sparsity = 0;  // fraction of pruned weights
  int64_t seed = 0;
  // Every metric of the metric table; none where the file predates it.
  std::map<std::string, std::optional<double>> metrics;
};

struct MetricSummary {
  double mean = 0;
  double std = 0;  // sample (n - 1); 0 for one seed
  int count = 0;   // seeds with a value (0: none, printed "–")
};

struct ReportRow {
  std::string dataset, arch, forget, method, setting, sparsityLabel;
  std::string protocol = "clean";  // a section of its own per protocol
  std::string methodTitle;         // the registry's title, and the setting: "IU (iu-alpha 0.01)"
  double sparsity = 0;
  std::vector<int64_t> seeds;
  std::map<std::string, MetricSummary> metrics;  // every reported metric
  double gapToRetrain = -1;  // -1: none (no exact row here, this is it, or a gap metric missing)
};

// Reads ROOT/unlearn/*/evaluation.json; labels missing there (forget mode, sparsity label) come
// from ROOT/manifest.jsonl when the campaign wrote one.
std::vector<EvaluationRecord> collectEvaluations(const std::string& root);
// `methods`: mu-unlearn's registry (Catalogue::methods()); methods it does not know come after
// its own, by name, titled by their name.
std::vector<ReportRow> aggregate(const std::vector<EvaluationRecord>& records,
                                 const std::vector<UnlearningMethodInfo>& methods);

// The metrics of the metric table with `flag` set (Metric::reported, Metric::plotted) that some
// row has a value for: a backdoor's columns appear where backdoors were evaluated.
std::vector<const Metric*> shownMetrics(const std::vector<ReportRow>& rows, bool Metric::*flag);

std::string markdownTable(const std::vector<ReportRow>& rows);
std::string csvTable(const std::vector<ReportRow>& rows);
std::string svgPlot(const std::vector<ReportRow>& rows);

}  // namespace mu::campaign
