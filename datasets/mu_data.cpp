// mu-data: turns a source dataset (IDX, CIFAR binary, SVHN .mat, trees of JPEG files) into the
// HDF5 shards every stage reads. Schema: docs/SCHEMA.md.

#include <iomanip>
#include <iostream>

#include "datasets/convert/class_subset.h"
#include "datasets/convert/converter.h"
#include "datasets/convert/image_tree_converter.h"
#include "datasets/formats/format_registry.h"
#include "pipeline/base/exit_code.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/runtime/every_rank.h"
#include "pipeline/runtime/mpi_runtime.h"

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

void printResult(const mu::ConvertOptions& options, const mu::ConvertResult& result) {
  if (result.alreadyConverted) {
    std::cout << "mu-data: " << options.outDir << " already holds this conversion; nothing to do\n";
    return;
  }
  std::cout << std::fixed << std::setprecision(2) << "mu-data: converted " << options.format << ": "
            << result.trainCount << " train + " << result.testCount << " test images in "
            << result.shardCount << " shards -> " << options.outDir;
  if (result.skipped > 0 || result.transcoded > 0) {
    std::cout << " (" << result.skipped << " skipped, " << result.transcoded
              << " re-encoded: see manifest.json)";
  }
  std::cout << " (read " << result.readSeconds << " s, write " << result.writeSeconds << " s)\n";
}

// Trees of image files convert on every rank of the MPI job (mpirun -np N mu-data convert ...);
// the formats read into memory convert on rank 0 while the others wait, so a campaign may give
// the data stage any number of ranks.
int convert(const mu::ConvertOptions& options) {
  options.validate();
  const mu::SourceFormat& format = mu::findSourceFormat(options.format);
  int argc = 0;
  char** argv = nullptr;
  const mu::MpiRuntime runtime(argc, argv);
  return mu::runOnEveryRank(runtime, "mu-data", [&] {
    if (format.listTree != nullptr) {
      const mu::ConvertResult result = mu::convertImageTree(options, format, runtime);
      if (runtime.rank() == 0) printResult(options, result);
    } else if (runtime.rank() == 0) {
      printResult(options, mu::convertDataset(options));
    }
    runtime.barrier();
    return static_cast<int>(mu::kExitOk);
  });
}

}  // namespace

int main(int argc, char** argv) {
  mu::ConvertOptions options;
  const std::vector<mu::Command> commands{
      {"convert",
       "source files -> HDF5 shards, manifest and validation split",
       "usage: [mpirun -np N] mu-data convert --format NAME [--source DIR] --out DIR [options]\n\n"
       "Writes <out>/manifest.json, <out>/{train,test}-NNNNN.h5 and the validation split\n"
       "<out>/split-seed<S>.h5. Rerunning an identical conversion does nothing. Trees of image\n"
       "files (imagenet, tinyimagenet, imagefolder) convert on every MPI rank; an interrupted\n"
       "one resumes from <out>.partial.",
       [&](mu::OptionTable& table) { options.registerOptions(table); },
       [&](const mu::ParsedCommandLine& parsed) {
         // `--classes ""` is an empty list, not the default's every class.
         if (parsed.given("classes")) mu::parseClassList(options.classes);
         return convert(options);
       },
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
