#pragma once
// Walks a JSON document while remembering the key path (e.g. "grid.methods[2].name"), so every
// error a spec or site file can have names the exact key to fix.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mu::campaign {

class JsonPath {
 public:
  JsonPath(const nlohmann::json& value, std::string file, std::string path = "")
      : value_(&value), file_(std::move(file)), path_(std::move(path)) {}

  const nlohmann::json& value() const { return *value_; }
  const std::string& path() const { return path_; }
  bool has(const std::string& key) const;
  JsonPath operator[](const std::string& key) const;  // the key must exist
  JsonPath operator[](size_t index) const;
  size_t size() const { return value_->size(); }

  // Throws InputError "<file>: <path>: <expectation>".
  [[noreturn]] void fail(const std::string& expectation) const;
  // Fails on any key of this object that is not in `allowed`, naming that key.
  void requireKeys(const std::vector<std::string>& allowed) const;
  void requireObject() const;
  // A non-empty array.
  void requireList() const;
  std::string string() const;
  int64_t integer(int64_t min, int64_t max) const;
  double number(double min, double max) const;

 private:
  const nlohmann::json* value_;
  std::string file_;
  std::string path_;
};

}  // namespace mu::campaign
