#include "pipeline/io/json_file.h"

#include <fstream>
#include <ios>
#include <string>

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
  } catch (const std::ios_base::failure& error) {
    // Opening succeeds on a folder, and the first read fails (EISDIR).
    throw InputError(path, "file", std::string("a readable JSON file (") + error.what() + ")");
  }
}

void writeJsonFile(const std::string& path, const nlohmann::json& document) {
  writeFileAtomically(path, document.dump(2) + "\n");
}

}  // namespace mu
