#pragma once
// Whether a pid names a live process of this machine: what tells a stale marker or a killed
// writer's leftovers from those of a process still at work.

namespace mu {

// A process that exists and is not a zombie (kill(pid, 0) succeeds for zombies too). A process
// of another user counts as alive. Pids of other machines mean nothing here.
bool processAlive(long pid);

}  // namespace mu
