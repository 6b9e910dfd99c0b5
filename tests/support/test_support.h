#pragma once
// Helpers shared by the test binaries: scratch folders, running programs, reading gzip files.

#include <string>
#include <vector>

namespace mu::test {

// A fresh folder under the test working directory, removed when the object goes away.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line and captures what it printed.
CommandResult runCommand(const std::string& commandLine);

// Path of one of our built programs (build/bin/<name>).
std::string programPath(const std::string& name);

// Decompresses a whole gzip (or plain) file with zlib.
std::vector<unsigned char> readGzipFile(const std::string& path);

// Names of the entries in a folder (files and folders), sorted.
std::vector<std::string> listFolder(const std::string& path);

// The pid of a process that has ended: what a writer killed mid-write leaves in its temporary
// file's name ("<name>.tmp-<pid>-<n>").
int endedProcessId();

}  // namespace mu::test
