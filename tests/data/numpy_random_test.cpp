// Bit-for-bit checks of mu::NumpyRandomState and mu::makeValidationSplit against numpy 1.24.2
// (Debian 12's python3-numpy). Every expected value below was printed by numpy itself, or by the
// reference split algorithm (docs/reference-behaviour.md §2.1) run on numpy, and pasted here: if
// any stream drifts by a single draw these tests fail.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/data/numpy_random.h"
#include "pipeline/data/validation_split.h"

namespace mu {
namespace {

using Ids = std::vector<int64_t>;

Ids head(const Ids& values, size_t n) {
  return Ids(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
}

Ids tail(const Ids& values, size_t n) {
  return Ids(values.end() - static_cast<std::ptrdiff_t>(n), values.end());
}

int64_t sum(const Ids& values) {
  return std::accumulate(values.begin(), values.end(), int64_t{0});
}

// sum(i * values[i]) mod (2^61 - 1): unlike a plain sum it depends on the order of the values.
int64_t orderedChecksum(const Ids& values) {
  constexpr int64_t kModulus = (int64_t{1} << 61) - 1;
  int64_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    total = (total + static_cast<int64_t>(i) * values[i]) % kModulus;
  }
  return total;
}

Ids iota(int64_t n) {
  Ids values(static_cast<size_t>(n));
  std::iota(values.begin(), values.end(), int64_t{0});
  return values;
}

// --- Raw MT19937 stream -------------------------------------------------------------------------

// np.random.MT19937() with _legacy_seeding(s), then random_raw(5); identical to
// RandomState(s).randint(0, 2**32, size=5, dtype=np.uint64).
TEST(NumpyRandomState, FirstRawOutputsMatchNumpy) {
  struct Case {
    uint32_t seed;
    std::vector<uint32_t> expected;
  };
  const std::vector<Case> cases = {
      {0U, {2357136044U, 2546248239U, 3071714933U, 3626093760U, 2588848963U}},
      {1U, {1791095845U, 4282876139U, 3093770124U, 4005303368U, 491263U}},
      {5U, {953453411U, 236996814U, 3739766767U, 3570525885U, 887852006U}},
      {4294967295U, {419326371U, 479346978U, 3918654476U, 2416749639U, 3388880820U}},
  };
  for (const Case& c : cases) {
    NumpyRandomState rng(c.seed);
    std::vector<uint32_t> got;
    for (size_t i = 0; i < c.expected.size(); ++i) got.push_back(rng.nextUint32());
    EXPECT_EQ(got, c.expected) << "seed " << c.seed;
  }
}

// random_raw(1000)[-3:] after the first five: draws 998..1000 cross the 624-word refill.
TEST(NumpyRandomState, OutputsAfterRefillMatchNumpy) {
  struct Case {
    uint32_t seed;
    std::vector<uint32_t> expected;
  };
  const std::vector<Case> cases = {
      {0U, {1602172539U, 3843408156U, 2254730904U}},
      {1U, {976287876U, 1530769673U, 1350237308U}},
      {5U, {3879962803U, 1080663376U, 2404216941U}},
      {4294967295U, {1862446538U, 3885027352U, 4190285929U}},
  };
  for (const Case& c : cases) {
    NumpyRandomState rng(c.seed);
    for (int i = 0; i < 5 + 997; ++i) rng.nextUint32();
    std::vector<uint32_t> got;
    for (int i = 0; i < 3; ++i) got.push_back(rng.nextUint32());
    EXPECT_EQ(got, c.expected) << "seed " << c.seed;
  }
}

TEST(NumpyRandomState, IntervalStaysInRangeAndZeroDrawsNothing) {
  NumpyRandomState a(7);
  NumpyRandomState b(7);
  // interval(0) must not consume the stream (numpy returns before drawing).
  EXPECT_EQ(a.interval(0), 0U);
  EXPECT_EQ(a.nextUint32(), b.nextUint32());
  for (uint32_t max : {1U, 2U, 3U, 5U, 1000U, 4294967295U}) {
    for (int i = 0; i < 200; ++i) EXPECT_LE(a.interval(max), max);
  }
  // With an all-ones max nothing is rejected, so interval is the raw draw.
  NumpyRandomState c(0);
  EXPECT_EQ(c.interval(4294967295U), 2357136044U);
}

// --- permutation --------------------------------------------------------------------------------

TEST(NumpyRandomState, Permutation10MatchesNumpy) {
  EXPECT_EQ(NumpyRandomState(0).permutation(10), (Ids{2, 8, 4, 9, 1, 6, 7, 3, 0, 5}));
  EXPECT_EQ(NumpyRandomState(1).permutation(10), (Ids{2, 9, 6, 4, 0, 3, 1, 7, 8, 5}));
  EXPECT_EQ(NumpyRandomState(5).permutation(10), (Ids{9, 5, 2, 4, 7, 1, 0, 8, 6, 3}));
}

TEST(NumpyRandomState, LargePermutationMatchesNumpy) {
  const Ids perm = NumpyRandomState(1).permutation(45000);
  ASSERT_EQ(perm.size(), 45000U);
  EXPECT_EQ(head(perm, 5), (Ids{25275, 12561, 24707, 25066, 33429}));
  EXPECT_EQ(tail(perm, 5), (Ids{43723, 32511, 5192, 12172, 33003}));
  // sum(p * arange(45000)) over the whole array.
  int64_t weighted = 0;
  for (size_t i = 0; i < perm.size(); ++i) weighted += static_cast<int64_t>(i) * perm[i];
  EXPECT_EQ(weighted, 22803062077278);
  Ids sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, iota(45000));
}

TEST(NumpyRandomState, SuccessiveCallsShareTheStream) {
  // r = RandomState(3); r.permutation(7); r.permutation(1000)[:5]
  NumpyRandomState rng(3);
  EXPECT_EQ(rng.permutation(7), (Ids{4, 6, 5, 3, 1, 0, 2}));
  EXPECT_EQ(head(rng.permutation(1000), 5), (Ids{920, 636, 362, 562, 717}));
}

TEST(NumpyRandomState, TrivialPermutations) {
  NumpyRandomState rng(0);
  EXPECT_TRUE(rng.permutation(0).empty());
  EXPECT_EQ(rng.permutation(1), (Ids{0}));
  // Neither call drew anything, so the stream is still at its first output.
  EXPECT_EQ(rng.nextUint32(), 2357136044U);
  EXPECT_THROW(rng.permutation(-1), InputError);
}

// --- choice(a, k, replace=False)
// -------------------------------------------------------------------

TEST(NumpyRandomState, ChoiceMatchesNumpy) {
  EXPECT_EQ(head(NumpyRandomState(1).choiceWithoutReplacement(iota(5000), 500), 8),
            (Ids{2764, 4767, 3814, 3499, 2735, 3922, 2701, 1179}));
  EXPECT_EQ(head(NumpyRandomState(2).choiceWithoutReplacement(iota(45000), 4500), 8),
            (Ids{29044, 5211, 31428, 32463, 14575, 19308, 18304, 7837}));

  const Ids forget = NumpyRandomState(1).choiceWithoutReplacement(iota(45000), 4500);
  ASSERT_EQ(forget.size(), 4500U);
  EXPECT_EQ(head(forget, 8), (Ids{25275, 12561, 24707, 25066, 33429, 44157, 40878, 23566}));
  EXPECT_EQ(tail(forget, 4), (Ids{24664, 15330, 677, 43439}));
  EXPECT_EQ(sum(forget), 102444727);

  // k == len(pool): the whole pool, permuted.
  const Ids all = NumpyRandomState(0).choiceWithoutReplacement(iota(4500), 4500);
  EXPECT_EQ(head(all, 6), (Ids{854, 2560, 2212, 2347, 1529, 799}));
  EXPECT_EQ(tail(all, 3), (Ids{1653, 2607, 2732}));
}

TEST(NumpyRandomState, ChoiceReturnsPoolValuesNotPositions) {
  // RandomState(7).choice(np.arange(100, 200) * 3, 10, replace=False)
  Ids pool;
  for (int64_t v = 100; v < 200; ++v) pool.push_back(3 * v);
  EXPECT_EQ(NumpyRandomState(7).choiceWithoutReplacement(pool, 10),
            (Ids{411, 378, 534, 573, 447, 345, 579, 513, 558, 366}));
}

TEST(NumpyRandomState, ChoiceRejectsImpossibleCounts) {
  NumpyRandomState rng(0);
  EXPECT_THROW(rng.choiceWithoutReplacement(iota(10), 11), InputError);
  EXPECT_THROW(rng.choiceWithoutReplacement(iota(10), -1), InputError);
  EXPECT_THROW(rng.choiceWithoutReplacement({}, 1), InputError);
  EXPECT_TRUE(rng.choiceWithoutReplacement({}, 0).empty());
}

// --- Validation split ---------------------------------------------------------------------------

// CIFAR-like labels: `classes` x `perClass`, interleaved (id i has class i % classes), a stand-in
// for the mixed class order of the CIFAR training batches.
std::vector<int32_t> interleavedLabels(int classes, int perClass) {
  std::vector<int32_t> labels(static_cast<size_t>(classes) * static_cast<size_t>(perClass));
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<int32_t>(i % static_cast<size_t>(classes));
  return labels;
}

// Unbalanced labels: class c (0..6) has 37(c+1)+c^2 samples (1127 in all), scattered by
// labels[i] = sorted[(i * 7919) % 1127]; classes 7 and 8 exist but are empty.
std::vector<int32_t> unbalancedLabels() {
  std::vector<int32_t> sorted;
  for (int32_t c = 0; c < 7; ++c) {
    sorted.insert(sorted.end(), static_cast<size_t>(37 * (c + 1) + c * c), c);
  }
  std::vector<int32_t> labels(sorted.size());
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = sorted[(i * 7919) % sorted.size()];
  return labels;
}

// Properties every split must have: int(fraction * n_c) per class, disjoint, covering, train
// ascending.
void expectSplitProperties(const TrainValSplit& split, const std::vector<int32_t>& labels,
                           int numClasses, double fraction) {
  std::vector<int64_t> classSize(static_cast<size_t>(numClasses), 0);
  std::vector<int64_t> valPerClass(static_cast<size_t>(numClasses), 0);
  for (int32_t label : labels) ++classSize[static_cast<size_t>(label)];
  for (int64_t id : split.valIds)
    ++valPerClass[static_cast<size_t>(labels[static_cast<size_t>(id)])];
  for (size_t c = 0; c < classSize.size(); ++c) {
    EXPECT_EQ(valPerClass[c], static_cast<int64_t>(fraction * static_cast<double>(classSize[c])))
        << "class " << c;
  }
  // Class order: the val ids come grouped by class, class 0's first.
  for (size_t i = 1; i < split.valIds.size(); ++i) {
    EXPECT_LE(labels[static_cast<size_t>(split.valIds[i - 1])],
              labels[static_cast<size_t>(split.valIds[i])]);
  }
  EXPECT_TRUE(std::is_sorted(split.trainIds.begin(), split.trainIds.end()));
  EXPECT_TRUE(std::adjacent_find(split.trainIds.begin(), split.trainIds.end()) ==
              split.trainIds.end());
  Ids all = split.trainIds;
  all.insert(all.end(), split.valIds.begin(), split.valIds.end());
  std::sort(all.begin(), all.end());
  // Sorted union equal to 0..N-1 means: disjoint, no duplicates, nothing missing.
  EXPECT_EQ(all, iota(static_cast<int64_t>(labels.size())));
}

TEST(ValidationSplit, CifarLikeSeed1MatchesReference) {
  const std::vector<int32_t> labels = interleavedLabels(10, 5000);
  const TrainValSplit split = makeValidationSplit(labels, 10, 1, 0.1);
  ASSERT_EQ(split.valIds.size(), 5000U);
  ASSERT_EQ(split.trainIds.size(), 45000U);
  // Class 0's ids are 0, 10, 20, ...: its draws are RandomState(1).choice(5000, 500) times 10.
  EXPECT_EQ(head(split.valIds, 8), (Ids{27640, 47670, 38140, 34990, 27350, 39220, 27010, 11790}));
  EXPECT_EQ(tail(split.valIds, 3), (Ids{15949, 28989, 42699}));
  EXPECT_EQ(sum(split.valIds), 124309200);
  EXPECT_EQ(orderedChecksum(split.valIds), 309112796690);
  EXPECT_EQ(head(split.trainIds, 8), (Ids{0, 1, 2, 3, 4, 5, 6, 8}));
  EXPECT_EQ(sum(split.trainIds), 1125665800);
  expectSplitProperties(split, labels, 10, 0.1);
}

TEST(ValidationSplit, CifarLikeSeed2MatchesReference) {
  const std::vector<int32_t> labels = interleavedLabels(10, 5000);
  const TrainValSplit split = makeValidationSplit(labels, 10, 2, 0.1);
  ASSERT_EQ(split.valIds.size(), 5000U);
  EXPECT_EQ(head(split.valIds, 8), (Ids{35660, 42520, 19180, 41110, 14710, 9290, 19160, 39950}));
  EXPECT_EQ(tail(split.valIds, 3), (Ids{44239, 1479, 39439}));
  EXPECT_EQ(sum(split.valIds), 126045630);
  EXPECT_EQ(orderedChecksum(split.valIds), 317596680740);
  EXPECT_EQ(head(split.trainIds, 8), (Ids{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(sum(split.trainIds), 1123929370);
  expectSplitProperties(split, labels, 10, 0.1);
}

TEST(ValidationSplit, UnbalancedWithEmptyClassesMatchesReference) {
  const std::vector<int32_t> labels = unbalancedLabels();
  ASSERT_EQ(labels.size(), 1127U);
  ASSERT_EQ(head(Ids(labels.begin(), labels.end()), 10), (Ids{0, 0, 1, 1, 2, 2, 2, 2, 3, 3}));

  const TrainValSplit split = makeValidationSplit(labels, 9, 3, 0.1);
  // int(0.1 * n_c) = 3, 7, 11, 15, 20, 24, 29, then 0 and 0.
  ASSERT_EQ(split.valIds.size(), 109U);
  EXPECT_EQ(head(split.valIds, 8), (Ids{113, 789, 526, 1055, 302, 78, 77, 227}));
  EXPECT_EQ(tail(split.valIds, 3), (Ids{938, 637, 562}));
  EXPECT_EQ(sum(split.valIds), 59489);
  EXPECT_EQ(orderedChecksum(split.valIds), 3316177);
  expectSplitProperties(split, labels, 9, 0.1);

  const TrainValSplit quarter = makeValidationSplit(labels, 9, 3, 0.25);
  ASSERT_EQ(quarter.valIds.size(), 278U);
  EXPECT_EQ(head(quarter.valIds, 8), (Ids{113, 789, 526, 639, 489, 1090, 451, 827}));
  EXPECT_EQ(sum(quarter.valIds), 150600);
  expectSplitProperties(quarter, labels, 9, 0.25);
}

TEST(ValidationSplit, CountTruncatesTheDoubleProductLikePython) {
  // In doubles 0.29 * 100 = 28.999999999999996, so Python's int() gives 28, not 29.
  std::vector<int32_t> labels(200);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int32_t>(i % 2);
  const TrainValSplit split = makeValidationSplit(labels, 2, 11, 0.29);
  ASSERT_EQ(split.valIds.size(), 56U);
  EXPECT_EQ(head(split.valIds, 8), (Ids{92, 98, 44, 116, 82, 196, 124, 58}));
  EXPECT_EQ(sum(split.valIds), 5280);
  expectSplitProperties(split, labels, 2, 0.29);
}

TEST(ValidationSplit, ZeroFractionPutsEverythingInTrain) {
  const std::vector<int32_t> labels = interleavedLabels(10, 30);
  const TrainValSplit split = makeValidationSplit(labels, 10, 1, 0.0);
  EXPECT_TRUE(split.valIds.empty());
  EXPECT_EQ(split.trainIds, iota(300));
}

TEST(ValidationSplit, EmptyInput) {
  const TrainValSplit split = makeValidationSplit({}, 10, 1, 0.1);
  EXPECT_TRUE(split.valIds.empty());
  EXPECT_TRUE(split.trainIds.empty());
}

TEST(ValidationSplit, RejectsBadInput) {
  const std::vector<int32_t> labels = {0, 1, 2, 1, 0};
  EXPECT_THROW(makeValidationSplit({0, 1, 3}, 3, 1, 0.1), InputError);
  EXPECT_THROW(makeValidationSplit({0, -1, 2}, 3, 1, 0.1), InputError);
  EXPECT_THROW(makeValidationSplit(labels, 3, 1, 1.0), InputError);
  EXPECT_THROW(makeValidationSplit(labels, 3, 1, -0.1), InputError);
  EXPECT_THROW(makeValidationSplit(labels, 3, 1, std::nan("")), InputError);
  EXPECT_THROW(makeValidationSplit(labels, 3, 1, std::numeric_limits<double>::infinity()),
               InputError);
  EXPECT_THROW(makeValidationSplit(labels, -1, 1, 0.1), InputError);
  EXPECT_NO_THROW(makeValidationSplit(labels, 3, 1, 0.5));
}

}  // namespace
}  // namespace mu
