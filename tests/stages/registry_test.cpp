// The registries are the only lists of names: every registered unlearning method, architecture
// and source format is offered by its program's --help and --describe and accepted by the
// campaign's spec checks (which ask the programs, not a list of their own). Adding a name to a
// registry needs nothing else; a test here fails if anything still keeps its own list.

#include <gtest/gtest.h>

#include "datasets/formats/format_registry.h"
#include "pipeline/base/error.h"
#include "pipeline/campaign/catalogue.h"
#include "pipeline/campaign/spec.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/unlearning/method_registry.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

using nlohmann::json;

const campaign::Catalogue& programs() {
  static const campaign::Catalogue catalogue = campaign::Catalogue::fromPrograms(MU_BIN_DIR);
  return catalogue;
}

std::string output(const std::string& arguments) {
  const test::CommandResult run = test::runCommand(test::programPath("") + arguments);
  EXPECT_EQ(run.exitCode, 0) << arguments << "\n" << run.output;
  return run.output;
}

json specWith(const std::string& format, const std::string& arch, const std::string& method) {
  return {{"grid",
           {{"datasets", {format}},
            {"archs", {arch}},
            {"sparsities", {"dense"}},
            {"forget", {{{"class", 0}}}},
            {"methods", {method}},
            {"seeds", {1}}}}};
}

// Parses without an error, or fails the test with the spec checker's message.
void expectAccepted(const json& spec) {
  try {
    campaign::parseSpec(spec, "spec.json", programs());
  } catch (const InputError& error) {
    ADD_FAILURE() << error.what();
  }
}

TEST(Registries, EveryUnlearningMethodIsOfferedAndAccepted) {
  const std::string help = output("mu-unlearn --help");
  ASSERT_FALSE(unlearningMethodNames().empty());
  std::vector<std::string> described;
  for (const campaign::UnlearningMethodInfo& method : programs().methods()) {
    described.push_back(method.name);
  }
  EXPECT_EQ(described, unlearningMethodNames()) << "mu-unlearn --describe lists the registry";
  for (const std::string& name : unlearningMethodNames()) {
    EXPECT_NE(help.find(name), std::string::npos) << name << " missing from mu-unlearn --help";
    expectAccepted(specWith("fashion-mnist", "resnet20s", name));
    // The campaign's report titles it as the method does, and knows its own options.
    const std::unique_ptr<UnlearningMethod> method = makeUnlearningMethod(name);
    EXPECT_EQ(programs().method(name)->title, method->title());
    OptionTable own;
    method->registerOptions(own);
    EXPECT_EQ(programs().method(name)->options, own.names());
  }
}

TEST(Registries, EveryArchitectureIsOfferedAndAccepted) {
  const std::string help = output("mu-train --help");
  EXPECT_EQ(programs().choices(campaign::Stage::Train, "arch"), modelNames());
  for (const std::string& name : modelNames()) {
    EXPECT_NE(help.find(name), std::string::npos) << name << " missing from mu-train --help";
    expectAccepted(specWith("fashion-mnist", name, "ft"));
  }
}

TEST(Registries, EverySourceFormatIsOfferedAndAccepted) {
  const std::string help = output("mu-data convert --help");
  const std::string listed = output("mu-data formats");
  EXPECT_EQ(programs().choices(campaign::Stage::Data, "format"), sourceFormatNames());
  for (const std::string& name : sourceFormatNames()) {
    EXPECT_NE(help.find(name), std::string::npos) << name << " missing from mu-data --help";
    EXPECT_NE(listed.find(name), std::string::npos) << name << " missing from mu-data formats";
    expectAccepted(specWith(name, "resnet20s", "ft"));
  }
}

TEST(Registries, ASpecNamingSomethingUnregisteredIsRefused) {
  EXPECT_THROW(campaign::parseSpec(specWith("places365", "resnet20s", "ft"), "s", programs()),
               InputError);
  EXPECT_THROW(campaign::parseSpec(specWith("fashion-mnist", "resnet1000", "ft"), "s", programs()),
               InputError);
  EXPECT_THROW(
      campaign::parseSpec(specWith("fashion-mnist", "resnet20s", "magic"), "s", programs()),
      InputError);
}

}  // namespace
}  // namespace mu
