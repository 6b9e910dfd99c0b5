// The metric table is the one declaration of the paper's metrics: its keys are the results file's
// fields, each is computed from what an evaluation measured, and a results file that predates a
// metric reads as "not there" rather than as an error or a zero.

#include <gtest/gtest.h>

#include <set>

#include "pipeline/metrics/metric_table.h"

namespace mu {
namespace {

const Metric& find(const std::string& key) {
  for (const Metric& metric : metricTable()) {
    if (metric.key == key) return metric;
  }
  throw std::runtime_error("no metric " + key);
}

TEST(MetricTable, ThePapersMetricsInColumnOrder) {
  std::vector<std::string> reported;
  std::set<std::string> keys;
  for (const Metric& metric : metricTable()) {
    EXPECT_TRUE(keys.insert(metric.key).second) << metric.key << " twice";
    if (metric.reported) reported.push_back(metric.key);
  }
  EXPECT_EQ(reported, (std::vector<std::string>{"UA", "MIA_efficacy", "RA", "TA", "RTE_s", "ASR",
                                                "ASR_all", "TA_original", "ASR_original",
                                                "transfer_LP", "transfer_LP_original",
                                                "transfer_FT", "transfer_FT_original"}));
  for (const char* key : {"ASR", "ASR_all", "TA_original", "ASR_original", "transfer_LP",
                          "transfer_LP_original", "transfer_FT", "transfer_FT_original"}) {
    EXPECT_FALSE(find(key).inGap) << key << ": the paper's gap is about privacy unlearning";
  }
  // The transfer metrics come from the campaign's mu-transfer runs, one per mode, before and after
  // unlearning; mu-evaluate computes none of them.
  for (const char* key : {"UA", "RA", "TA", "ASR"}) EXPECT_FALSE(find(key).transfer) << key;
  EXPECT_EQ(find("transfer_LP").transfer->mode, "linear-probe");
  EXPECT_FALSE(find("transfer_LP").transfer->original);
  EXPECT_TRUE(find("transfer_FT_original").transfer->original);
  EXPECT_EQ(find("transfer_FT_original").transfer->mode, "fine-tune");
  EXPECT_FALSE(find("transfer_LP").compute(Measurements{}).has_value());
  for (const char* key : {"UA", "MIA_efficacy", "RA", "TA"}) {
    EXPECT_TRUE(find(key).inGap) << key;
    EXPECT_TRUE(find(key).plotted) << key;
  }
  EXPECT_FALSE(find("RTE_s").inGap);
}

TEST(MetricTable, ComputedFromTheMeasurements) {
  Measurements measured;
  measured.forgetAccuracy = 12.5;
  measured.retainAccuracy = 98.0;
  measured.testAccuracy = 91.0;
  measured.valAccuracy = 90.0;
  measured.miaConfidenceNonMembers = 0.25;
  EXPECT_DOUBLE_EQ(*find("UA").compute(measured), 87.5);
  EXPECT_DOUBLE_EQ(*find("MIA_efficacy").compute(measured), 25.0);
  EXPECT_DOUBLE_EQ(*find("RA").compute(measured), 98.0);
  EXPECT_DOUBLE_EQ(*find("TA").compute(measured), 91.0);
  EXPECT_DOUBLE_EQ(*find("val_acc").compute(measured), 90.0);
  EXPECT_FALSE(find("RTE_s").compute(measured).has_value()) << "an original model has no RTE";
  measured.rteSeconds = 12.0;
  EXPECT_DOUBLE_EQ(*find("RTE_s").compute(measured), 12.0);
  // A backdoor's rates exist only where a backdoor was measured.
  for (const char* key : {"ASR", "ASR_all", "TA_original", "ASR_original"}) {
    EXPECT_FALSE(find(key).compute(measured).has_value()) << key;
  }
  measured.attackSuccess = 7.5;
  measured.attackSuccessAll = 16.0;
  measured.originalTestAccuracy = 90.5;
  measured.originalAttackSuccess = 99.0;
  EXPECT_DOUBLE_EQ(*find("ASR").compute(measured), 7.5);
  EXPECT_DOUBLE_EQ(*find("ASR_all").compute(measured), 16.0);
  EXPECT_DOUBLE_EQ(*find("TA_original").compute(measured), 90.5);
  EXPECT_DOUBLE_EQ(*find("ASR_original").compute(measured), 99.0);
}

TEST(MetricTable, AMetricMissingFromAResultsFileReadsAsNotThere) {
  const nlohmann::json older{{"UA", 3.5}, {"RTE_s", nullptr}};
  EXPECT_DOUBLE_EQ(*readMetric(older, find("UA")), 3.5);
  EXPECT_FALSE(readMetric(older, find("RTE_s")).has_value());
  EXPECT_FALSE(readMetric(older, find("MIA_efficacy")).has_value());
  EXPECT_FALSE(readMetric(nlohmann::json::array(), find("UA")).has_value());
  EXPECT_EQ(formatMetric(3.456), "3.46");
  EXPECT_EQ(formatMetric(std::nullopt), "–");
}

}  // namespace
}  // namespace mu
