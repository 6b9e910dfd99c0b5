#include "tests/support/damaged_hdf5.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "pipeline/base/error.h"
#include "pipeline/io/text_file.h"
#include "tests/support/test_support.h"

namespace mu::test {
namespace {

std::string littleEndian(uint64_t value, size_t count) {
  std::string bytes;
  for (size_t i = 0; i < count; ++i, value >>= 8) bytes += static_cast<char>(value & 0xff);
  return bytes;
}

uint64_t littleEndianAt(const std::string& bytes, size_t offset, size_t count) {
  uint64_t value = 0;
  for (size_t i = count; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return value;
}

}  // namespace

void rewriteInOldestFormat(const std::string& path) {
  const std::string rewritten = path + ".oldest";
  const CommandResult repack = runCommand("h5repack " + path + " " + rewritten);
  if (repack.exitCode != 0) throw std::runtime_error("h5repack failed: " + repack.output);
  std::filesystem::rename(rewritten, path);
}

std::vector<uint64_t> findInFile(const std::string& path, const std::string& bytes) {
  const std::string content = readTextFile(path);
  std::vector<uint64_t> offsets;
  for (size_t at = content.find(bytes); at != std::string::npos; at = content.find(bytes, at + 1))
    offsets.push_back(at);
  return offsets;
}

uint8_t byteAt(const std::string& path, uint64_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  const int byte = in.get();
  if (byte == std::char_traits<char>::eof()) throw std::runtime_error("no byte there: " + path);
  return static_cast<uint8_t>(byte);
}

void flipByte(const std::string& path, uint64_t offset) {
  const auto flipped = static_cast<char>(byteAt(path, offset) ^ 0xff);
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  file.seekp(static_cast<std::streamoff>(offset));
  file.put(flipped);
}

uint64_t oldestFormatExtentByte(const std::string& path, const std::vector<uint64_t>& shape) {
  // Dataspace message version 1: version, rank, flags (1: maximum extents follow), 5 reserved
  // bytes, then the extents, 8 bytes each.
  std::string message{1, static_cast<char>(shape.size()), 1, 0, 0, 0, 0, 0};
  for (uint64_t extent : shape) message += littleEndian(extent, 8);
  const std::vector<uint64_t> found = findInFile(path, message);
  EXPECT_EQ(found.size(), 1u) << "dataspaces of that shape in " << path;
  return found.empty() ? 0 : found.front() + 8 + 4;
}

uint64_t oldestFormatLinkNameByte(const std::string& path, int links) {
  // Symbol table node: "SNOD", version, reserved, the number of links (2 bytes), then one entry
  // per link, whose first 8 bytes are the offset of its name in the group's local heap.
  const std::string content = readTextFile(path);
  std::vector<uint64_t> nodes;
  for (uint64_t node : findInFile(path, "SNOD")) {
    if (littleEndianAt(content, node + 6, 2) == static_cast<uint64_t>(links)) nodes.push_back(node);
  }
  EXPECT_EQ(nodes.size(), 1u) << "groups of " << links << " links in " << path;
  return nodes.empty() ? 0 : nodes.front() + 8 + 7;
}

void expectInChildProcess(const std::function<bool()>& scenario) {
  // "threadsafe": the child starts afresh and runs the test up to here, so LibTorch's threads in
  // this process cannot deadlock it.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(scenario() ? 0 : 1), ::testing::ExitedWithCode(0), "");
}

bool namesDamage(const std::string& path, const std::function<void()>& read) {
  try {
    read();
    std::cerr << "read " << path << " without an error\n";
    return false;
  } catch (const InputError& error) {
    const std::string message = error.what();
    const bool named = message.find(path) != std::string::npos &&
                       message.find("damaged or not written by this program") != std::string::npos;
    std::cerr << (named ? "" : "an InputError that does not name the damage: ") << message << "\n";
    return named;
  } catch (const std::exception& error) {
    std::cerr << "not an InputError: " << error.what() << "\n";
    return false;
  }
}

}  // namespace mu::test
