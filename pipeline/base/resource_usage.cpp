#include "pipeline/base/resource_usage.h"

#include <sys/resource.h>

namespace mu {

double peakResidentMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace mu
