#include "pipeline/campaign/task_state.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "pipeline/base/process_alive.h"
#include "pipeline/io/file_lock.h"
#include "pipeline/io/json_file.h"
#include "pipeline/io/text_file.h"
#include "pipeline/runs/run_folder.h"

namespace mu::campaign {

namespace fs = std::filesystem;

namespace {

std::string hostName() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  return name;
}

long long unixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void writeRunningMarker(const Task& task, long pid) {
  writeJsonFile(runningMarker(task),
                {{"host", hostName()}, {"pid", pid}, {"started", unixSeconds()}});
}

void appendAttempt(const Task& task, const std::string& line) {
  std::ofstream(attemptsFile(task), std::ios::app) << line << "\n";
}

TaskStatus runningStatus(const Task& task) {
  nlohmann::json marker;
  try {
    marker = readJsonFile(runningMarker(task));
  } catch (const std::exception&) {
    return {TaskState::Running, "marker being written"};
  }
  const std::string host = stringField(marker, "host");
  const long pid = integerField(marker, "pid", 0);
  const std::string job = stringField(marker, "job");
  const std::string where = job.empty() ? "pid " + std::to_string(pid) + " on " + host
                                        : "Slurm job " + job + " on " + host;
  // Only a process on this machine can be checked; a marker from elsewhere is trusted.
  if (host != hostName()) return {TaskState::Running, where};
  if (!processAlive(pid)) {
    return {TaskState::Pending, "interrupted (" + where + " is gone); a rerun resumes it"};
  }
  TaskStatus status{TaskState::Running, where};
  status.onThisHost = true;
  return status;
}

}  // namespace

std::string stateName(TaskState state) {
  switch (state) {
    case TaskState::Done:
      return "done";
    case TaskState::Running:
      return "running";
    case TaskState::Failed:
      return "failed";
    case TaskState::Pending:
      return "pending";
  }
  return "?";
}

runs::TaskStateFolder stateFolder(const Task& task) {
  return runs::TaskStateFolder(task.stateDir, stageName(task.stage));
}
std::string runningMarker(const Task& task) {
  return stateFolder(task).running();
}
std::string failedMarker(const Task& task) {
  return stateFolder(task).failed();
}
std::string logFile(const Task& task) {
  return stateFolder(task).log();
}
std::string attemptsFile(const Task& task) {
  return stateFolder(task).attempts();
}

TaskStatus taskStatus(const Task& task) {
  if (fs::exists(task.doneFile())) return {TaskState::Done, ""};
  if (fs::exists(runningMarker(task))) return runningStatus(task);
  if (fs::exists(failedMarker(task))) {
    TaskStatus status{TaskState::Failed, "see " + logFile(task)};
    status.exitCode = -1;
    try {
      const nlohmann::json failure = readJsonFile(failedMarker(task));
      status.exitCode = static_cast<int>(integerField(failure, "exit_code", -1));
      status.detail = "exit code " + std::to_string(status.exitCode) + "; " +
                      stringField(failure, "log", status.detail);
    } catch (const std::exception&) {
    }
    return status;
  }
  return {TaskState::Pending, ""};
}

bool claimTask(const Task& task) {
  fs::create_directories(task.stateDir);
  const FileLock lock(stateFolder(task).claim());
  const TaskState state = taskStatus(task).state;
  if (state == TaskState::Done || state == TaskState::Running) return false;
  writeRunningMarker(task, ::getpid());
  return true;
}

void markStarted(const Task& task, long pid) {
  fs::create_directories(task.stateDir);
  fs::remove(failedMarker(task));
  writeRunningMarker(task, pid);
  appendAttempt(task, "start " + std::to_string(unixSeconds()) + " " + hostName() + " " +
                          std::to_string(pid) + " -");
}

void markFinished(const Task& task, int exitCode) {
  appendAttempt(task, "end " + std::to_string(unixSeconds()) + " " + std::to_string(exitCode));
  if (exitCode != 0 && exitCode != 75) {
    writeJsonFile(failedMarker(task), {{"exit_code", exitCode},
                                       {"host", hostName()},
                                       {"ended", unixSeconds()},
                                       {"log", logFile(task)}});
  }
  fs::remove(runningMarker(task));
}

}  // namespace mu::campaign
