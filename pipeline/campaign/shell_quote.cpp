#include "pipeline/campaign/shell_quote.h"

#include <algorithm>
#include <cctype>

namespace mu::campaign {

std::string shellQuote(const std::string& value) {
  const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string("_./:=,+@%-").find(c) != std::string::npos;
  });
  if (plain) return value;
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string shellJoin(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) line += (line.empty() ? "" : " ") + shellQuote(word);
  return line;
}

}  // namespace mu::campaign
