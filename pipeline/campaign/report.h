#pragma once
// `mu-campaign report`: every evaluation.json under ROOT/unlearn/ aggregated into the paper's
// table layout: for each dataset / arch / forget mode, rows method x sparsity, columns UA,
// MIA-Efficacy, RA, TA, RTE as mean ± sample standard deviation over seeds, plus the gap to
// Retrain (mean |difference| over UA, MIA-Efficacy, RA, TA at the same sparsity), which the
// paper's claim is about: sparsity should shrink it. Written as Markdown, CSV and an SVG of the
// four accuracies against sparsity.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mu::campaign {

struct EvaluationRecord {
  std::string dataset, arch, forget, method, sparsityLabel;
  double sparsity = 0;  // fraction of pruned weights
  int64_t seed = 0;
  std::map<std::string, double> metrics;  // UA, MIA_efficacy, RA, TA, RTE_s
};

struct MetricSummary {
  double mean = 0;
  double std = 0;  // sample (n - 1); 0 for one seed
  int count = 0;
};

struct ReportRow {
  std::string dataset, arch, forget, method, sparsityLabel;
  double sparsity = 0;
  std::vector<int64_t> seeds;
  std::map<std::string, MetricSummary> metrics;
  double gapToRetrain = -1;  // -1: no Retrain row at this sparsity, or this is Retrain
};

// The metric keys of evaluation.json in column order, and their column titles.
const std::vector<std::string>& reportMetrics();
std::string metricTitle(const std::string& key);

// Reads ROOT/unlearn/*/evaluation.json; labels missing there (forget mode, sparsity label) come
// from ROOT/manifest.jsonl when the campaign wrote one.
std::vector<EvaluationRecord> collectEvaluations(const std::string& root);
std::vector<ReportRow> aggregate(const std::vector<EvaluationRecord>& records);

std::string markdownTable(const std::vector<ReportRow>& rows);
std::string csvTable(const std::vector<ReportRow>& rows);
std::string svgPlot(const std::vector<ReportRow>& rows);

}  // namespace mu::campaign
