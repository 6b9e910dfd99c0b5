#pragma once
// Which training samples an unlearning run forgets (docs/reference-behaviour.md §3): whole classes,
// n random samples (numpy's RandomState(seed - 1).choice over the pool, bit for bit), or an
// explicit list of ids. The selection is written into the unlearning run folder as forget_set.json,
// so evaluation and every other method read the very same forget and retain lists.
//
// Ids are row ids of the dataset's "train" split (the shard rows), never positions: a forget set
// is meaningful without knowing which validation split produced it.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/data/class_list.h"
#include "pipeline/data/poisoning.h"
#include "pipeline/data/shard_reader.h"

namespace mu {

struct ForgetRequest {
  std::string mode = "class";  // "class" | "random" | "ids" | "poisoned"
  ClassList forgetClasses;     // class: the classes forgotten
  int64_t count = 0;           // random: n (required); class: 0 = the whole classes, else n of them
  int64_t seed = 2;            // the unlearning seed; the draw uses RandomState(seed - 1)
  std::string idsFile;         // ids: one train row id per line ('#' starts a comment)
  std::vector<int64_t> poisonedIds;  // poisoned: the backdoored rows (poisoning.h)
  // The options that set count, seed and idsFile, as errors name them (the poisoning draw,
  // poisoning.h, has its own).
  struct OptionNames {
    std::string count = "--forget-count";
    std::string seed = "--seed";
    std::string idsFile = "--forget-ids";
  } names;
};

struct ForgetSet {
  std::string dataset;  // the manifest's dataset name
  ForgetRequest request;
  uint32_t splitSeed = 1;  // the train/validation split D_r and D_f were taken from
  double valFraction = 0.1;
  bool wholeClass = false;  // class-wise forgetting of every sample of the classes: TA leaves them
                            // out (docs/reference-behaviour.md §3.2)
  std::vector<int64_t> forgetIds;  // ascending (D_tr order)
  std::vector<int64_t> retainIds;  // ascending (D_tr order)
  std::vector<int64_t> valIds;     // the split's validation ids, in draw order
  // How the original model's training data was backdoored (none: clean): D_f and D_r are rows of
  // that poisoned training set, and evaluation measures the attack's success on the test set.
  Poisoning poisoning;

  // Rows of a test split to score TA on: all of them, or all but the forgotten classes when the
  // whole classes are forgotten.
  std::vector<int64_t> testRows(const torch::Tensor& testLabels) const;
};

// Selects the forget set from the training ids of `split` (D_tr). Throws InputError naming the
// option or the ids file: a class that does not exist or has no training sample, n < 1 or larger
// than the pool, an ids file with an unreadable line, an id outside D_tr or a duplicate.
ForgetSet selectForgetSet(const ForgetRequest& request, const LoadedSplit& train,
                          const TrainValSplit& split, uint32_t splitSeed, double valFraction);

nlohmann::json forgetSetJson(const ForgetSet& set);
// Reads forget_set.json; InputError naming the file and the field when it is not one.
ForgetSet readForgetSet(const std::string& path);
// Writes through a temporary file (never a half-written list).
void writeForgetSet(const std::string& path, const ForgetSet& set);

}  // namespace mu
