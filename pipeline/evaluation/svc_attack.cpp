#include "pipeline/evaluation/svc_attack.h"

#include <ATen/Parallel.h>
#include <svm.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>
#include <utility>

#include "pipeline/base/error.h"

namespace mu {

namespace {

constexpr double kMemberLabel = 1.0;
constexpr double kNonMemberLabel = 0.0;

// libsvm prints solver progress to stdout by default; the stages own their output.
void discardLibsvmOutput(const char* /*text*/) {}

torch::Tensor featureMatrix(const torch::Tensor& features, const std::string& what) {
  if (!features.defined() || features.dim() != 2 || !features.is_floating_point())
    throw InputError("SVC attack: " + what + " must be a floating-point [N, d] matrix");
  if (features.size(0) > std::numeric_limits<int>::max())
    throw InputError("SVC attack: " + what + " has more rows than libsvm can index");
  torch::Tensor matrix = features.to(torch::kCPU, torch::kDouble).contiguous();
  if (matrix.numel() > 0 && !torch::isfinite(matrix).all().item<bool>())
    throw InputError("SVC attack: " + what + " has non-finite values");
  return matrix;
}

// Row `row` of a [N, d] double matrix as libsvm nodes: indices 1..d (zeros kept, as sklearn's
// dense libsvm keeps them) and the index -1 terminator.
void fillNodes(const double* values, int64_t dimension, svm_node* nodes) {
  for (int64_t j = 0; j < dimension; ++j) {
    nodes[j].index = static_cast<int>(j + 1);
    nodes[j].value = values[j];
  }
  nodes[dimension].index = -1;
  nodes[dimension].value = 0.0;
}

bool hasRows(const torch::Tensor& t) {
  return t.defined() && t.size(0) > 0;
}

}  // namespace

struct SvcClassifier::Training {
  std::vector<svm_node> nodes;
  std::vector<svm_node*> rows;
  std::vector<double> labels;
  svm_problem problem{};
  svm_parameter parameter{};
};

void SvcClassifier::ModelDeleter::operator()(svm_model* model) const {
  svm_free_and_destroy_model(&model);
}

SvcClassifier::SvcClassifier(const torch::Tensor& members, const torch::Tensor& nonMembers,
                             const SvcSettings& settings)
    : training_(std::make_unique<Training>()) {
  const torch::Tensor in = featureMatrix(members, "shadow members");
  const torch::Tensor out = featureMatrix(nonMembers, "shadow non-members");
  if (in.size(0) == 0 || out.size(0) == 0)
    throw InputError("SVC attack: the shadow set needs both members and non-members");
  if (in.size(1) < 1 || in.size(1) != out.size(1))
    throw InputError("SVC attack: shadow members and non-members must have the same d >= 1");
  dimension_ = in.size(1);
  const int64_t count = in.size(0) + out.size(0);
  if (count > std::numeric_limits<int>::max())
    throw InputError("SVC attack: the shadow set has more rows than libsvm can index");

  // Non-members first: libsvm then numbers the classes (0, 1) in the order sklearn's sorted
  // grouping does, so the solver sees the same sample order and breaks ties the same way.
  const torch::Tensor all = torch::cat({out, in});
  Training& t = *training_;
  t.nodes.resize(static_cast<size_t>(count * (dimension_ + 1)));
  t.rows.resize(static_cast<size_t>(count));
  t.labels.resize(static_cast<size_t>(count));
  const double* values = all.data_ptr<double>();
  for (int64_t i = 0; i < count; ++i) {
    svm_node* row = t.nodes.data() + i * (dimension_ + 1);
    fillNodes(values + i * dimension_, dimension_, row);
    t.rows[static_cast<size_t>(i)] = row;
    t.labels[static_cast<size_t>(i)] = i < out.size(0) ? kNonMemberLabel : kMemberLabel;
  }
  t.problem.l = static_cast<int>(count);
  t.problem.y = t.labels.data();
  t.problem.x = t.rows.data();

  svm_parameter& p = t.parameter;
  p.svm_type = C_SVC;
  p.kernel_type = RBF;
  p.degree = 3;
  p.gamma = 1.0 / static_cast<double>(dimension_);  // sklearn's gamma='auto'
  p.coef0 = 0.0;
  p.cache_size = settings.cacheMegabytes;
  p.eps = settings.tolerance;
  p.C = settings.c;
  p.nr_weight = 0;
  p.weight_label = nullptr;
  p.weight = nullptr;
  p.nu = 0.5;
  p.p = 0.1;
  p.shrinking = settings.shrinking ? 1 : 0;
  p.probability = 0;
  if (const char* problem = svm_check_parameter(&t.problem, &p))
    throw SystemError(std::string("svm_check_parameter (svc_attack.cpp): ") + problem);

  // Once per process: libsvm keeps the print function in a global, and attacks may be fitted
  // on several threads at once (svm_train itself keeps no other global state).
  static std::once_flag quietLibsvm;
  std::call_once(quietLibsvm, [] { svm_set_print_string_function(&discardLibsvmOutput); });
  model_.reset(svm_train(&t.problem, &p));
  if (!model_) throw SystemError("svm_train (svc_attack.cpp) returned no model");
  if (model_->nr_class != 2)
    throw SystemError("svm_train (svc_attack.cpp) returned a model of " +
                      std::to_string(model_->nr_class) + " classes, expected 2");
  // The support vectors as one dense [l, d] block for decide(); their nodes are dense rows of d
  // (fillNodes), so node j holds feature j.
  supportValues_.resize(static_cast<size_t>(model_->l * dimension_));
  for (int k = 0; k < model_->l; ++k) {
    for (int64_t j = 0; j < dimension_; ++j)
      supportValues_[static_cast<size_t>(k * dimension_ + j)] = model_->SV[k][j].value;
  }
}

SvcClassifier::~SvcClassifier() = default;
SvcClassifier::SvcClassifier(SvcClassifier&&) noexcept = default;
SvcClassifier& SvcClassifier::operator=(SvcClassifier&&) noexcept = default;

int SvcClassifier::supportVectorCount() const {
  return svm_get_nr_sv(model_.get());
}

std::vector<int> SvcClassifier::predict(const torch::Tensor& features) const {
  return predictRows(features, [this](const double* row) { return decide(row); });
}

std::vector<int> SvcClassifier::predictWithLibsvm(const torch::Tensor& features) const {
  return predictRows(features, [this](const double* row) {
    std::vector<svm_node> nodes(static_cast<size_t>(dimension_ + 1));
    fillNodes(row, dimension_, nodes.data());
    return svm_predict(model_.get(), nodes.data()) == kMemberLabel ? 1 : 0;
  });
}

int SvcClassifier::decide(const double* row) const {
  // libsvm 3.x's svm_predict_values for two classes, term for term: the RBF kernel is
  // exp(-gamma * sum_j (x_j - s_j)^2), summed in support-vector order with coefficient sv_coef[0],
  // minus rho; a positive value votes for the first label libsvm saw. The same operations in the
  // same order (tested row for row against svm_predict), without libsvm's heap allocation and
  // node walk per kernel value.
  const svm_model& model = *model_;
  const double* support = supportValues_.data();
  const double* coefficient = model.sv_coef[0];
  double sum = 0.0;
  for (int k = 0; k < model.l; ++k, support += dimension_) {
    double squared = 0.0;
    for (int64_t j = 0; j < dimension_; ++j) {
      const double d = row[j] - support[j];
      squared += d * d;
    }
    sum += coefficient[k] * std::exp(-model.param.gamma * squared);
  }
  sum -= model.rho[0];
  const double label = sum > 0 ? model.label[0] : model.label[1];
  return label == kMemberLabel ? 1 : 0;
}

template <typename DecideRow>
std::vector<int> SvcClassifier::predictRows(const torch::Tensor& features,
                                            const DecideRow& decideRow) const {
  const torch::Tensor matrix = featureMatrix(features, "target features");
  if (matrix.size(1) != dimension_)
    throw InputError("SVC attack: target features have d = " + std::to_string(matrix.size(1)) +
                     ", the classifier was fitted with d = " + std::to_string(dimension_));
  const int64_t count = matrix.size(0);
  const double* values = matrix.data_ptr<double>();
  const auto row = [&](int64_t i) { return values + i * dimension_; };

  // Features repeat (float32 confidences saturate at 1, correctness has two values), and the
  // answer for a row depends on its values alone, so each distinct row is decided once: the same
  // decisions, fewer kernel sums.
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  const auto less = [&](int64_t a, int64_t b) {
    return std::lexicographical_compare(row(a), row(a) + dimension_, row(b), row(b) + dimension_);
  };
  std::sort(order.begin(), order.end(), less);
  std::vector<int64_t> distinct;  // first position in `order` of each distinct row
  for (int64_t k = 0; k < count; ++k) {
    if (k == 0 || less(order[static_cast<size_t>(k - 1)], order[static_cast<size_t>(k)]))
      distinct.push_back(k);
  }

  std::vector<int> distinctPredictions(distinct.size());
  // Deciding only reads the model, so rows are decided in parallel.
  at::parallel_for(0, static_cast<int64_t>(distinct.size()), 64, [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      distinctPredictions[static_cast<size_t>(u)] =
          decideRow(row(order[static_cast<size_t>(distinct[static_cast<size_t>(u)])]));
    }
  });
  std::vector<int> predictions(static_cast<size_t>(count));
  size_t group = 0;
  for (int64_t k = 0; k < count; ++k) {
    if (group + 1 < distinct.size() && distinct[group + 1] == k) ++group;
    predictions[static_cast<size_t>(order[static_cast<size_t>(k)])] = distinctPredictions[group];
  }
  return predictions;
}

double SvcClassifier::fractionPredicted(const torch::Tensor& features, int label) const {
  const std::vector<int> predictions = predict(features);
  if (predictions.empty()) throw InputError("SVC attack: no target rows to score");
  int64_t hits = 0;
  for (const int prediction : predictions) hits += prediction == label ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(predictions.size());
}

double svcScoreTargets(const SvcClassifier& classifier, const torch::Tensor& targetTrain,
                       const torch::Tensor& targetTest) {
  if (!hasRows(targetTrain) && !hasRows(targetTest))
    throw InputError("SVC attack: both target sets are empty, there is nothing to score");
  double sum = 0.0;
  int scores = 0;
  if (hasRows(targetTrain)) {
    sum += classifier.fractionPredicted(targetTrain, 1);
    ++scores;
  }
  if (hasRows(targetTest)) {
    sum += classifier.fractionPredicted(targetTest, 0);
    ++scores;
  }
  return sum / scores;
}

double svcAttackScore(const torch::Tensor& shadowTrain, const torch::Tensor& shadowTest,
                      const torch::Tensor& targetTrain, const torch::Tensor& targetTest,
                      const SvcSettings& settings) {
  // Checked before the (costly) fit.
  if (!hasRows(targetTrain) && !hasRows(targetTest))
    throw InputError("SVC attack: both target sets are empty, there is nothing to score");
  return svcScoreTargets(SvcClassifier(shadowTrain, shadowTest, settings), targetTrain, targetTest);
}

}  // namespace mu
