// `mu-unlearn --protocol reference` end to end on real Fashion-MNIST (tinycnn on a slice): every
// rule of the reference protocol (pipeline/unlearning/reference_protocol.h) changes what the
// stage does, and the clean default does not: the split rebuilt with the unlearning seed, the test
// filter at the reference's counts only, FF's zeroed rows, augmented FF and IU statistics, and
// the protocol recorded in results.json and evaluation.json.

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

using test::readJson;

class ReferenceProtocol : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<test::ScratchDir>("reference-protocol");
    const test::CommandResult trained = test::runCommand(
        test::programPath("mu-train") + " --data " + test::fashionMnistDir() + " --run-dir " +
        work_->file("original") +
        " --arch tinycnn --epochs 1 --batch-size 64 --train-limit 1536 --rewind-epoch 0"
        " --threads 2 --quiet");
    ASSERT_EQ(trained.exitCode, 0) << trained.output;
  }
  static void TearDownTestSuite() { work_.reset(); }

  // Runs mu-unlearn into a fresh folder `name` and returns it.
  static std::string unlearn(const std::string& name, const std::string& options) {
    const std::string run = work_->file(name);
    const test::CommandResult result = test::runCommand(
        test::programPath("mu-unlearn") + " --data " + test::fashionMnistDir() + " --original " +
        work_->file("original/best.h5") + " --run-dir " + run +
        " --threads 2 --quiet --batch-size 128 --ff-batch-size 512 --iu-woodfisher-samples 50 " +
        options);
    EXPECT_EQ(result.exitCode, 0) << options << "\n" << result.output;
    return run;
  }

  static std::unique_ptr<test::ScratchDir> work_;
};
std::unique_ptr<test::ScratchDir> ReferenceProtocol::work_;

TEST_F(ReferenceProtocol, TheSplitIsRebuiltWithTheUnlearningSeed) {
  const std::string forget = " --method identity --forget class --forget-class 0 --seed 3";
  const nlohmann::json clean = readJson(unlearn("clean-split", forget) + "/forget_set.json");
  const std::string reference = unlearn("reference-split", forget + " --protocol reference");
  EXPECT_EQ(clean["split_seed"].get<int64_t>(), 1) << "the original's own split";
  EXPECT_EQ(readJson(reference + "/forget_set.json")["split_seed"].get<int64_t>(), 3);
  EXPECT_NE(readJson(reference + "/forget_set.json")["forget_ids"], clean["forget_ids"]);
  EXPECT_EQ(readJson(reference + "/results.json")["protocol"], "reference");

  // mu-evaluate carries the protocol, and reports group by it.
  const test::CommandResult evaluated = test::runCommand(
      test::programPath("mu-evaluate") + " --data " + test::fashionMnistDir() + " --unlearn-dir " +
      reference + " --threads 2 --mia-sample-limit 200 --quiet");
  ASSERT_EQ(evaluated.exitCode, 0) << evaluated.output;
  EXPECT_EQ(readJson(reference + "/evaluation.json")["protocol"], "reference");
}

TEST_F(ReferenceProtocol, TheTestSetDropsTheClassOnlyAtTheReferencesCounts) {
  // Seed 1: the reference's split is then the original's, and so is the class-0 pool.
  const nlohmann::json whole =
      readJson(unlearn("whole", "--method identity --forget class --forget-class 0 --seed 1") +
               "/forget_set.json");
  ASSERT_TRUE(whole["whole_class"].get<bool>());
  // n equal to the whole class, a count the reference has no entry for: we leave the class out
  // of TA, the reference keeps it.
  const std::string count =
      " --method identity --forget class --forget-class 0 --seed 1 --forget-count " +
      std::to_string(whole["forget_ids"].size());
  EXPECT_TRUE(readJson(unlearn("count-clean", count) + "/forget_set.json")["whole_class"]);
  EXPECT_FALSE(readJson(unlearn("count-reference", count + " --protocol reference") +
                        "/forget_set.json")["whole_class"]);
  // n absent: both leave it out.
  EXPECT_TRUE(readJson(unlearn("whole-reference",
                               "--method identity --forget class --forget-class 0 --seed 1"
                               " --protocol reference") +
                       "/forget_set.json")["whole_class"]);
}

TEST_F(ReferenceProtocol, FisherAndInfluenceFollowTheReference) {
  const std::string forget = " --forget class --forget-class 0 --seed 1 --augment crop-flip";
  const nlohmann::json ffClean =
      readJson(unlearn("ff-clean", "--method ff" + forget) + "/results.json")["summary"];
  const nlohmann::json ffReference =
      readJson(unlearn("ff-reference", "--method ff --protocol reference" + forget) +
               "/results.json")["summary"];
  // Ours zeroes the forgotten class's classifier row; the reference only at CIFAR's counts.
  EXPECT_EQ(ffClean["zeroed_classifier_rows"], nlohmann::json::array({0}));
  EXPECT_EQ(ffReference["zeroed_classifier_rows"], nlohmann::json::array());
  EXPECT_FALSE(ffClean["augmented_statistics"].get<bool>());
  EXPECT_TRUE(ffReference["augmented_statistics"].get<bool>());
  EXPECT_NE(ffClean["fisher_mean"], ffReference["fisher_mean"]);
  const nlohmann::json iuReference =
      readJson(unlearn("iu-reference", "--method iu --protocol reference" + forget) +
               "/results.json")["summary"];
  EXPECT_TRUE(iuReference["augmented_statistics"].get<bool>());
}

}  // namespace
}  // namespace mu
