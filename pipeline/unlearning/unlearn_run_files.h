#pragma once
// The one place that names an unlearning run's artefacts inside its run folder (mu-unlearn writes
// them, mu-evaluate and the campaign tools read them).

#include <string>

namespace mu::unlearn_files {

inline std::string join(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}
inline std::string config(const std::string& dir) {
  return join(dir, "config.json");
}
// The forget/retain/validation id lists (forget_set.h).
inline std::string forgetSet(const std::string& dir) {
  return join(dir, "forget_set.json");
}
// The unlearned model: the checkpoint schema with kind "unlearned", masks included.
inline std::string model(const std::string& dir) {
  return join(dir, "unlearned.h5");
}
// Resume point of an iterative method (per epoch / step).
inline std::string progressCheckpoint(const std::string& dir) {
  return join(dir, "last.h5");
}
// {"method", "options", "RTE_s", "world_size", "device", "config_hash", "code_version", ...}
inline std::string results(const std::string& dir) {
  return join(dir, "results.json");
}
// What mu-evaluate writes next to them.
inline std::string evaluation(const std::string& dir) {
  return join(dir, "evaluation.json");
}

}  // namespace mu::unlearn_files
