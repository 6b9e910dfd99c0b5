// mu-data: turns a source dataset (IDX, CIFAR binary, SVHN .mat) into the HDF5 shards every stage
// reads. Schema: docs/SCHEMA.md.

#include <iomanip>
#include <iostream>

#include "datasets/convert/converter.h"
#include "datasets/formats/format_registry.h"
#include "pipeline/command_line.h"
#include "pipeline/error.h"

namespace {

constexpr const char* kUsage =
    "usage: mu-data convert --format NAME [--source DIR] --out DIR [options]\n"
    "       mu-data formats\n\n"
    "convert writes <out>/manifest.json, <out>/{train,test}-NNNNN.h5 and the validation split\n"
    "<out>/split-seed<S>.h5. Rerunning an identical conversion does nothing.";

int listFormats() {
  for (const mu::SourceFormat& format : mu::sourceFormats()) {
    std::cout << std::left << std::setw(15) << format.name << format.description;
    if (!format.defaultSource.empty())
      std::cout << " (default source " << format.defaultSource << ")";
    std::cout << "\n";
  }
  return mu::kExitOk;
}

int convert(int argc, const char* const argv[]) {
  mu::ConvertOptions options;
  mu::po::options_description description("mu-data convert options");
  int64_t splitSeed = options.splitSeed;
  description.add_options()("format", mu::po::value(&options.format)->required(),
                            "source format: fashion-mnist, mnist, cifar10, cifar100, svhn")(
      "source", mu::po::value(&options.sourceDir),
      "folder with the source files (default: the format's installed copy, if any)")(
      "out", mu::po::value(&options.outDir)->required(), "output dataset folder")(
      "shard-size", mu::po::value(&options.shardSize)->default_value(options.shardSize),
      "samples per shard file")("split-seed", mu::po::value(&splitSeed)->default_value(splitSeed),
                                "seed of the train/validation split stored with the shards")(
      "val-fraction", mu::po::value(&options.valFraction)->default_value(options.valFraction),
      "fraction of each class held out for validation");
  mu::po::variables_map values;
  if (!mu::parseCommandLine(argc, argv, description, values, kUsage)) return mu::kExitOk;
  if (splitSeed < 0 || splitSeed > 0xFFFFFFFFLL) {
    throw mu::InputError("--split-seed must be in [0, 2^32), got " + std::to_string(splitSeed));
  }
  options.splitSeed = static_cast<uint32_t>(splitSeed);

  const mu::ConvertResult result = mu::convertDataset(options);
  if (result.alreadyConverted) {
    std::cout << "mu-data: " << options.outDir << " already holds this conversion; nothing to do\n";
    return mu::kExitOk;
  }
  std::cout << std::fixed << std::setprecision(2) << "mu-data: converted " << options.format << ": "
            << result.trainCount << " train + " << result.testCount << " test images in "
            << result.shardCount << " shards -> " << options.outDir << " (read "
            << result.readSeconds << " s, write " << result.writeSeconds << " s)\n";
  return mu::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return mu::runProgram("mu-data", [&] {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "convert") return convert(argc - 1, argv + 1);
    if (command == "formats") return listFormats();
    if (command == "--help" || command == "-h") {
      std::cout << kUsage << "\n";
      return static_cast<int>(mu::kExitOk);
    }
    throw mu::InputError("unknown command '" + command + "' (valid: convert, formats)\n" + kUsage);
  });
}
