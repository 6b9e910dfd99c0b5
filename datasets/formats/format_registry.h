#pragma once
// The source formats mu-data can convert, by name: the only list of them (mu-data's --format
// choices, `mu-data formats`, and through `mu-data convert --describe` the campaign's specs).
// Formats register in registered_formats.def.

#include <string>
#include <vector>

#include "datasets/formats/source_format.h"

namespace mu {

const std::vector<SourceFormat>& sourceFormats();
std::vector<std::string> sourceFormatNames();

// Throws InputError listing the valid names when `name` is unknown.
const SourceFormat& findSourceFormat(const std::string& name);

}  // namespace mu
