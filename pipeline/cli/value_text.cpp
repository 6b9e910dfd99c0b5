#include "pipeline/cli/value_text.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace mu {

std::string shortestText(double value) {
  char text[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

std::optional<std::vector<int64_t>> integerList(const std::string& text) {
  std::vector<int64_t> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    size_t used = 0;
    try {
      values.push_back(std::stoll(item, &used));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (used != item.size()) return std::nullopt;
  }
  return values;
}

}  // namespace mu
