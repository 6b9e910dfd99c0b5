#include "pipeline/unlearning/reference_protocol.h"

#include <map>
#include <string>

namespace mu {
namespace {

// The class sizes the reference's main_forget compares n with (docs/reference-behaviour.md §3.2).
int64_t referenceFullClassCount(const std::string& dataset) {
  static const std::map<std::string, int64_t> counts{
      {"cifar10", 4500}, {"cifar100", 450}, {"svhn", 4454}, {"tinyimagenet", 500}};
  const auto found = counts.find(dataset);
  return found == counts.end() ? -1 : found->second;
}

bool fisherZeroesRows(const ForgetSet& set) {
  const int64_t n = set.request.count;
  return (set.dataset == "cifar10" && n == 4500) || (set.dataset == "cifar100" && n == 450);
}

}  // namespace

bool referenceDropsForgottenClasses(const ForgetSet& set) {
  if (set.request.mode != "class") return false;
  const int64_t n = set.request.count;
  return n == 0 || n == referenceFullClassCount(set.dataset);
}

std::vector<int64_t> referenceFisherZeroedRows(const ForgetSet& set, int64_t numClasses) {
  if (!fisherZeroesRows(set)) return {};
  if (set.request.mode == "class") return set.request.forgetClasses.classes();
  if (set.request.mode == "random") return {numClasses - 1};  // class_to_replace = -1
  return {};
}

}  // namespace mu
