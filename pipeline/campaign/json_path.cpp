#include "pipeline/campaign/json_path.h"

#include <algorithm>

#include "pipeline/base/error.h"

namespace mu::campaign {

bool JsonPath::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

JsonPath JsonPath::operator[](const std::string& key) const {
  const std::string child = path_.empty() ? key : path_ + "." + key;
  if (!has(key)) JsonPath(*value_, file_, child).fail("missing");
  return JsonPath(value_->at(key), file_, child);
}

JsonPath JsonPath::operator[](size_t index) const {
  return JsonPath(value_->at(index), file_, path_ + "[" + std::to_string(index) + "]");
}

void JsonPath::fail(const std::string& expectation) const {
  throw InputError(file_, path_.empty() ? "(document)" : path_, expectation);
}

void JsonPath::requireObject() const {
  if (!value_->is_object()) fail("expected an object, got " + value_->dump());
}

void JsonPath::requireKeys(const std::vector<std::string>& allowed) const {
  requireObject();
  for (const auto& item : value_->items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      std::string known;
      for (const std::string& key : allowed) known += (known.empty() ? "" : ", ") + key;
      const std::string child = path_.empty() ? item.key() : path_ + "." + item.key();
      JsonPath(item.value(), file_, child).fail("unknown key (known: " + known + ")");
    }
  }
}

void JsonPath::requireList() const {
  if (!value_->is_array()) fail("expected a list, got " + value_->dump());
  if (value_->empty()) fail("an empty list leaves nothing to run");
}

std::string JsonPath::string() const {
  if (!value_->is_string()) fail("expected a string, got " + value_->dump());
  return value_->get<std::string>();
}

int64_t JsonPath::integer(int64_t min, int64_t max) const {
  if (!value_->is_number_integer()) fail("expected an integer, got " + value_->dump());
  const int64_t result = value_->get<int64_t>();
  if (result < min || result > max) {
    fail("expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
         std::to_string(result));
  }
  return result;
}

double JsonPath::number(double min, double max) const {
  if (!value_->is_number()) fail("expected a number, got " + value_->dump());
  const double result = value_->get<double>();
  if (!(result >= min && result <= max)) {
    fail("expected a number in [" + nlohmann::json(min).dump() + ", " + nlohmann::json(max).dump() +
         "], got " + value_->dump());
  }
  return result;
}

}  // namespace mu::campaign
