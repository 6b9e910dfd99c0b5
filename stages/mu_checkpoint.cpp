// mu-checkpoint: moves models between PyTorch and this pipeline. `import` turns a state dict
// saved by torch.save (a torchvision model's, or the reference's <method>checkpoint.pth.tar with
// pruned weights) into one of our checkpoints; `export` writes one of ours as a state dict that
// torch.load + load_state_dict accept. Not an MPI stage: one process, no run folder.
// Formats: docs/SCHEMA.md ("PyTorch interop").

#include <iostream>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/base/exit_code.h"
#include "pipeline/checkpoint/torch_interop.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/models/model_registry.h"

namespace {

// "0.4914,0.4822,0.4465" -> numbers; "" -> none.
std::vector<double> numberList(const std::string& text, const std::string& option) {
  std::vector<double> values;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    mu::requireOption(used == item.size() && !item.empty(), option,
                      "comma-separated numbers, one per input channel; got '" + text + "'");
    values.push_back(value);
  }
  return values;
}

std::string listText(const std::vector<double>& values) {
  std::ostringstream text;
  for (std::size_t i = 0; i < values.size(); ++i) text << (i > 0 ? "," : "") << values[i];
  return text.str();
}

struct ImportOptions {
  std::string from, out, arch = "resnet18", dataset, mean, std;
  int numClasses = 10;
  int inChannels = 3;
  bool imagenetStem = false;

  void registerOptions(mu::OptionTable& table) {
    table
        .add("from", &from,
             "the torch.save file: a state_dict, or a dict with a 'state_dict' entry")
        .add("out", &out, "our checkpoint to write (HDF5)")
        .addChoice("arch", &arch, mu::modelNames(), "the model the state dict belongs to")
        .add("dataset", &dataset, "the dataset the model was trained on (recorded)")
        .add("num-classes", &numClasses, "width of the final Linear layer")
        .add("in-channels", &inChannels, "input channels")
        .addFlag("imagenet-stem", &imagenetStem, "7x7/2 stem and max-pool (torchvision's ResNets)")
        .add("mean", &mean,
             "per-channel mean the model's inputs were normalised with, when the file has no "
             "normalize.mean (torchvision models); default: the model's (CIFAR-10 for 3 channels)")
        .add("std", &std, "per-channel std to go with --mean");
  }

  int run() const {
    mu::requireOption(!from.empty(), "from", "the torch.save file to import");
    mu::requireOption(!out.empty(), "out", "the checkpoint to write");
    mu::requireOption(!dataset.empty(), "dataset", "the dataset's name, e.g. cifar10");
    mu::ImportRequest request;
    request.from = from;
    request.out = out;
    request.dataset = dataset;
    request.spec.arch = arch;
    request.spec.numClasses = numClasses;
    request.spec.inChannels = inChannels;
    request.spec.imagenetStem = imagenetStem;
    request.spec.mean = numberList(mean, "mean");
    request.spec.std = numberList(std, "std");
    mu::requireOption(request.spec.mean.size() == request.spec.std.size(), "std",
                      "as many values as --mean");
    const mu::ImportReport report = mu::importTorchStateDict(request);
    std::cout << "mu-checkpoint: imported " << report.tensors << " tensors ("
              << report.maskedWeights << " pruned weights with masks) from " << from << " (sha256 "
              << report.sourceSha256 << ") -> " << out
              << "\nmu-checkpoint: the model normalises its input with mean "
              << listText(report.mean) << " std " << listText(report.std) << " ("
              << (report.normalisation == "file"      ? "from the file"
                  : report.normalisation == "options" ? "from --mean/--std"
                                                      : "the model's default")
              << ")\n";
    return mu::kExitOk;
  }
};

struct ExportOptions {
  std::string from, out, prunedFormat = "plain";
  bool withNormalize = false;

  void registerOptions(mu::OptionTable& table) {
    table.add("from", &from, "our checkpoint (HDF5)")
        .add("out", &out, "the torch.save file to write")
        .addChoice("pruned-format", &prunedFormat, {"plain", "reference"},
                   "pruned weights as <name> = weight*mask (plain) or as torch.nn.utils.prune's "
                   "<name>_orig + <name>_mask (reference)")
        .addFlag("with-normalize", &withNormalize,
                 "write normalize.mean/std, as the reference's models have (torchvision's do not)");
  }

  int run() const {
    mu::requireOption(!from.empty(), "from", "the checkpoint to export");
    mu::requireOption(!out.empty(), "out", "the torch.save file to write");
    mu::ExportRequest request;
    request.from = from;
    request.out = out;
    request.pruned =
        prunedFormat == "reference" ? mu::PrunedFormat::kReference : mu::PrunedFormat::kPlain;
    request.includeNormalize = withNormalize;
    const mu::ExportReport report = mu::exportTorchStateDict(request);
    std::cout << "mu-checkpoint: exported " << report.tensors << " tensors of " << report.arch
              << " (" << report.maskedWeights << " pruned weights, " << prunedFormat << ") from "
              << from << " -> " << out << "\n";
    if (!withNormalize) {
      std::cout << "mu-checkpoint: the model expects input normalised with mean "
                << listText(report.mean) << " std " << listText(report.std) << "\n";
    }
    return mu::kExitOk;
  }
};

}  // namespace

int main(int argc, char** argv) {
  ImportOptions importOptions;
  ExportOptions exportOptions;
  const std::vector<mu::Command> commands{
      {"import",
       "a PyTorch state dict (torch.save) -> our checkpoint",
       "usage: mu-checkpoint import --from X.pth --out Y.h5 --arch NAME --dataset NAME\n"
       "                            [--num-classes N] [--in-channels C] [--imagenet-stem]\n"
       "                            [--mean a,b,c --std a,b,c]\n\n"
       "Reads a state dict, or the 'state_dict' entry of a checkpoint dict (the reference's\n"
       "<method>checkpoint.pth.tar; its other entries are ignored), removes a 'module.' prefix,\n"
       "turns <name>_orig + <name>_mask (torch.nn.utils.prune) into a weight and its mask, and\n"
       "writes our checkpoint with masks. Any missing, unexpected or misshapen tensor is bad\n"
       "input (exit 2) and nothing is written.",
       [&](mu::OptionTable& table) { importOptions.registerOptions(table); },
       [&](const mu::ParsedCommandLine&) { return importOptions.run(); },
       {}},
      {"export",
       "our checkpoint -> a PyTorch state dict for torch.load",
       "usage: mu-checkpoint export --from Y.h5 --out X.pth [--pruned-format plain|reference]\n"
       "                            [--with-normalize]\n\n"
       "Writes a dict name -> tensor that load_state_dict(strict=True) of the matching\n"
       "torchvision model accepts (with --pruned-format reference --with-normalize: the\n"
       "reference's pruned model).",
       [&](mu::OptionTable& table) { exportOptions.registerOptions(table); },
       [&](const mu::ParsedCommandLine&) { return exportOptions.run(); },
       {}},
  };
  return mu::runCommands("mu-checkpoint",
                         "usage: mu-checkpoint <command> [options]\n\n"
                         "Moves models between PyTorch state dicts and our checkpoints.",
                         commands, argc, argv);
}
