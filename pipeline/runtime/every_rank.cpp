#include "pipeline/runtime/every_rank.h"

#include <cstdio>

#include "pipeline/base/error.h"
#include "pipeline/base/exit_code.h"

namespace mu {
namespace {

int fail(const MpiRuntime& runtime, const std::string& program, const std::string& message,
         int exitCode) {
  if (runtime.size() > 1) MpiRuntime::abortAll(program + ": " + message, exitCode);
  std::fprintf(stderr, "%s: error: %s\n", program.c_str(), message.c_str());
  return exitCode;
}

}  // namespace

int runOnEveryRank(const MpiRuntime& runtime, const std::string& program,
                   const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputError& error) {
    return fail(runtime, program, error.what(), kExitBadInput);
  } catch (const DivergedError& error) {
    return fail(runtime, program, error.what(), kExitDiverged);
  } catch (const std::exception& error) {
    return fail(runtime, program, error.what(), kExitFailure);
  }
}

}  // namespace mu
