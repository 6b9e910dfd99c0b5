#include "pipeline/base/error.h"

namespace mu {

InputError::InputError(const std::string& file, const std::string& field,
                       const std::string& expectation)
    : std::runtime_error(file + ": " + field + ": " + expectation) {}

void requireOption(bool ok, const std::string& option, const std::string& expectation) {
  if (!ok) throw InputError("--" + option, "value", expectation);
}

}  // namespace mu
