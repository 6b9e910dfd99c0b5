// mu-data: turns a source dataset (IDX, CIFAR binary, SVHN .mat) into the HDF5 shards every stage
// reads. Schema: docs/SCHEMA.md.

#include <iomanip>
#include <iostream>

#include "datasets/convert/converter.h"
#include "datasets/formats/format_registry.h"
#include "pipeline/base/exit_code.h"
#include "pipeline/cli/command_line.h"

namespace {

int listFormats() {
  for (const mu::SourceFormat& format : mu::sourceFormats()) {
    std::cout << std::left << std::setw(15) << format.name << format.description;
    if (!format.defaultSource.empty())
      std::cout << " (default source " << format.defaultSource << ")";
    std::cout << "\n";
  }
  return mu::kExitOk;
}

int convert(const mu::ConvertOptions& options) {
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
  mu::ConvertOptions options;
  const std::vector<mu::Command> commands{
      {"convert",
       "source files -> HDF5 shards, manifest and validation split",
       "usage: mu-data convert --format NAME [--source DIR] --out DIR [options]\n\n"
       "Writes <out>/manifest.json, <out>/{train,test}-NNNNN.h5 and the validation split\n"
       "<out>/split-seed<S>.h5. Rerunning an identical conversion does nothing.",
       [&](mu::OptionTable& table) { options.registerOptions(table); },
       [&](const mu::ParsedCommandLine&) { return convert(options); },
       {}},
      {"formats",
       "list the source formats",
       "usage: mu-data formats",
       {},
       [](const mu::ParsedCommandLine&) { return listFormats(); },
       {}},
  };
  return mu::runCommands("mu-data",
                         "usage: mu-data <command> [options]\n\n"
                         "Converts source datasets into the HDF5 shards every stage reads.",
                         commands, argc, argv);
}
