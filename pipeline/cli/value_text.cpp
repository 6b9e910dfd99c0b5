#include "pipeline/cli/value_text.h"

#include <cstdio>
#include <cstdlib>

namespace mu {

std::string shortestText(double value) {
  char text[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

}  // namespace mu
