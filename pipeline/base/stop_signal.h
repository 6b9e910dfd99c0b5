#pragma once
// SIGTERM and SIGUSR1 (what Slurm sends before a time limit or a preemption) only set a flag; the
// training loop looks at it at step boundaries, where all ranks agree to checkpoint and stop.

namespace mu {

void installStopSignalHandlers();
bool stopRequested();
// Test hook: behave as if a signal had arrived.
void requestStop();

}  // namespace mu
