#include "pipeline/data/forget_set.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/data/numpy_random.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/json_number.h"

namespace mu {
namespace {

using nlohmann::json;

std::vector<int64_t> readIdsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "file", "a readable list of train row ids, one per line");
  std::vector<int64_t> ids;
  std::string line;
  int lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    const std::string text = line.substr(0, line.find('#'));
    std::istringstream fields(text);
    int64_t id = 0;
    std::string rest;
    if (!(fields >> id)) {
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank or comment
      throw InputError(path, "line " + std::to_string(lineNumber),
                       "a non-negative integer id, got '" + line + "'");
    }
    if (fields >> rest || id < 0) {
      throw InputError(path, "line " + std::to_string(lineNumber),
                       "one non-negative integer id, got '" + line + "'");
    }
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

std::vector<int64_t> ForgetSet::testRows(const torch::Tensor& testLabels) const {
  const torch::Tensor labels = testLabels.to(torch::kInt64).contiguous();
  const int64_t* label = labels.data_ptr<int64_t>();
  std::vector<int64_t> rows;
  rows.reserve(static_cast<size_t>(labels.numel()));
  for (int64_t row = 0; row < labels.numel(); ++row) {
    if (wholeClass && request.forgetClasses.contains(label[row])) continue;
    rows.push_back(row);
  }
  return rows;
}

ForgetSet selectForgetSet(const ForgetRequest& request, const LoadedSplit& train,
                          const TrainValSplit& split, uint32_t splitSeed, double valFraction) {
  ForgetSet set;
  set.dataset = train.manifest.dataset;
  set.request = request;
  set.splitSeed = splitSeed;
  set.valFraction = valFraction;
  set.valIds = split.valIds;
  const std::vector<int64_t>& trainIds = split.trainIds;  // D_tr, ascending
  const torch::Tensor labels = train.labels.to(torch::kInt64).contiguous();
  const int64_t* label = labels.data_ptr<int64_t>();
  const int64_t numClasses = train.manifest.numClasses;

  std::vector<int64_t> chosen;  // train row ids
  if (request.mode == "ids" || request.mode == "poisoned") {
    const bool poisoned = request.mode == "poisoned";
    if (!poisoned && request.idsFile.empty()) {
      throw InputError(request.names.idsFile, "value", "a file of train row ids");
    }
    const std::string source = poisoned ? "--forget poisoned" : request.idsFile;
    chosen = poisoned ? request.poisonedIds : readIdsFile(request.idsFile);
    if (chosen.empty()) {
      throw InputError(source, "ids",
                       poisoned ? "poisoned samples: the original model was trained without "
                                  "--poison-count or --poison-ids"
                                : "at least one id");
    }
    std::set<int64_t> seen;
    for (const int64_t id : chosen) {
      if (!seen.insert(id).second) {
        throw InputError(source, "id " + std::to_string(id), "each id once (duplicate)");
      }
      if (!std::binary_search(trainIds.begin(), trainIds.end(), id)) {
        throw InputError(source, "id " + std::to_string(id),
                         "an id of the training split (0.." + std::to_string(train.size() - 1) +
                             " and not in the validation split of seed " +
                             std::to_string(splitSeed) + ")");
      }
    }
  } else if (request.mode == "class" || request.mode == "random") {
    // The pool is positions in D_tr, as in the reference's replace_indexes
    // (docs/reference-behaviour.md §3.1).
    std::vector<int64_t> pool;
    if (request.mode == "class") {
      for (const int64_t forgotten : request.forgetClasses.classes()) {
        if (forgotten < 0 || forgotten >= numClasses) {
          throw InputError("--forget-class", "value",
                           "a class in 0.." + std::to_string(numClasses - 1) + " of " +
                               set.dataset + " (each one), got " + request.forgetClasses.text());
        }
      }
      for (size_t position = 0; position < trainIds.size(); ++position) {
        if (request.forgetClasses.contains(label[trainIds[position]])) {
          pool.push_back(static_cast<int64_t>(position));
        }
      }
      if (pool.empty()) {
        throw InputError(
            "--forget-class", "value",
            "classes with training samples; " + request.forgetClasses.text() + " have none");
      }
    } else {
      pool.resize(trainIds.size());
      for (size_t position = 0; position < pool.size(); ++position) {
        pool[position] = static_cast<int64_t>(position);
      }
      if (request.count < 1) {
        throw InputError(request.names.count, "value", "n >= 1 samples drawn at random");
      }
    }
    const int64_t poolSize = static_cast<int64_t>(pool.size());
    if (request.count < 0 || request.count > poolSize) {
      throw InputError(request.names.count, "value",
                       "at most the pool's " + std::to_string(poolSize) + " samples, got " +
                           std::to_string(request.count));
    }
    std::vector<int64_t> positions = pool;
    if (request.count > 0) {
      if (request.seed < 1 || request.seed > 0x100000000LL) {
        throw InputError(request.names.seed, "value",
                         "a seed in [1, 2^32] (the draw uses seed - 1)");
      }
      NumpyRandomState random(static_cast<uint32_t>(request.seed - 1));
      positions = random.choiceWithoutReplacement(pool, request.count);
    }
    for (const int64_t position : positions) chosen.push_back(trainIds[position]);
    set.wholeClass = request.mode == "class" && static_cast<int64_t>(chosen.size()) == poolSize;
  } else {
    throw InputError("--forget", "value",
                     "class, random, ids or poisoned, got '" + request.mode + "'");
  }

  std::sort(chosen.begin(), chosen.end());
  set.forgetIds = chosen;
  set.retainIds.reserve(trainIds.size() - chosen.size());
  std::set_difference(trainIds.begin(), trainIds.end(), chosen.begin(), chosen.end(),
                      std::back_inserter(set.retainIds));
  return set;
}

json forgetSetJson(const ForgetSet& set) {
  json out;
  out["dataset"] = set.dataset;
  out["mode"] = set.request.mode;
  out["forget_class"] = set.request.forgetClasses;
  out["count"] = set.request.count;
  out["seed"] = set.request.seed;
  out["ids_file"] = set.request.idsFile;
  out["split_seed"] = set.splitSeed;
  out["val_fraction"] = set.valFraction;
  out["whole_class"] = set.wholeClass;
  out["forget_ids"] = set.forgetIds;
  out["retain_ids"] = set.retainIds;
  out["val_ids"] = set.valIds;
  if (set.poisoning.enabled()) out["poisoning"] = poisoningJson(set.poisoning);
  return out;
}

ForgetSet readForgetSet(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "file", "a forget_set.json written by mu-unlearn");
  ForgetSet set;
  std::string field = "(json)";
  try {
    const json doc = json::parse(in);
    auto get = [&](const char* name) -> const json& {
      field = name;
      return doc.at(name);
    };
    set.dataset = get("dataset").get<std::string>();
    set.request.mode = get("mode").get<std::string>();
    set.request.forgetClasses = get("forget_class").get<ClassList>();
    set.request.count = jsonInteger<int64_t>(get("count"), path, field);
    set.request.seed = jsonInteger<int64_t>(get("seed"), path, field);
    set.request.idsFile = get("ids_file").get<std::string>();
    set.splitSeed = jsonInteger<uint32_t>(get("split_seed"), path, field);
    set.valFraction = get("val_fraction").get<double>();
    set.wholeClass = get("whole_class").get<bool>();
    set.forgetIds = jsonIntegers<int64_t>(get("forget_ids"), path, field);
    set.retainIds = jsonIntegers<int64_t>(get("retain_ids"), path, field);
    set.valIds = jsonIntegers<int64_t>(get("val_ids"), path, field);
    if (doc.contains("poisoning")) set.poisoning = poisoningFromJson(doc["poisoning"], path);
  } catch (const json::exception& error) {
    throw InputError(path, field, std::string("a forget_set.json field: ") + error.what());
  }
  if (set.forgetIds.empty()) throw InputError(path, "forget_ids", "a non-empty forget set");
  return set;
}

void writeForgetSet(const std::string& path, const ForgetSet& set) {
  writeFileAtomically(path, forgetSetJson(set).dump() + "\n");
}

}  // namespace mu
