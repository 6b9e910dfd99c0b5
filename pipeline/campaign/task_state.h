#pragma once
// Where a task stands, read from its run folder alone: the stage's done file means done; the
// campaign's markers in the task's state folder (ROOT/campaign/<stage>/<hash>) mean running (a live
// process wrote <stage>.running.json) or failed (<stage>.failed.json holds the exit code);
// otherwise pending. The local runner writes the markers through these functions, the Slurm job
// script (Slurm/stage.sbatch) writes the same files from bash.

#include <string>

#include "pipeline/campaign/manifest.h"
#include "pipeline/runs/run_folder.h"

namespace mu::campaign {

enum class TaskState { Done, Running, Failed, Pending };

struct TaskStatus {
  TaskState state = TaskState::Pending;
  std::string detail;       // exit code, job id, or why a running marker is stale
  bool onThisHost = false;  // Running: by a live process of this machine (one can wait for it)
  int exitCode = 0;         // Failed: the stage's exit code (-1 when the marker does not say)
};

std::string stateName(TaskState state);
TaskStatus taskStatus(const Task& task);

// The task's folder of markers (runs/run_folder.h names them).
runs::TaskStateFolder stateFolder(const Task& task);
std::string runningMarker(const Task& task);  // <state-dir>/<stage>.running.json
std::string failedMarker(const Task& task);   // <state-dir>/<stage>.failed.json
std::string logFile(const Task& task);        // <state-dir>/<stage>.log
// One line per attempt start ("start <unix s> <host> <pid> <job>") and end ("end <unix s> <rc>").
std::string attemptsFile(const Task& task);

// Claims a pending task for this process before it starts it: holding the task's lock, a task
// that is done, or running (a live claim or stage), is refused; otherwise the running marker
// names this process until markStarted names the stage's. Two runners that reach a task two
// specs share at the same moment thus start it once, and the other waits for it.
bool claimTask(const Task& task);

// Called by the local runner around each attempt. An exit code of 0 or 75 (stopped after a
// checkpoint: rerun to resume) leaves no failure behind.
void markStarted(const Task& task, long pid);
void markFinished(const Task& task, int exitCode);

}  // namespace mu::campaign
