#include "datasets/formats/format_registry.h"

#include "pipeline/base/error.h"

namespace mu {

// The entries of registered_formats.def, each defined in its reader's file.
#define MU_SOURCE_FORMAT(entry) SourceFormat entry();
#include "datasets/formats/registered_formats.def"
#undef MU_SOURCE_FORMAT

const std::vector<SourceFormat>& sourceFormats() {
  static const std::vector<SourceFormat> registered{
#define MU_SOURCE_FORMAT(entry) entry(),
#include "datasets/formats/registered_formats.def"
#undef MU_SOURCE_FORMAT
  };
  return registered;
}

std::vector<std::string> sourceFormatNames() {
  std::vector<std::string> names;
  for (const SourceFormat& format : sourceFormats()) names.push_back(format.name);
  return names;
}

const SourceFormat& findSourceFormat(const std::string& name) {
  std::string valid;
  for (const SourceFormat& format : sourceFormats()) {
    if (format.name == name) return format;
    valid += (valid.empty() ? "" : ", ") + format.name;
  }
  throw InputError("unknown format '" + name + "' (valid: " + valid + ")");
}

}  // namespace mu
