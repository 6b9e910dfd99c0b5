#include "pipeline/error.h"

namespace mu {

InputError::InputError(const std::string& file, const std::string& field,
                       const std::string& expectation)
    : std::runtime_error(file + ": " + field + ": " + expectation) {}

}  // namespace mu
