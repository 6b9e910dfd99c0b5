#pragma once
// SHA-256 of a file's bytes, hex encoded (what `sha256sum` prints), for source checksums.

#include <string>

namespace mu {
std::string sha256OfFile(const std::string& path);
std::string sha256OfString(const std::string& bytes);
}  // namespace mu
