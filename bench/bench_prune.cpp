// Median time to compute a global pruning mask over ResNet-18's 11,159,232 conv weights: the
// magnitude mask at rate 0.95 (OMP) and one random mask. Target: well under a second each.
// --smoke: one timing each (for CI's bench_smoke_test).

#include <torch/torch.h>

#include <cstdio>

#include "bench/bench_timing.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/masks/sparsity_report.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/pruning/global_pruning.h"

namespace {

int run(bool smoke) {
  const int repeats = smoke ? 1 : 5;
  torch::manual_seed(0);
  mu::ModelSpec spec;
  spec.arch = "resnet18";
  const auto model = mu::makeModel(spec);
  mu::TensorMap masks;
  const double magnitude = mu::bench::medianSeconds(
      repeats, [&] { masks = mu::globalMagnitudeMasks(*model, {}, 0.95); });
  const mu::SparsityReport report = mu::sparsityReport(*model, masks);
  const double random = mu::bench::medianSeconds(
      repeats, [&] { masks = mu::globalRandomMasks(*model, {}, 0.95, 1); });
  std::printf("bench_prune: resnet18 %lld conv weights, rate 0.95 keeps %lld; threads %d\n",
              static_cast<long long>(report.total), static_cast<long long>(report.remaining),
              torch::get_num_threads());
  std::printf("bench_prune: global magnitude mask %.3f s, random mask %.3f s (median of %d)\n",
              magnitude, random, repeats);
  std::printf("summary: magnitude mask %.3f s, random mask %.3f s (target well under 1 s each)\n",
              magnitude, random);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = false;
  mu::OptionTable table;
  table.addFlag("smoke", &smoke, "one timing each: seconds (CI's bench_smoke_test)");
  return mu::runWithOptions({"bench_prune", "usage: bench_prune [--smoke]", {}}, table, argc, argv,
                            [&] { return run(smoke); });
}
