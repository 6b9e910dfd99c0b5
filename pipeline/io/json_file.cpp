#include "pipeline/io/json_file.h"

#include <fstream>

#include "pipeline/base/error.h"
#include "pipeline/io/atomic_output.h"

namespace mu {

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "file", "a readable JSON file");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "(document)", std::string("valid JSON: ") + error.what());
  }
}

void writeJsonFile(const std::string& path, const nlohmann::json& document) {
  writeFileAtomically(path, document.dump(2) + "\n");
}

}  // namespace mu
