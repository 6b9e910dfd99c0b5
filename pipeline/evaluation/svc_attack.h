#pragma once
// The SVC membership-inference attack of the reference's SVC_MIA.py (docs/reference-behaviour.md
// §7.2), on libsvm, the library scikit-learn's SVC wraps: an RBF C-SVC learns "member" from a
// shadow model's member and non-member features, then labels the target samples.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

struct svm_model;

namespace mu {

// scikit-learn 1.1's SVC(C=3, kernel='rbf', gamma='auto') as the reference builds it; gamma is
// 1/d for d-dimensional features, so it is not a setting.
struct SvcSettings {
  double c = 3.0;
  double tolerance = 1e-3;  // libsvm's eps, sklearn's tol
  bool shrinking = true;
  // libsvm's kernel-column cache: it changes speed only, never the solution. sklearn's 200 MB is
  // slower here: the attack's SMO path touches each sample about twice, so columns are rarely
  // reused, while shrinking walks every cached column on each swap (CPU time for 20 000 1-D
  // points: 8.7 s at 10 MB, 9.1 s at 200 MB, 17.1 s at 2 000 MB).
  double cacheMegabytes = 10.0;
};

// A fitted two-class classifier. Features are CPU double [N, d] matrices (miaFeatureMatrix).
class SvcClassifier {
 public:
  // Members get label 1, non-members 0. Both must be non-empty, with the same d >= 1.
  SvcClassifier(const torch::Tensor& members, const torch::Tensor& nonMembers,
                const SvcSettings& settings = {});
  ~SvcClassifier();
  SvcClassifier(SvcClassifier&&) noexcept;
  SvcClassifier& operator=(SvcClassifier&&) noexcept;
  SvcClassifier(const SvcClassifier&) = delete;
  SvcClassifier& operator=(const SvcClassifier&) = delete;

  int64_t dimension() const { return dimension_; }
  int supportVectorCount() const;
  // 1 (member) or 0 (non-member) per row of a [N, d] matrix.
  std::vector<int> predict(const torch::Tensor& features) const;
  // The same through libsvm's own svm_predict, several times slower: the yardstick predict() is
  // tested against.
  std::vector<int> predictWithLibsvm(const torch::Tensor& features) const;
  // Fraction of rows predicted as `label`.
  double fractionPredicted(const torch::Tensor& features, int label) const;

 private:
  struct Training;
  struct ModelDeleter {
    void operator()(svm_model* model) const;
  };
  int decide(const double* row) const;
  template <typename DecideRow>
  std::vector<int> predictRows(const torch::Tensor& features, const DecideRow& decideRow) const;

  int64_t dimension_ = 0;
  // The model's support vectors point into the training problem, so it must live as long.
  std::unique_ptr<Training> training_;
  std::unique_ptr<svm_model, ModelDeleter> model_;
  std::vector<double> supportValues_;  // [l, d], row k = support vector k
};

// The scoring half of SVC_fit_predict: the mean of the fraction of targetTrain predicted member
// and the fraction of targetTest predicted non-member, over the targets that have rows (at least
// one must).
double svcScoreTargets(const SvcClassifier& classifier, const torch::Tensor& targetTrain,
                       const torch::Tensor& targetTest);

// SVC_fit_predict: fit on [shadowTrain (members); shadowTest (non-members)], then average the
// fraction of targetTrain predicted member and the fraction of targetTest predicted non-member,
// over those targets that have rows (at least one must). Returns a fraction in [0, 1].
double svcAttackScore(const torch::Tensor& shadowTrain, const torch::Tensor& shadowTest,
                      const torch::Tensor& targetTrain, const torch::Tensor& targetTest,
                      const SvcSettings& settings = {});

}  // namespace mu
