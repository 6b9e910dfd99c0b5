#pragma once

namespace mu {
// "<project version>+<git describe>", generated at build time (cmake/WriteCodeVersion.cmake).
const char* codeVersion();
}  // namespace mu
