#pragma once
// Integer fields of JSON files read exactly: nlohmann's get<T>() of a number cuts a fraction
// (3.5 -> 3) and leaves one out of T's range (1e99 as int) undefined behaviour, so readers of
// integer fields go through these and get InputError naming the file and the field instead.

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/base/error.h"

namespace mu {

// Whether the number `value` is a whole number T holds (3 and 3.0 are; 3.5, -1 for an unsigned
// type and 1e99 are not).
template <typename T>
bool holdsInteger(const nlohmann::json& value) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  constexpr T lowest = std::numeric_limits<T>::min(), highest = std::numeric_limits<T>::max();
  if (value.is_number_unsigned()) return value.get<uint64_t>() <= uint64_t{highest};
  if (value.is_number_integer()) {
    const int64_t number = value.get<int64_t>();
    if constexpr (std::is_signed_v<T>) {
      return number >= lowest && number <= highest;
    } else {
      return number >= 0 && static_cast<uint64_t>(number) <= highest;
    }
  }
  const double number = value.get<double>();
  // highest + 1.0 is exact (a power of two) where highest itself rounds up to it.
  return std::floor(number) == number && number >= static_cast<double>(lowest) &&
         number < static_cast<double>(highest) + 1.0;
}

// value.get<T>() for an integer field: a number T does not hold exactly is InputError naming
// `file` and `field`; a value of another type throws get<T>()'s json::type_error, as before.
template <typename T>
T jsonInteger(const nlohmann::json& value, const std::string& file, const std::string& field) {
  if (value.is_number() && !holdsInteger<T>(value)) {
    throw InputError(file, field,
                     "expected a whole number in " + std::to_string(std::numeric_limits<T>::min()) +
                         ".." + std::to_string(std::numeric_limits<T>::max()) + ", found " +
                         value.dump());
  }
  return value.get<T>();
}

// The same for an array of integers.
template <typename T>
std::vector<T> jsonIntegers(const nlohmann::json& value, const std::string& file,
                            const std::string& field) {
  if (!value.is_array()) return value.get<std::vector<T>>();  // its own type_error
  std::vector<T> numbers;
  for (const nlohmann::json& element : value) {
    numbers.push_back(jsonInteger<T>(element, file, field));
  }
  return numbers;
}

}  // namespace mu
