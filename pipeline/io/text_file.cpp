#include "pipeline/io/text_file.h"

#include <fstream>

#include "pipeline/base/error.h"

namespace mu {

namespace {

// A whole file into a container of chars or bytes.
template <typename Container>
Container readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(path, "file", "a readable file");
  Container contents(static_cast<size_t>(in.tellg()), 0);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(contents.data()), static_cast<std::streamsize>(contents.size()));
  if (!in) throw InputError(path, "file", "a readable file");
  return contents;
}

}  // namespace

std::string readTextFile(const std::string& path) {
  return readWholeFile<std::string>(path);
}

std::vector<uint8_t> readBinaryFile(const std::string& path) {
  return readWholeFile<std::vector<uint8_t>>(path);
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
