#pragma once
// The one place that names a training run's artefacts inside its run folder.

#include <string>

namespace mu::run_files {

inline std::string join(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}
inline std::string config(const std::string& dir) {
  return join(dir, "config.json");
}
inline std::string lastCheckpoint(const std::string& dir) {
  return join(dir, "last.h5");
}
inline std::string bestCheckpoint(const std::string& dir) {
  return join(dir, "best.h5");
}
inline std::string initCheckpoint(const std::string& dir) {
  return join(dir, "init.h5");
}
inline std::string rewindCheckpoint(const std::string& dir) {
  return join(dir, "rewind.h5");
}
inline std::string metrics(const std::string& dir) {
  return join(dir, "metrics.jsonl");
}
inline std::string results(const std::string& dir) {
  return join(dir, "results.json");
}

}  // namespace mu::run_files
