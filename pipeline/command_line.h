#pragma once
// Shared command-line handling for every program: options are declared once (name, type,
// default, help) with Boost.Program_options; --help prints them; --config FILE reads the same
// options as "name = value" lines (the command line wins); unknown options and bad values are
// errors. Exit codes are the same everywhere (see ExitCode).

#include <boost/program_options.hpp>
#include <functional>
#include <string>

namespace mu {

namespace po = boost::program_options;

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,     // an unexpected failure (library call, I/O)
  kExitBadInput = 2,    // bad options, data or checkpoints: the message says what to fix
  kExitPreempted = 75,  // stopped by SIGTERM/SIGUSR1 after a checkpoint: requeue and rerun
};

// Returns false when --help was given (usage already printed). Throws InputError otherwise.
bool parseCommandLine(int argc, const char* const argv[], const po::options_description& options,
                      po::variables_map& values, const std::string& usage);

// Runs `body` and maps exceptions to one "program: error: ..." line on stderr and an exit code.
int runProgram(const std::string& program, const std::function<int()>& body);

}  // namespace mu
