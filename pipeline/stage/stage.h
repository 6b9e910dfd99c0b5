#pragma once
// Every MPI stage program (mu-train, mu-prune, mu-unlearn, mu-evaluate) is one Stage driven by
// runStage(), which owns what they all do the same way: the option table and its parsing
// (--help and --describe answer before MPI starts), MPI and the communicator, LibTorch's thread
// count (--threads), the stop-signal handlers (SIGTERM, SIGUSR1), one summary line on rank 0, and
// the exit codes of base/exit_code.h. An exception on any rank ends the whole job (MPI_Abort), so
// no rank is left waiting inside a collective.

#include <string>

#include "pipeline/cli/command_line.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/distributed/communicator.h"

namespace mu {

enum class StageStatus {
  kDone,     // finished (or found finished): exit 0
  kStopped,  // a stop signal ended it after a checkpoint: exit 75, the same command resumes
};

class Stage {
 public:
  virtual ~Stage() = default;

  // The program's name, its usage lines for --help, and what --describe adds to the options.
  virtual ProgramText text() const = 0;
  // Declares every option; the table writes the parsed values into this object.
  virtual void registerOptions(OptionTable& table) = 0;
  // After parsing, on every rank: InputError naming the option for an impossible value.
  virtual void validate(const ParsedCommandLine& parsed, int worldSize) = 0;
  // The stage's work, on every rank (it runs collectives). `table` holds the parsed options.
  virtual StageStatus run(Communicator& comm, const OptionTable& table) = 0;
  // Rank 0's last lines, after run(): what was done (or where it stopped); runStage prints each
  // line after the program's name.
  virtual std::string summary() const = 0;
};

// The whole main() of a stage program: `return runStage(stage, argc, argv);`.
int runStage(Stage& stage, int argc, char** argv);

}  // namespace mu
