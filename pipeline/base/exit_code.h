#pragma once
// The exit codes every program uses (README "Exit codes"); the campaign and the Slurm job script
// read them too: 75 means "checkpointed, run the same command again".

namespace mu {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,     // an unexpected failure (library call, I/O)
  kExitBadInput = 2,    // bad options, data or checkpoints: the message says what to fix
  kExitDiverged = 3,    // a non-finite loss or model: nothing written, the last checkpoint kept
  kExitPreempted = 75,  // stopped by SIGTERM/SIGUSR1 after a checkpoint: requeue and rerun
};

}  // namespace mu
