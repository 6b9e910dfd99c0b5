#pragma once
// POSIX shell quoting: every value a spec or site file puts into a generated script or a printed
// command goes through here, so no name can run shell code.

#include <string>
#include <vector>

namespace mu::campaign {

// 'value' with each ' written as '\'' ; plain words of [A-Za-z0-9_./:=,+@%-] stay unquoted.
std::string shellQuote(const std::string& value);
// The words quoted and joined by spaces.
std::string shellJoin(const std::vector<std::string>& words);

}  // namespace mu::campaign
