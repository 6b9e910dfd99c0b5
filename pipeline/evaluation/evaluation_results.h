#pragma once
// The results file of one evaluated model (one JSON document, fields in docs below) and the
// console line that summarises it. Percent wherever the paper uses percent.
//
//   method, protocol, dataset, arch, seed, sparsity, UA, RA, TA, val_acc, MIA_efficacy,
//   mia {correctness, confidence, entropy, m_entropy, prob}, privacy_mia {same}, RTE_s,
//   world_size, evaluation_world_size, config_hash, code_version, checkpoint, checkpoint_kind,
//   forget {...}, sizes {forget, retain, test, val}, m_entropy, device, timing_s {...}, inputs
//   {...}; a backdoored model adds ASR, ASR_all, TA_original, ASR_original and backdoor {target,
//   trigger, poisoned_samples}
//
// `inputs` identifies what was evaluated (digests of the checkpoint, the forget set and the data,
// and the options that change results): a rerun with equal inputs has nothing to recompute.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/evaluation/evaluation_report.h"
#include "pipeline/metrics/metric_table.h"

namespace mu {

// What the results hold besides the metrics.
struct EvaluatedModel {
  std::string method = "original";   // the unlearning method, or "original" for a trained model
  std::optional<double> rteSeconds;  // the unlearning run's RTE; none for an original model
  // A backdoor cleanse: the original model's clean test accuracy and attack success rate, as the
  // unlearning run measured them before it unlearned.
  std::optional<double> originalTestAccuracy;
  std::optional<double> originalAttackSuccess;
  std::string protocol = "clean";  // the unlearning run's (reference_protocol.h)
  CheckpointMeta meta;
  std::string checkpointPath;
  double sparsityPercent = 0;  // of the prunable (conv) weights, from the masks
  ForgetSet forgetSet;
  std::string mEntropy;  // the formula's option value
  std::string device = "cpu";
  int evaluationWorldSize = 1;
  nlohmann::json inputs;
};

// What the metric table computes its metrics from.
Measurements measurementsOf(const EvaluatedModel& model, const EvaluationMetrics& metrics);

// Every metric of the metric table, the attacks' per-feature scores and the facts above.
nlohmann::json evaluationResultsJson(const EvaluatedModel& model, const EvaluationMetrics& metrics);

// The stored results when `path` holds a results file for exactly these inputs; nothing when it
// is missing, unreadable or about something else.
std::optional<nlohmann::json> upToDateResults(const std::string& path,
                                              const nlohmann::json& inputs);

// Why stored results were kept: " (up to date, not recomputed)". Results are up to date by their
// inputs alone, so a rebuilt program does not redo a campaign's evaluations; when another code
// version computed them, the note names it and how to recompute (--force).
std::string upToDateNote(const nlohmann::json& stored);

// "ft on fashion-mnist/resnet20s (95.0% sparse): UA 4.12 MIA-Efficacy 9.87 RA 98.10 TA 91.33
//  RTE (s) 12.30": the metric table's summarised metrics, "–" for one the file lacks.
std::string evaluationSummary(const nlohmann::json& results);

}  // namespace mu
