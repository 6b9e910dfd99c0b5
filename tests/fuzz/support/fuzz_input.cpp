#include "tests/fuzz/support/fuzz_input.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mu::fuzz {
namespace fs = std::filesystem;

std::vector<std::string_view> splitParts(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = input.find(kPartSeparator, start);
    if (end == std::string_view::npos) {
      parts.push_back(input.substr(start));
      return parts;
    }
    parts.push_back(input.substr(start, end - start));
    start = end + kPartSeparator.size();
  }
}

ScratchFolder::ScratchFolder() {
  // tmpfs: the fuzzer writes thousands of small files a second and the disk should not see them.
  // bench/fuzz.sh names a parent it removes afterwards: a crash leaves this folder behind.
  const char* parent = std::getenv("MU_FUZZ_SCRATCH");
  const fs::path base = parent                         ? fs::path(parent)
                        : fs::is_directory("/dev/shm") ? fs::path("/dev/shm")
                                                       : fs::temp_directory_path();
  std::string pattern = (base / "mu-fuzz-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot make a folder in " + base.string());
  path_ = pattern;
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void ScratchFolder::clear() const {
  for (const fs::directory_entry& entry : fs::directory_iterator(path_)) {
    fs::remove_all(entry.path());
  }
}

std::string ScratchFolder::write(const std::string& name, std::string_view bytes) const {
  const fs::path file = fs::path(path_) / name;
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
  return file.string();
}

const ScratchFolder& scratch() {
  static const ScratchFolder folder;
  return folder;
}

}  // namespace mu::fuzz
