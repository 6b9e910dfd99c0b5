// Markdown and CSV forms of the report (report.h).
#include <cstdio>

#include "pipeline/campaign/report.h"

namespace mu::campaign {

namespace {

std::string fixed(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", value);
  return text;
}

std::string methodTitle(const std::string& method) {
  if (method == "retrain") return "Retrain";
  if (method == "l1-sparse") return "l1-sparse";
  std::string title = method;
  for (char& c : title) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return title;
}

std::string sectionOf(const ReportRow& row) {
  return row.dataset + ", " + row.arch + (row.forget.empty() ? "" : ", forget " + row.forget);
}

std::string seedList(const ReportRow& row) {
  std::string seeds;
  for (int64_t seed : row.seeds) seeds += (seeds.empty() ? "" : " ") + std::to_string(seed);
  return seeds;
}

}  // namespace

std::string markdownTable(const std::vector<ReportRow>& rows) {
  std::string text;
  std::string section;
  for (const ReportRow& row : rows) {
    if (sectionOf(row) != section) {
      section = sectionOf(row);
      text += (text.empty() ? "" : "\n") + std::string("### ") + section + "\n\n";
      text += "| Method | Model |";
      for (const std::string& metric : reportMetrics()) text += " " + metricTitle(metric) + " |";
      text += " Gap to Retrain | Seeds |\n|---|---|";
      for (size_t i = 0; i < reportMetrics().size(); ++i) text += "---:|";
      text += "---:|---|\n";
    }
    text += "| " + methodTitle(row.method) + " | " + row.sparsityLabel + " |";
    for (const std::string& metric : reportMetrics()) {
      const MetricSummary& summary = row.metrics.at(metric);
      text += " " + fixed(summary.mean) + " ± " + fixed(summary.std) + " |";
    }
    text += " " + (row.gapToRetrain < 0 ? std::string("-") : fixed(row.gapToRetrain)) + " | " +
            seedList(row) + " |\n";
  }
  return text.empty() ? "No evaluation.json found.\n" : text;
}

std::string csvTable(const std::vector<ReportRow>& rows) {
  std::string text = "dataset,arch,forget,method,sparsity,seeds";
  for (const std::string& metric : reportMetrics()) {
    text += "," + metric + "_mean," + metric + "_std";
  }
  text += ",gap_to_retrain\n";
  for (const ReportRow& row : rows) {
    char sparsity[32];
    std::snprintf(sparsity, sizeof(sparsity), "%g", row.sparsity);
    // Every field is a plain word: names come from the known lists, numbers are numbers.
    text += row.dataset + "," + row.arch + "," + row.forget + "," + row.method + "," + sparsity +
            "," + std::to_string(row.seeds.size());
    for (const std::string& metric : reportMetrics()) {
      const MetricSummary& summary = row.metrics.at(metric);
      text += "," + fixed(summary.mean) + "," + fixed(summary.std);
    }
    text += "," + (row.gapToRetrain < 0 ? std::string() : fixed(row.gapToRetrain)) + "\n";
  }
  return text;
}

}  // namespace mu::campaign
