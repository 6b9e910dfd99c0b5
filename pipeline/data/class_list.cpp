#include "pipeline/data/class_list.h"

#include <algorithm>
#include <optional>

#include "pipeline/base/error.h"
#include "pipeline/cli/value_text.h"
#include "pipeline/io/json_number.h"

namespace mu {

ClassList::ClassList(std::vector<int64_t> classes) : classes_(std::move(classes)) {
  if (classes_.empty()) throw InputError("--forget-class", "value", "at least one class");
  std::vector<int64_t> sorted = classes_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw InputError("--forget-class", "value", "each class once, got " + text());
  }
}

bool ClassList::contains(int64_t label) const {
  return std::find(classes_.begin(), classes_.end(), label) != classes_.end();
}

std::string ClassList::text() const {
  std::string out;
  for (const int64_t label : classes_) out += (out.empty() ? "" : ",") + std::to_string(label);
  return out;
}

ClassList ClassList::parse(const std::string& text) {
  std::optional<std::vector<int64_t>> classes = integerList(text);
  if (!classes) {
    throw InputError(
        "--forget-class", "value",
        "a class number or a comma-separated list of them (1,4,7), got '" + text + "'");
  }
  return ClassList(std::move(*classes));
}

std::istream& operator>>(std::istream& in, ClassList& list) {
  std::string text;
  in >> text;
  list = ClassList::parse(text);
  return in;
}

void to_json(nlohmann::json& out, const ClassList& list) {
  if (list.classes().size() == 1) {
    out = list.classes().front();
  } else {
    out = list.classes();
  }
}

void from_json(const nlohmann::json& in, ClassList& list) {
  // Stored classes are whole numbers: a fraction or 1e99 is refused, not cut or left undefined.
  list = in.is_array() ? ClassList(jsonIntegers<int64_t>(in, "class list", "classes"))
                       : ClassList(jsonInteger<int64_t>(in, "class list", "classes"));
}

}  // namespace mu
