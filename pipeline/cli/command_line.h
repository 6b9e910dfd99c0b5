#pragma once
// Command-line handling every program shares: options come from one OptionTable (name, default,
// help); --help prints them; --describe prints them as JSON for the programs that drive this one
// (mu-campaign checks a spec against them); --config FILE reads the same options as
// "name = value" lines (the command line wins); unknown options, bad values and bad choices are
// InputErrors. Programs with sub-commands (mu-data, mu-campaign) declare each command the same
// way. Exit codes are the same everywhere (base/exit_code.h).

#include <boost/program_options.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/cli/option_table.h"

namespace mu {

namespace po = boost::program_options;

// What a program says about itself, for --help and --describe.
struct ProgramText {
  std::string program;  // "mu-train", "mu-data convert"
  std::string usage;    // the lines --help prints before the options
  // Extra facts --describe adds (e.g. each unlearning method's options); may be empty.
  std::function<nlohmann::json()> describe;
};

struct ParsedCommandLine {
  bool done = false;  // --help or --describe printed what was asked: exit 0 without running
  po::variables_map values;
  // Whether `name` was given (on the command line or in --config), not just defaulted.
  bool given(const std::string& name) const;
};

// Parses into the table's fields and checks its choices. Throws InputError for anything wrong.
ParsedCommandLine parseCommandLine(int argc, const char* const argv[], const OptionTable& table,
                                   const ProgramText& text);

// True when argv asks for --help or --describe (a program may answer before starting MPI).
bool asksForDescription(int argc, const char* const argv[]);

// Runs `body` and maps exceptions to one "program: error: ..." line on stderr and an exit code.
int runProgram(const std::string& program, const std::function<int()>& body);

// A program without sub-commands that is no MPI stage (the benchmarks): parses argv into `table`
// and runs `body` through runProgram; --help and --describe answer without running it.
int runWithOptions(const ProgramText& text, const OptionTable& table, int argc, char** argv,
                   const std::function<int()>& body);

// A sub-command of a program: `program <name> [options]`.
struct Command {
  std::string name;
  std::string summary;  // one line for the program's --help
  std::string usage;    // the command's own --help text
  std::function<void(OptionTable&)> registerOptions;
  std::function<int(const ParsedCommandLine&)> run;
  std::function<nlohmann::json()> describe;  // extra --describe facts (may be empty)
};

// `program <command> [options]` through runProgram: the command's options are parsed from its
// table; `program --help` lists the commands; an unknown command is bad input (exit 2).
int runCommands(const std::string& program, const std::string& summary,
                const std::vector<Command>& commands, int argc, char** argv);

}  // namespace mu
