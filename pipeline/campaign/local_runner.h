#pragma once
// Runs a campaign on this machine: each stage task is its own `mpirun -np <ranks>` (mu-data runs
// directly), started as soon as its parents are done, as many at once as ranks x threads fit
// into the cores. Finished tasks are skipped, so rerunning after a failure or an interruption
// continues where it stopped. SIGINT/SIGTERM stop every task at its next checkpoint (the
// runner forwards SIGUSR1 to mpirun, which passes it to the ranks).

#include <iosfwd>

#include "pipeline/campaign/manifest.h"

namespace mu::campaign {

struct LocalRunOptions {
  int cores = 0;     // 0: the CPUs this process may use
  int parallel = 0;  // most tasks at once (0: as many as the cores allow)
};

// Exit code: 0 all done, 1 some task failed (or could not start for a failed parent), 75
// interrupted by a signal. Throws InputError naming resources.<stage> for a task that cannot fit.
int runLocal(const CampaignSpec& spec, const Manifest& manifest, const LocalRunOptions& options,
             std::ostream& out);

// The CPUs this process may run on (sched_getaffinity), at least 1.
int availableCores();

}  // namespace mu::campaign
