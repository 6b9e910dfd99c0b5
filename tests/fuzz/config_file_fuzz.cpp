// A --config file ("name = value" lines, Boost's config-file syntax) as every stage program
// parses it: an option table of the kinds the stages declare (text, whole numbers, fractions,
// flags, a closed choice), read as `program --config FILE`, then the table's JSON and hash.

#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/cli/option_table.h"
#include "tests/fuzz/support/fuzz_input.h"

namespace {

// The values one parse writes into; fresh for every input.
struct Options {
  std::string data;
  int64_t epochs = 182;
  uint32_t seed = 1;
  double lr = 0.1;
  std::string schedule = "multistep";
  bool quiet = false;
  int threads = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::string path = folder.write("options.cfg", {reinterpret_cast<const char*>(data), size});
  Options options;
  mu::OptionTable table;
  table.add("data", &options.data, "dataset folder")
      .add("epochs", &options.epochs, "epochs")
      .add("seed", &options.seed, "seed")
      .add("lr", &options.lr, "learning rate")
      .addChoice("lr-schedule", &options.schedule, {"multistep", "cosine"}, "schedule")
      .addFlag("quiet", &options.quiet, "no progress lines", mu::OptionTable::Effect::kOperational)
      .add("threads", &options.threads, "threads", mu::OptionTable::Effect::kOperational);
  const char* const argv[] = {"mu-fuzz", "--config", path.c_str()};
  try {
    mu::parseCommandLine(3, argv, table, {"mu-fuzz", "mu-fuzz [options]", {}});
    table.toJson();
    table.configHash();
  } catch (const mu::InputError&) {
    // A refusal naming the option (Boost's message, "see --help"): what a bad file should get.
  }
  return 0;
}
