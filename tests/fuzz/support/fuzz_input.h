#pragma once
// What every harness shares: the fuzzer's bytes as the files a parser reads, and the line between
// a parser's documented refusal and a finding.
//
// Most parsers take paths, so the bytes are written to files in a private folder on tmpfs and the
// real reader opens them. A parser that reads several files (an IDX dataset's four, a dataset
// folder's manifest and shards) gets them from one input split at kPartSeparator: part i becomes
// file i, and a part that is not there is a file that is not there.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mu::fuzz {

// Between the parts of a multi-file input (tests/fuzz/parts.dict tells libFuzzer about it).
inline constexpr std::string_view kPartSeparator = "\n=part=\n";

std::vector<std::string_view> splitParts(const uint8_t* data, size_t size);

// A folder of its own under $MU_FUZZ_SCRATCH, else /dev/shm (the system temp folder where there
// is none), emptied for every input and removed when the process ends normally.
class ScratchFolder {
 public:
  ScratchFolder();
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const std::string& path() const { return path_; }
  // Removes everything inside, so no file of the last input leaks into this one.
  void clear() const;
  // Writes `bytes` to path()/`name` (folders on the way are made) and returns its path.
  std::string write(const std::string& name, std::string_view bytes) const;

 private:
  std::string path_;
};

// The harness's folder, made on first use: one per process, as libFuzzer runs one input at a time.
const ScratchFolder& scratch();

}  // namespace mu::fuzz
