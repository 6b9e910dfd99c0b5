#pragma once
// The classes a class-wise forget request names: one (--forget-class 3) or several
// (--forget-class 1,4,7: source-class removal before transfer, docs/reference-behaviour.md §3).
// One class is written, stored and hashed as the plain number it always was, so runs named before
// lists existed keep their names and their files read back.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace mu {

class ClassList {
 public:
  ClassList() = default;
  explicit ClassList(std::vector<int64_t> classes);
  ClassList(int64_t only) : ClassList(std::vector<int64_t>{only}) {}  // NOLINT: a class is a list

  const std::vector<int64_t>& classes() const { return classes_; }
  bool contains(int64_t label) const;
  // "3", or "1,4,7" (the option's syntax).
  std::string text() const;
  explicit operator std::string() const { return text(); }

  // "1,4,7" with no repeats; InputError naming --forget-class otherwise.
  static ClassList parse(const std::string& text);

  bool operator==(const ClassList& other) const { return classes_ == other.classes_; }

 private:
  std::vector<int64_t> classes_{0};
};

// For Boost.Program_options, which reads option values with operator>>.
std::istream& operator>>(std::istream& in, ClassList& list);

// A number for one class, else an array; either reads back.
void to_json(nlohmann::json& out, const ClassList& list);
void from_json(const nlohmann::json& in, ClassList& list);

}  // namespace mu
