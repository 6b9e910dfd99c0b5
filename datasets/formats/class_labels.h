#pragma once
// Class names and label checks shared by the format readers.

#include <cstdint>
#include <string>
#include <vector>

namespace mu {

// "0", "1", ..., for datasets whose classes are digits or have no shipped names.
std::vector<std::string> numberedClassNames(int count);

// One class name per non-empty line of `path` (CIFAR's batches.meta.txt, fine_label_names.txt),
// surrounding whitespace trimmed. Throws InputError unless there are exactly `count`.
std::vector<std::string> readClassNamesFile(const std::string& path, int count);

// Throws InputError naming the file, the sample index, the label and the valid range unless
// first <= label <= last. Labels are int64 so no source value can wrap before it is checked.
void checkLabelRange(const std::string& file, int64_t sample, int64_t label, int64_t first,
                     int64_t last);

}  // namespace mu
