// The option table every program declares its options in: --help shows defaults as a person
// writes them, closed lists refuse other values with the list, --describe tells a driving program
// every option, and sub-command programs map bad input to exit code 2.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/base/exit_code.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/cli/value_text.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

struct Options {
  double lr = 0.1;
  double weightDecay = 5e-4;
  double alpha = 3e-8;
  int64_t epochs = 182;
  std::string method = "ft";
  std::string path;
  bool quiet = false;

  void registerOptions(OptionTable& table) {
    table.add("lr", &lr, "learning rate")
        .add("weight-decay", &weightDecay, "decay")
        .add("alpha", &alpha, "scale")
        .add("epochs", &epochs, "epochs")
        .addChoice("method", &method, {"retrain", "ft", "ga"}, "the method")
        .add("path", &path, "a folder", OptionTable::Effect::kOperational)
        .addFlag("quiet", &quiet, "no progress", OptionTable::Effect::kOperational);
  }
};

ParsedCommandLine parse(OptionTable& table, std::vector<std::string> words) {
  words.insert(words.begin(), "program");
  std::vector<const char*> argv;
  for (const std::string& word : words) argv.push_back(word.c_str());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data(), table,
                          {"program", "usage: program", {}});
}

TEST(ValueText, NumbersAsPeopleWriteThem) {
  EXPECT_EQ(valueText(0.1), "0.1");
  EXPECT_EQ(valueText(5e-4), "0.0005");
  EXPECT_EQ(valueText(3e-8), "3e-08");
  EXPECT_EQ(valueText(1.0 / 3.0), "0.3333333333333333");  // the shortest that reads back exactly
  EXPECT_EQ(valueText(int64_t{182}), "182");
  EXPECT_EQ(valueText(true), "true");
  EXPECT_EQ(valueText(std::string("91,136")), "91,136");
}

TEST(OptionTable, HelpPrintsDefaultsAsPeopleWriteThem) {
  Options options;
  OptionTable table;
  options.registerOptions(table);
  std::ostringstream help;
  help << table.description("options");
  EXPECT_NE(help.str().find("--lr arg (=0.1)"), std::string::npos) << help.str();
  EXPECT_NE(help.str().find("--weight-decay arg (=0.0005)"), std::string::npos) << help.str();
  EXPECT_EQ(help.str().find("0.10000000000000001"), std::string::npos) << help.str();
  EXPECT_NE(help.str().find("(one of: retrain, ft, ga)"), std::string::npos) << help.str();
}

TEST(OptionTable, ParsesIntoTheFieldsAndRefusesAValueOutsideTheChoices) {
  Options options;
  OptionTable table;
  options.registerOptions(table);
  const ParsedCommandLine parsed = parse(table, {"--lr", "0.05", "--method", "ga", "--quiet"});
  EXPECT_FALSE(parsed.done);
  EXPECT_DOUBLE_EQ(options.lr, 0.05);
  EXPECT_EQ(options.method, "ga");
  EXPECT_TRUE(options.quiet);
  EXPECT_TRUE(parsed.given("lr"));
  EXPECT_FALSE(parsed.given("epochs"));
  try {
    parse(table, {"--method", "fft"});
    FAIL() << "a method outside the choices was accepted";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "--method: value: one of retrain, ft, ga; got 'fft'");
  }
  EXPECT_THROW(parse(table, {"--bogus", "1"}), InputError);
  EXPECT_THROW(parse(table, {"--epochs", "many"}), InputError);
}

// Found by fuzzing (tests/fuzz/corpus/config_file/regression-latin1): a value that is not UTF-8
// made the configuration's JSON throw nlohmann's type_error, an unexpected failure (exit 1)
// instead of bad input naming the option.
TEST(OptionTable, TextThatIsNotUtf8IsBadInputNamingTheOption) {
  Options options;
  OptionTable table;
  options.registerOptions(table);
  try {
    parse(table, {"--path", "caf\xe9"});
    FAIL() << "a Latin-1 path was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("--path: value: UTF-8 text"), std::string::npos)
        << error.what();
  }
  parse(table, {"--path", "caf\xc3\xa9"});
  EXPECT_EQ(options.path, "caf\xc3\xa9");
  EXPECT_FALSE(table.configHash().empty());
}

// Found by fuzzing (tests/fuzz/corpus/config_file/regression-placeholder): Boost's error message
// for a bad value or an unknown option substitutes %value% or %canonical_option% into itself and
// looped forever when the value or name held the same placeholder.
TEST(OptionTable, BoostsMessagePlaceholdersAreRefusedInsteadOfHanging) {
  Options options;
  OptionTable table;
  options.registerOptions(table);
  for (const std::vector<std::string>& words :
       {std::vector<std::string>{"--epochs", "%value%"}, {"--x%canonical_option%", "1"}}) {
    try {
      parse(table, words);
      FAIL() << words[0] << " " << words[1] << " was accepted";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("a placeholder of Boost's messages"),
                std::string::npos)
          << error.what();
    }
  }
  test::ScratchDir dir("option-table-placeholder");
  std::ofstream(dir.file("options.cfg")) << "lr = 0.5\nepochs = %value%\n";
  try {
    parse(table, {"--config", dir.file("options.cfg")});
    FAIL() << "a --config file with %value% was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("options.cfg: line 2"), std::string::npos)
        << error.what();
  }
  parse(table, {"--path", "50% of /data"});  // a lone % is text like any other
  EXPECT_EQ(options.path, "50% of /data");
}

TEST(OptionTable, DescribeAndTheConfigurationSeparateResultsFromOperations) {
  Options options;
  OptionTable table;
  options.registerOptions(table);
  const nlohmann::json described = table.describe();
  ASSERT_EQ(described.size(), table.names().size());
  EXPECT_EQ(described[4]["name"], "method");
  EXPECT_EQ(described[4]["choices"], nlohmann::json({"retrain", "ft", "ga"}));
  EXPECT_EQ(described[4]["effect"], "changes-results");
  EXPECT_EQ(described[6]["flag"], true);
  EXPECT_EQ(table.operationalNames(), (std::vector<std::string>{"path", "quiet"}));
  EXPECT_FALSE(table.resultAffectingJson().contains("path"));
  EXPECT_TRUE(table.toJson().contains("path"));
  // The hash covers the result-changing options only.
  const std::string before = table.configHash();
  options.path = "/elsewhere";
  EXPECT_EQ(table.configHash(), before);
  options.lr = 0.2;
  EXPECT_NE(table.configHash(), before);
}

TEST(Commands, AnUnknownCommandOrOptionIsBadInput) {
  int ran = 0;
  const std::vector<Command> commands{{"go",
                                       "does it",
                                       "usage: tool go",
                                       {},
                                       [&](const ParsedCommandLine&) { return ++ran, 0; },
                                       {}}};
  const auto run = [&](std::vector<std::string> words) {
    words.insert(words.begin(), "tool");
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    return runCommands("tool", "usage: tool <command>", commands, static_cast<int>(argv.size()),
                       argv.data());
  };
  EXPECT_EQ(run({"go"}), kExitOk);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(run({"stop"}), kExitBadInput);
  EXPECT_EQ(run({"go", "--bogus"}), kExitBadInput);
  EXPECT_EQ(run({"go", "--help"}), kExitOk);
  EXPECT_EQ(ran, 1) << "--help runs nothing";
}

}  // namespace
}  // namespace mu
