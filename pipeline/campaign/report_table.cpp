// Markdown and CSV forms of the report (report.h): one column per reported metric of the metric
// table that some row has; "–" where a cell has no value, "± –" where it has one seed (no spread
// to show).
#include <cstdio>

#include "pipeline/campaign/report.h"
#include "pipeline/metrics/metric_table.h"

namespace mu::campaign {

namespace {

std::string fixed(double value) {
  return formatMetric(value);
}

std::string sectionOf(const ReportRow& row) {
  return row.dataset + ", " + row.arch + (row.forget.empty() ? "" : ", forget " + row.forget) +
         (row.protocol == "clean" ? "" : ", " + row.protocol + " protocol");
}

std::string seedList(const ReportRow& row) {
  std::string seeds;
  for (int64_t seed : row.seeds) seeds += (seeds.empty() ? "" : " ") + std::to_string(seed);
  return seeds;
}

std::string markdownCell(const MetricSummary& summary) {
  if (summary.count == 0) return "–";
  return fixed(summary.mean) + " ± " + (summary.count > 1 ? fixed(summary.std) : "–");
}

std::string gapText(const ReportRow& row, const std::string& none) {
  return row.gapToRetrain < 0 ? none : fixed(row.gapToRetrain);
}

// "iu", or with a swept setting "iu[iu-alpha=0.01;iu-augment=true]": still one plain field.
std::string csvMethod(const ReportRow& row) {
  if (row.setting.empty()) return row.method;
  std::string setting;
  for (size_t at = 0; at < row.setting.size(); ++at) {
    if (row.setting.compare(at, 2, ", ") == 0) {
      setting += ';';
      ++at;
    } else {
      setting += row.setting[at] == ' ' ? '=' : row.setting[at];
    }
  }
  return row.method + "[" + setting + "]";
}

}  // namespace

std::string markdownTable(const std::vector<ReportRow>& rows) {
  const std::vector<const Metric*> columns = shownMetrics(rows, &Metric::reported);
  std::string text;
  std::string section;
  for (const ReportRow& row : rows) {
    if (sectionOf(row) != section) {
      section = sectionOf(row);
      text += (text.empty() ? "" : "\n") + std::string("### ") + section + "\n\n";
      text += "| Method | Model |";
      std::string rule = "|---|---|";
      for (const Metric* metric : columns) {
        text += " " + metric->title + " |";
        rule += "---:|";
      }
      text += " Gap to Retrain | Seeds |\n" + rule + "---:|---|\n";
    }
    text += "| " + row.methodTitle + " | " + row.sparsityLabel + " |";
    for (const Metric* metric : columns)
      text += " " + markdownCell(row.metrics.at(metric->key)) + " |";
    text += " " + gapText(row, "–") + " | " + seedList(row) + " |\n";
  }
  return text.empty() ? "No evaluation.json found.\n" : text;
}

std::string csvTable(const std::vector<ReportRow>& rows) {
  const std::vector<const Metric*> columns = shownMetrics(rows, &Metric::reported);
  std::string text = "dataset,arch,forget,method,sparsity,seeds";
  for (const Metric* metric : columns) text += "," + metric->key + "_mean," + metric->key + "_std";
  text += ",gap_to_retrain\n";
  for (const ReportRow& row : rows) {
    char sparsity[32];
    std::snprintf(sparsity, sizeof(sparsity), "%g", row.sparsity);
    // Every field is a plain word: names come from the registries, numbers are numbers; a value
    // that is not there (or a spread of one seed) is an empty field.
    text += row.dataset + "," + row.arch + "," + row.forget + "," + csvMethod(row) + "," +
            sparsity + "," + std::to_string(row.seeds.size());
    for (const Metric* metric : columns) {
      const MetricSummary& summary = row.metrics.at(metric->key);
      text += "," + (summary.count > 0 ? fixed(summary.mean) : std::string()) + "," +
              (summary.count > 1 ? fixed(summary.std) : std::string());
    }
    text += "," + gapText(row, "") + "\n";
  }
  return text;
}

}  // namespace mu::campaign
