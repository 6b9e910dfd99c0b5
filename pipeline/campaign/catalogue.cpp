#include "pipeline/campaign/catalogue.h"

#include <algorithm>

#include "pipeline/base/error.h"
#include "pipeline/campaign/process.h"

namespace mu::campaign {
namespace {

using nlohmann::json;

std::vector<ProgramOption> parseOptions(const json& description) {
  std::vector<ProgramOption> options;
  for (const json& entry : description.at("options")) {
    ProgramOption option;
    option.name = entry.at("name").get_ref<const std::string&>();
    if (entry.contains("choices")) {
      option.choices = entry.at("choices").get<std::vector<std::string>>();
    }
    // Compared, not converted: GCC 12 misreads nlohmann's inlined bool conversion at -O2.
    option.flag = entry.contains("flag") && entry.at("flag") == json(true);
    options.push_back(std::move(option));
  }
  return options;
}

std::vector<UnlearningMethodInfo> parseMethods(const json& description) {
  std::vector<UnlearningMethodInfo> methods;
  for (const json& entry : description.at("methods")) {
    methods.push_back({entry.at("name").get_ref<const std::string&>(),
                       entry.at("title").get_ref<const std::string&>(),
                       entry.at("exact") == json(true),
                       entry.at("options").get<std::vector<std::string>>()});
  }
  return methods;
}

}  // namespace

Catalogue Catalogue::fromPrograms(const std::string& binDir) {
  std::map<Stage, StartedProgram> started;
  for (Stage stage : allStages()) {
    std::vector<std::string> command = stageCommand(stage, binDir);
    command.push_back("--describe");
    started[stage] = startProgram(command);
  }
  std::map<Stage, json> descriptions;
  std::string failure;
  for (const auto& [stage, program] : started) {
    const ProcessResult result = finishProgram(program);
    const std::string name = binDir + "/" + stageProgram(stage);
    if (result.exitCode != 0) {
      failure = name + ": exit code " + std::to_string(result.exitCode);
      continue;
    }
    descriptions[stage] = json::parse(result.output, nullptr, false);
    if (descriptions[stage].is_discarded()) failure = name + ": not a JSON description";
  }
  if (!failure.empty()) {
    throw InputError(failure, "--describe",
                     "the stage programs beside mu-campaign (or in --bin) describing themselves");
  }
  return fromDescriptions(descriptions);
}

Catalogue Catalogue::fromDescriptions(const std::map<Stage, json>& descriptions) {
  Catalogue catalogue;
  for (const auto& [stage, description] : descriptions) {
    try {
      catalogue.options_[stage] = parseOptions(description);
      if (stage == Stage::Unlearn) catalogue.methods_ = parseMethods(description);
    } catch (const json::exception& error) {
      throw InputError(stageProgram(stage) + " --describe", "options",
                       std::string("a program description: ") + error.what());
    }
  }
  return catalogue;
}

const ProgramOption* Catalogue::option(Stage stage, const std::string& name) const {
  const auto found = options_.find(stage);
  if (found == options_.end()) return nullptr;
  for (const ProgramOption& option : found->second) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

std::vector<std::string> Catalogue::choices(Stage stage, const std::string& name) const {
  const ProgramOption* found = option(stage, name);
  return found ? found->choices : std::vector<std::string>{};
}

const UnlearningMethodInfo* Catalogue::method(const std::string& name) const {
  const auto found =
      std::find_if(methods_.begin(), methods_.end(),
                   [&](const UnlearningMethodInfo& info) { return info.name == name; });
  return found == methods_.end() ? nullptr : &*found;
}

}  // namespace mu::campaign
