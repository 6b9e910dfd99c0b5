#include "pipeline/campaign/local_runner.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/campaign/progress_line.h"
#include "pipeline/campaign/task_state.h"

namespace mu::campaign {

namespace fs = std::filesystem;

namespace {

volatile sig_atomic_t stopRequested = 0;

void onStopSignal(int) {
  stopRequested = 1;
}

// SIGINT/SIGTERM set a flag (without SA_RESTART, so waitpid returns EINTR at once).
void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = &onStopSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

std::vector<std::string> launchCommand(const Task& task) {
  if (task.stage == Stage::Data) return task.command;  // serial program
  // --bind-to none: several mpiruns share the cores; binding would pile them onto the same ones.
  std::vector<std::string> command{
      "mpirun",          "-np",       std::to_string(task.resources.ranks),
      "--oversubscribe", "--bind-to", "none"};
  command.insert(command.end(), task.command.begin(), task.command.end());
  return command;
}

// Forks the task's process in its own process group (a terminal's Ctrl-C reaches the runner,
// which stops tasks through their checkpoints), output appended to the task's log.
pid_t startProcess(const Task& task) {
  fs::create_directories(task.stateDir);
  const std::vector<std::string> command = launchCommand(task);
  const std::string log = logFile(task);
  const pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork failed for " + task.id());
  if (pid > 0) return pid;
  ::setpgid(0, 0);
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int in = ::open("/dev/null", O_RDONLY);
  if (out < 0 || in < 0) ::_exit(127);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  if (::geteuid() == 0) {  // Open MPI refuses root without these
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  }
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  std::fprintf(stderr, "mu-campaign: cannot run %s\n", argv[0]);
  ::_exit(127);
}

int exitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int64_t coresOf(const Task& task) {
  return task.resources.ranks * task.resources.threads;
}

void checkFits(const CampaignSpec& spec, const Manifest& manifest, int cores) {
  for (const Task& task : manifest.tasks) {
    const std::string key = "resources." + stageName(task.stage);
    if (coresOf(task) > cores) {
      throw InputError(spec.file, key,
                       "ranks x threads = " + std::to_string(coresOf(task)) +
                           " cores, but this machine has " + std::to_string(cores));
    }
    if (task.resources.gpus > 0 && !fs::exists("/dev/nvidia0")) {
      throw InputError(spec.file, key + ".gpus", "0 on this machine: it has no NVIDIA GPU");
    }
  }
}

}  // namespace

int availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

int runLocal(const CampaignSpec& spec, const Manifest& manifest, const LocalRunOptions& options,
             std::ostream& out) {
  const int cores = options.cores > 0 ? options.cores : availableCores();
  checkFits(spec, manifest, cores);
  std::map<std::string, TaskState> state;  // hash -> state in this run
  std::vector<const Task*> runningHere;    // by another process of this machine: waited for
  for (const Task& task : manifest.tasks) {
    const TaskStatus status = taskStatus(task);
    // A claim from another machine (a Slurm job) cannot be checked: it may be stale.
    if (status.state == TaskState::Running && !status.onThisHost) {
      throw InputError(task.runDir, stageName(task.stage),
                       "not running elsewhere, but " + status.detail + " runs it");
    }
    if (status.state == TaskState::Running) runningHere.push_back(&task);
    state[task.hash] = status.state == TaskState::Done ? TaskState::Done : TaskState::Pending;
  }
  installStopHandlers();
  ProgressLine progress(manifest.tasks.size(), out);
  for (const auto& [hash, taskState] : state) {
    if (taskState == TaskState::Done) progress.skipped();
  }
  std::map<pid_t, const Task*> running;
  std::map<pid_t, std::chrono::steady_clock::time_point> started;
  // Tasks another runner of a spec sharing them has started: their outcome counts here too.
  std::map<std::string, std::pair<const Task*, std::chrono::steady_clock::time_point>> elsewhere;
  auto waitForElsewhere = [&](const Task& task) {
    const TaskStatus status = taskStatus(task);
    if (status.state == TaskState::Done) {  // finished by another runner since this one looked
      state[task.hash] = TaskState::Done;
      progress.skipped();
      return;
    }
    state[task.hash] = TaskState::Running;
    elsewhere[task.hash] = {&task, std::chrono::steady_clock::now()};
    progress.waiting(task.id(), status.detail);
  };
  auto pollElsewhere = [&] {
    for (auto it = elsewhere.begin(); it != elsewhere.end();) {
      const auto [task, since] = it->second;
      const TaskStatus status = taskStatus(*task);
      if (status.state == TaskState::Running) {
        ++it;
        continue;
      }
      state[task->hash] = status.state;
      if (status.state == TaskState::Done) {
        progress.finished(
            task->id(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
      } else if (status.state == TaskState::Failed) {
        progress.failed(task->id(), status.exitCode, logFile(*task));
      } else {
        progress.released(task->id());
      }
      it = elsewhere.erase(it);
    }
  };
  for (const Task* task : runningHere) waitForElsewhere(*task);
  std::set<std::string> blocked;  // hashes that cannot run because a parent failed
  int64_t coresInUse = 0;
  bool interrupted = false;

  auto readyToStart = [&](const Task& task) {
    if (state[task.hash] != TaskState::Pending || blocked.count(task.hash)) return false;
    for (const std::string& parent : task.parents) {
      if (state[parent] == TaskState::Failed || blocked.count(parent)) {
        blocked.insert(task.hash);
        progress.blocked(task.id());
        return false;
      }
      if (state[parent] != TaskState::Done) return false;
    }
    return true;
  };

  while (true) {
    pollElsewhere();
    for (const Task& task : manifest.tasks) {
      if (stopRequested || !readyToStart(task)) continue;
      const bool slotFree =
          options.parallel <= 0 || static_cast<int>(running.size()) < options.parallel;
      if (!slotFree || coresInUse + coresOf(task) > cores) continue;
      if (!claimTask(task)) {  // another runner got there first
        waitForElsewhere(task);
        continue;
      }
      const pid_t pid = startProcess(task);
      markStarted(task, pid);
      running[pid] = &task;
      started[pid] = std::chrono::steady_clock::now();
      state[task.hash] = TaskState::Running;
      coresInUse += coresOf(task);
      progress.started(task.id(), task.resources.ranks, task.resources.threads);
    }
    if (running.empty() && (elsewhere.empty() || stopRequested)) break;
    if (stopRequested && !interrupted) {
      interrupted = true;
      out << "mu-campaign: stopping: every running task checkpoints and exits" << std::endl;
      for (const auto& entry : running) ::kill(entry.first, SIGUSR1);
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno != EINTR && errno != ECHILD) throw SystemError("waitpid failed");
    if (pid <= 0) {  // polled, so a stop signal is acted on within 0.2 s
      ::usleep(200000);
      continue;
    }
    const auto found = running.find(pid);
    if (found == running.end()) continue;
    const Task& task = *found->second;
    const bool done = fs::exists(task.doneFile());
    // A stage that exits 0 without its done file is broken: count it as a failure.
    const int exitCode = exitCodeOf(status) == 0 && !done ? 1 : exitCodeOf(status);
    markFinished(task, exitCode);
    coresInUse -= coresOf(task);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started[pid]).count();
    running.erase(found);
    if (exitCode == 0) {
      state[task.hash] = TaskState::Done;
      progress.finished(task.id(), seconds);
    } else if (exitCode == 75 || (interrupted && exitCode != 0)) {
      state[task.hash] = TaskState::Pending;
      progress.interrupted(task.id());
    } else {
      state[task.hash] = TaskState::Failed;
      progress.failed(task.id(), exitCode, logFile(task));
    }
  }
  progress.summary();
  if (interrupted || (stopRequested && !progress.allDone())) return 75;
  return progress.allDone() ? 0 : 1;
}

}  // namespace mu::campaign
