#include "pipeline/io/text_file.h"

#include <fstream>

#include "pipeline/base/error.h"

namespace mu {

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(path, "file", "a readable file");
  std::string text(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) throw InputError(path, "file", "a readable file");
  return text;
}

std::string stringField(const nlohmann::json& object, const std::string& key,
                        const std::string& fallback) {
  if (!object.is_object()) return fallback;
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return fallback;
  return found->get_ref<const std::string&>();
}

int64_t integerField(const nlohmann::json& object, const std::string& key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  const auto found = object.find(key);
  if (found == object.end()) return fallback;
  // Parsed non-negative integers are stored unsigned, negative ones signed.
  if (const auto* value = found->get_ptr<const nlohmann::json::number_unsigned_t*>()) {
    return static_cast<int64_t>(*value);
  }
  if (const auto* value = found->get_ptr<const nlohmann::json::number_integer_t*>()) {
    return *value;
  }
  return fallback;
}

}  // namespace mu
