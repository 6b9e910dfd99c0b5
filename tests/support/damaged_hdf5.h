#pragma once
// Damaging real HDF5 files one byte at a time, at the structures whose damage the HDF5 layer
// must name instead of crashing or failing with a library message, and checking that it does.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mu::test {

// Rewrites `path` in place in HDF5's oldest format (h5repack's default), as every file was
// written before ours carried checksums: nothing in its metadata is verified on reading.
void rewriteInOldestFormat(const std::string& path);

// Where `bytes` occurs in the file, every time, in order.
std::vector<uint64_t> findInFile(const std::string& path, const std::string& bytes);

// The byte at `offset` of the file, and the same byte xor 255 written back.
uint8_t byteAt(const std::string& path, uint64_t offset);
void flipByte(const std::string& path, uint64_t offset);

// In a file of the oldest format: the fifth byte of the first extent of the dataset or attribute
// of exactly this shape (its version-1 dataspace message), whose flip makes the extent about
// 2^40 larger: within HDF5's limits, beyond any memory. A test failure and 0 when there is none.
uint64_t oldestFormatExtentByte(const std::string& path, const std::vector<uint64_t>& shape);

// In a file of the oldest format: the most significant byte of the name's heap offset of the
// first link in the one group holding exactly `links` links (its symbol table node); a test
// failure and 0 when no single group does.
uint64_t oldestFormatLinkNameByte(const std::string& path, int links);

// Runs `scenario` in a child process, so that a crash there fails the test instead of ending the
// test program, and expects it to return true: whatever it writes and damages stays in the
// child (its scratch folders included).
void expectInChildProcess(const std::function<bool()>& scenario);

// True when `read` throws the InputError of a damaged file naming `path`; otherwise false, with
// what it did instead on stderr (where a failing expectInChildProcess shows it).
bool namesDamage(const std::string& path, const std::function<void()>& read);

}  // namespace mu::test
