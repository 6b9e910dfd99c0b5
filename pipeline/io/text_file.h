#pragma once
// Small readers the campaign tool shares: a whole text file, and a string field of a JSON object.
// (Written with read() and get_ref() because istreambuf_iterator and json::value() trip GCC 12's
// -Wnull-dereference at -O2 inside the standard and nlohmann headers.)

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mu {

// InputError naming `path` when it cannot be read.
std::string readTextFile(const std::string& path);
// The same as bytes (an image file).
std::vector<uint8_t> readBinaryFile(const std::string& path);

// object[key] when it is a string, otherwise `fallback`.
std::string stringField(const nlohmann::json& object, const std::string& key,
                        const std::string& fallback = "");
// object[key] when it is an integer, otherwise `fallback`.
int64_t integerField(const nlohmann::json& object, const std::string& key, int64_t fallback);

}  // namespace mu
