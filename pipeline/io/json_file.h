#pragma once
// JSON files of the run folders (config.json, results.json, ...): read with an error that names
// the file, written through a temporary file so a reader never sees half a document.

#include <nlohmann/json.hpp>

#include <string>

namespace mu {

// InputError naming `path` when it cannot be read or parsed.
nlohmann::json readJsonFile(const std::string& path);

// Pretty-printed (two-space indent) with a final newline, atomically.
void writeJsonFile(const std::string& path, const nlohmann::json& document);

}  // namespace mu
