#pragma once
// What a run records of the resources it used, beside its timings.

namespace mu {

// This process's peak resident memory so far, in MiB (getrusage's ru_maxrss).
double peakResidentMegabytes();

}  // namespace mu
