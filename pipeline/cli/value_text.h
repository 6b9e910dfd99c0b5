#pragma once
// A value as a person writes it, for --help defaults: 0.1 and 5e-04 rather than
// 0.10000000000000001, true/false for booleans, strings as they are.

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace mu {

// The shortest decimal text that reads back as exactly `value` ("%.{1..17}g").
std::string shortestText(double value);

// Comma-separated integers ("91,136"; "" is none), or nothing when an item is not a whole integer.
std::optional<std::vector<int64_t>> integerList(const std::string& text);

template <typename T>
std::string valueText(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    return shortestText(static_cast<double>(value));
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else {
    return std::string(value);
  }
}

}  // namespace mu
