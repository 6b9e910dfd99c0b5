#include "pipeline/campaign/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "pipeline/campaign/spec.h"
#include "pipeline/io/json_file.h"
#include "pipeline/io/text_file.h"
#include "pipeline/metrics/metric_table.h"
#include "pipeline/runs/run_folder.h"

namespace mu::campaign {

namespace fs = std::filesystem;

namespace {

// What ROOT's manifest says about the unlearning runs and the transfers chained after them.
struct ManifestFacts {
  std::map<std::string, nlohmann::json> labels;  // unlearn hash (its folder's name) -> labels
  std::map<std::string, std::string> model;  // unlearn hash -> the task of the model it unlearned
  // Source task hash -> mu-transfer --mode -> the transfer's run folder.
  std::map<std::string, std::map<std::string, std::string>> transfers;
};

ManifestFacts readManifestFacts(const std::string& root) {
  ManifestFacts facts;
  std::ifstream in(root + "/manifest.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json task = nlohmann::json::parse(line, nullptr, false);
    const std::string stage = stringField(task, "stage");
    const std::string hash = stringField(task, "hash");
    const nlohmann::json parents = task.value("parents", nlohmann::json::array());
    const std::string parent =
        parents.is_array() && !parents.empty() && parents[0].is_string() ? parents[0] : "";
    if (stage == "unlearn" && task.contains("labels")) {
      facts.labels[hash] = task["labels"];
      facts.model[hash] = parent;
    } else if (stage == "transfer" && task.contains("labels")) {
      const nlohmann::json& labels = task["labels"];
      if (labels.contains("transfer_mode") && labels["transfer_mode"].is_string()) {
        facts.transfers[parent][labels["transfer_mode"].get<std::string>()] =
            stringField(task, "run_dir");
      }
    }
  }
  return facts;
}

// The target task's test accuracy of the transfer `metric` names, for the unlearning run `hash`:
// none when the campaign chained no such transfer or it has not finished.
std::optional<double> transferAccuracy(const ManifestFacts& facts, const std::string& hash,
                                       const TransferSource& source) {
  std::string from = hash;
  if (source.original) {
    const auto model = facts.model.find(hash);
    if (model == facts.model.end()) return std::nullopt;
    from = model->second;
  }
  const auto byMode = facts.transfers.find(from);
  if (byMode == facts.transfers.end()) return std::nullopt;
  const auto run = byMode->second.find(source.mode);
  if (run == byMode->second.end()) return std::nullopt;
  const std::string results = runs::TransferFolder(run->second).results();
  if (!fs::exists(results)) return std::nullopt;
  const nlohmann::json document = readJsonFile(results);
  const auto accuracy = document.find("test_accuracy");
  if (accuracy == document.end() || !accuracy->is_number()) return std::nullopt;
  return accuracy->get<double>();
}

std::string sparsityLabel(double sparsity) {
  if (sparsity <= 0) return "dense";
  char text[32];
  // Three digits: a measured 95.00015 % reads as the 95 % it was pruned to.
  std::snprintf(text, sizeof(text), "%.3g%% sparse", 100 * sparsity);
  return text;
}

// The campaign's forget label ("class-0", "random-540", ForgetSpec::label) from the forget
// request an evaluation records, for results whose task is not in ROOT's manifest (a root
// written by older versions, which kept only the last spec's manifest, or results placed there
// without mu-campaign).
std::string forgetLabel(const nlohmann::json& forget) {
  if (!forget.is_object() || !forget.contains("mode") || !forget["mode"].is_string()) return "";
  const std::string mode = forget["mode"].get<std::string>();
  const char* valueKey = mode == "class" ? "class" : mode == "random" ? "count" : nullptr;
  if (valueKey == nullptr || !forget.contains(valueKey)) return mode;
  const nlohmann::json& value = forget[valueKey];
  ForgetSpec spec;
  spec.mode = mode;
  if (value.is_number_integer()) {
    spec.classes = {value.get<int64_t>()};
    spec.count = value.get<int64_t>();  // label() reads the one its mode uses
  } else if (mode == "class" && value.is_array() && !value.empty()) {
    for (const nlohmann::json& forgotten : value) {  // several classes
      if (!forgotten.is_number_integer()) return mode;
      spec.classes.push_back(forgotten.get<int64_t>());
    }
  } else {
    return mode;
  }
  return spec.label();
}

EvaluationRecord readRecord(const std::string& path, const nlohmann::json& labels) {
  const nlohmann::json evaluation = readJsonFile(path);
  EvaluationRecord record;
  auto text = [&](const char* key, const char* fallback) {
    if (labels.contains(key)) return labels[key].get<std::string>();
    if (evaluation.contains(key) && evaluation[key].is_string())
      return evaluation[key].get<std::string>();
    return std::string(fallback);
  };
  record.dataset = text("dataset", "?");
  record.arch = text("arch", "?");
  record.forget = labels.contains("forget")
                      ? labels["forget"].get<std::string>()
                      : forgetLabel(evaluation.value("forget", nlohmann::json()));
  record.method = text("method", "?");
  record.setting = text("setting", "");
  record.protocol = text("protocol", "clean");
  // Sparsity as a fraction; a value over 1 is read as a percentage.
  double sparsity = labels.value("sparsity_fraction", evaluation.value("sparsity", 0.0));
  if (sparsity > 1) sparsity /= 100;
  record.sparsity = sparsity;
  record.sparsityLabel = sparsityLabel(sparsity);
  record.seed = labels.value("seed", evaluation.value("seed", int64_t{0}));
  for (const Metric& metric : metricTable())
    record.metrics[metric.key] = readMetric(evaluation, metric);
  return record;
}

// Position in mu-unlearn's registry; unknown methods after it.
int methodRank(const std::string& method, const std::vector<UnlearningMethodInfo>& methods) {
  const auto found =
      std::find_if(methods.begin(), methods.end(),
                   [&](const UnlearningMethodInfo& info) { return info.name == method; });
  return static_cast<int>(found - methods.begin());
}

const UnlearningMethodInfo* methodInfo(const std::string& method,
                                       const std::vector<UnlearningMethodInfo>& methods) {
  const int rank = methodRank(method, methods);
  return rank < static_cast<int>(methods.size()) ? &methods[static_cast<size_t>(rank)] : nullptr;
}

MetricSummary summarise(const std::vector<double>& values) {
  MetricSummary summary;
  summary.count = static_cast<int>(values.size());
  if (values.empty()) return summary;
  for (double value : values) summary.mean += value;
  summary.mean /= static_cast<double>(values.size());
  if (values.size() > 1) {
    double squares = 0;
    for (double value : values) squares += (value - summary.mean) * (value - summary.mean);
    summary.std = std::sqrt(squares / static_cast<double>(values.size() - 1));
  }
  return summary;
}

// Mean |difference| over the gap metrics; none when either row lacks one.
double gapBetween(const ReportRow& row, const ReportRow& exact) {
  double gap = 0;
  int count = 0;
  for (const Metric& metric : metricTable()) {
    if (!metric.inGap) continue;
    const MetricSummary& mine = row.metrics.at(metric.key);
    const MetricSummary& theirs = exact.metrics.at(metric.key);
    if (mine.count == 0 || theirs.count == 0) return -1;
    gap += std::fabs(mine.mean - theirs.mean);
    ++count;
  }
  return count > 0 ? gap / count : -1;
}

}  // namespace

std::vector<EvaluationRecord> collectEvaluations(const std::string& root) {
  const ManifestFacts facts = readManifestFacts(root);
  std::vector<EvaluationRecord> records;
  const fs::path unlearn = fs::path(root) / "unlearn";
  if (!fs::is_directory(unlearn)) return records;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(unlearn)) folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    const fs::path file = runs::UnlearnFolder(folder.string()).evaluation();
    if (!fs::exists(file)) continue;
    const std::string hash = folder.filename().string();
    const auto found = facts.labels.find(hash);
    records.push_back(readRecord(
        file.string(), found == facts.labels.end() ? nlohmann::json::object() : found->second));
    for (const Metric& metric : metricTable()) {
      if (metric.transfer) {
        records.back().metrics[metric.key] = transferAccuracy(facts, hash, *metric.transfer);
      }
    }
  }
  return records;
}

std::vector<const Metric*> shownMetrics(const std::vector<ReportRow>& rows, bool Metric::*flag) {
  std::vector<const Metric*> shown;
  for (const Metric& metric : metricTable()) {
    const bool valued = std::any_of(rows.begin(), rows.end(), [&](const ReportRow& row) {
      return row.metrics.at(metric.key).count > 0;
    });
    if (metric.*flag && valued) shown.push_back(&metric);
  }
  return shown;
}

std::vector<ReportRow> aggregate(const std::vector<EvaluationRecord>& records,
                                 const std::vector<UnlearningMethodInfo>& methods) {
  using Key = std::tuple<std::string, std::string, std::string, std::string, int, std::string,
                         std::string, double>;
  std::map<Key, std::vector<const EvaluationRecord*>> groups;
  for (const EvaluationRecord& record : records) {
    groups[Key{record.dataset, record.arch, record.forget, record.protocol,
               methodRank(record.method, methods), record.method, record.setting, record.sparsity}]
        .push_back(&record);
  }
  std::vector<ReportRow> rows;
  for (const auto& [key, members] : groups) {
    ReportRow row;
    row.dataset = std::get<0>(key);
    row.arch = std::get<1>(key);
    row.forget = std::get<2>(key);
    row.protocol = std::get<3>(key);
    row.method = std::get<5>(key);
    const UnlearningMethodInfo* info = methodInfo(row.method, methods);
    row.setting = std::get<6>(key);
    row.methodTitle =
        (info ? info->title : row.method) + (row.setting.empty() ? "" : " (" + row.setting + ")");
    row.sparsity = std::get<7>(key);
    row.sparsityLabel = members.front()->sparsityLabel;
    for (const EvaluationRecord* record : members) row.seeds.push_back(record->seed);
    std::sort(row.seeds.begin(), row.seeds.end());
    for (const Metric& metric : metricTable()) {
      std::vector<double> values;
      for (const EvaluationRecord* record : members) {
        const auto found = record->metrics.find(metric.key);
        if (found != record->metrics.end() && found->second) values.push_back(*found->second);
      }
      row.metrics[metric.key] = summarise(values);
    }
    rows.push_back(std::move(row));
  }
  const auto isExact = [&](const ReportRow& row) {
    const UnlearningMethodInfo* info = methodInfo(row.method, methods);
    return info != nullptr && info->exact;
  };
  for (ReportRow& row : rows) {
    if (isExact(row)) continue;
    for (const ReportRow& exact : rows) {
      // Against the exact method's first setting when it was swept too.
      if (isExact(exact) && row.gapToRetrain < 0 && exact.dataset == row.dataset &&
          exact.arch == row.arch && exact.forget == row.forget && exact.protocol == row.protocol &&
          exact.sparsity == row.sparsity) {
        row.gapToRetrain = gapBetween(row, exact);
      }
    }
  }
  return rows;
}

}  // namespace mu::campaign
