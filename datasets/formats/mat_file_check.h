#pragma once

#include <string>

namespace mu {

// Checks a MATLAB v5 .mat file's structure before matio reads it, and throws InputError naming
// the file (and the variable, once its name is known) when it is damaged. matio trusts the sizes
// a file claims and allocates them before reading, so a few damaged bytes could make it ask for
// gigabytes. Checked:
//  - the file is MATLAB v5 (v4 and v7.3 are refused by name);
//  - every top-level element fits in the file;
//  - every array, zlib-compressed or not, holds only numeric or character data (what SVHN's files
//    hold: cell arrays, structures and objects make matio allocate one entry per claimed
//    element), its header parts fit in it, and its dimensions claim no more elements than its
//    bytes can hold (a compressed array: no more than zlib's best ratio allows).
void checkMatFileStructure(const std::string& path);

}  // namespace mu
