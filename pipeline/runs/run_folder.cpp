#include "pipeline/runs/run_folder.h"

namespace mu::runs {
namespace {

std::string join(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}

}  // namespace

std::string DatasetFolder::manifest() const {
  return join(dir_, manifestName());
}

std::string TrainFolder::config() const {
  return join(dir_, "config.json");
}
std::string TrainFolder::init() const {
  return join(dir_, "init.h5");
}
std::string TrainFolder::rewind() const {
  return join(dir_, "rewind.h5");
}
std::string TrainFolder::best() const {
  return join(dir_, "best.h5");
}
std::string TrainFolder::last() const {
  return join(dir_, "last.h5");
}
std::string TrainFolder::metrics() const {
  return join(dir_, "metrics.jsonl");
}
std::string TrainFolder::results() const {
  return join(dir_, "results.json");
}

std::string PruneFolder::config() const {
  return join(dir_, "config.json");
}
TrainFolder PruneFolder::round(int64_t round) const {
  return TrainFolder(join(dir_, "round-" + std::to_string(round)));
}
std::string PruneFolder::pruned(int64_t round) const {
  return join(this->round(round).dir(), "pruned.h5");
}
std::string PruneFolder::source() const {
  return join(dir_, "source.json");
}
std::string PruneFolder::results() const {
  return join(dir_, "results.json");
}

std::string TransferFolder::source() const {
  return join(dir(), "source.json");
}

std::string UnlearnFolder::config() const {
  return join(dir_, "config.json");
}
std::string UnlearnFolder::original() const {
  return join(dir_, "original.json");
}
std::string UnlearnFolder::forgetSet() const {
  return join(dir_, "forget_set.json");
}
std::string UnlearnFolder::model() const {
  return join(dir_, "unlearned.h5");
}
std::string UnlearnFolder::progress() const {
  return join(dir_, "last.h5");
}
std::string UnlearnFolder::results() const {
  return join(dir_, "results.json");
}
std::string UnlearnFolder::evaluation() const {
  return join(dir_, evaluationName());
}

std::string TaskStateFolder::running() const {
  return join(dir_, stage_ + runningSuffix());
}
std::string TaskStateFolder::failed() const {
  return join(dir_, stage_ + failedSuffix());
}
std::string TaskStateFolder::log() const {
  return join(dir_, stage_ + logSuffix());
}
std::string TaskStateFolder::attempts() const {
  return join(dir_, stage_ + attemptsSuffix());
}
std::string TaskStateFolder::claim() const {
  return join(dir_, stage_ + claimSuffix());
}

}  // namespace mu::runs
