#include "pipeline/campaign/spec_options.h"

#include <algorithm>
#include <regex>

namespace mu::campaign {

namespace {

bool scalar(const nlohmann::json& value) {
  return value.is_string() || value.is_number() || value.is_boolean();
}

std::string scalarText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Resources parseResourceFields(const JsonPath& node, Resources resources) {
  node.requireKeys({"ranks", "threads", "gpus", "time", "mem"});
  if (node.has("ranks")) resources.ranks = node["ranks"].integer(1, 4096);
  if (node.has("threads")) resources.threads = node["threads"].integer(1, 1024);
  if (node.has("gpus")) resources.gpus = node["gpus"].integer(0, 64);
  if (node.has("time")) {
    resources.time = node["time"].string();
    static const std::regex time(R"(^(\d+-)?\d{1,2}:\d{2}:\d{2}$)");
    if (!std::regex_match(resources.time, time) || resources.timeSeconds() <= 0) {
      node["time"].fail("expected a positive time limit [D-]HH:MM:SS, got '" + resources.time +
                        "'");
    }
  }
  if (node.has("mem")) {
    resources.mem = node["mem"].string();
    static const std::regex mem(R"(^[1-9]\d*[KMGT]?$)");
    if (!std::regex_match(resources.mem, mem)) {
      node["mem"].fail("expected a memory size like 4G or 512M, got '" + resources.mem + "'");
    }
  }
  // GPU tasks run one rank per GPU (each rank takes the GPU of its node-local rank).
  if (resources.gpus > 0 && resources.ranks != resources.gpus) {
    node.fail("one rank per GPU: ranks (" + std::to_string(resources.ranks) +
              ") must equal gpus (" + std::to_string(resources.gpus) + ")");
  }
  return resources;
}

}  // namespace

int64_t Resources::timeSeconds() const {
  int64_t days = 0, hours = 0, minutes = 0, seconds = 0;
  std::string rest = time;
  const size_t dash = rest.find('-');
  if (dash != std::string::npos) {
    days = std::stoll(rest.substr(0, dash));
    rest = rest.substr(dash + 1);
  }
  if (std::sscanf(rest.c_str(), "%ld:%ld:%ld", &hours, &minutes, &seconds) != 3) return 0;
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

StageOptions parseStageOptions(const JsonPath& node, Stage stage, const Catalogue& catalogue) {
  node.requireObject();
  static const std::regex name(R"(^[a-z0-9][a-z0-9_-]*$)");
  const std::vector<std::string>& reserved = campaignOwnedOptions(stage);
  for (const auto& item : node.value().items()) {
    const JsonPath option = node[item.key()];
    if (!std::regex_match(item.key(), name)) {
      option.fail("option names are lower-case letters, digits, '-' and '_' (without '--')");
    }
    if (std::find(reserved.begin(), reserved.end(), item.key()) != reserved.end()) {
      option.fail("set by the campaign for every " + stageName(stage) + " task; remove it");
    }
    const nlohmann::json& value = item.value();
    bool valid = scalar(value);
    if (value.is_array()) {
      valid = !value.empty() && std::all_of(value.begin(), value.end(), [](const auto& element) {
        return element.is_string() || element.is_number();
      });
    }
    if (!valid) option.fail("expected a string, number, boolean or list, got " + value.dump());
    const ProgramOption* known = catalogue.option(stage, item.key());
    if (known == nullptr) {
      option.fail(stageProgram(stage) + " has no option --" + item.key() + " (see " +
                  stageProgram(stage) + " --help)");
    }
    if (!known->choices.empty() && value.is_string() &&
        std::find(known->choices.begin(), known->choices.end(), value.get<std::string>()) ==
            known->choices.end()) {
      std::string choices;
      for (const std::string& choice : known->choices) {
        choices += (choices.empty() ? "" : ", ") + choice;
      }
      option.fail("expected one of " + choices + ", got " + value.dump());
    }
  }
  return node.value();
}

StageOptions parseMethodOptions(const JsonPath& node, const std::string& method,
                                const Catalogue& catalogue) {
  const StageOptions options = parseStageOptions(node, Stage::Unlearn, catalogue);
  for (const auto& item : options.items()) {
    for (const UnlearningMethodInfo& other : catalogue.methods()) {
      const bool ofOther =
          std::find(other.options.begin(), other.options.end(), item.key()) != other.options.end();
      if (ofOther && other.name != method) {
        node[item.key()].fail("an option of method " + other.name + ", not of " + method);
      }
    }
  }
  return options;
}

std::map<Stage, Resources> parseResources(const JsonPath& root) {
  std::map<Stage, Resources> result;
  Resources defaults;
  std::vector<std::string> names{"default"};
  for (Stage stage : allStages()) names.push_back(stageName(stage));
  if (root.has("resources")) {
    const JsonPath resources = root["resources"];
    resources.requireKeys(names);
    if (resources.has("default")) defaults = parseResourceFields(resources["default"], defaults);
  }
  for (Stage stage : allStages()) {
    result[stage] = defaults;
    if (root.has("resources") && root["resources"].has(stageName(stage))) {
      result[stage] = parseResourceFields(root["resources"][stageName(stage)], defaults);
    }
  }
  // mu-data converts trees of image files on every rank and the other formats on rank 0; a
  // data stage keeps one rank unless the spec asks for more.
  if (!(root.has("resources") && root["resources"].has("data") &&
        root["resources"]["data"].has("ranks"))) {
    result[Stage::Data].ranks = 1;
  }
  return result;
}

StageOptions mergeOptions(StageOptions base, const StageOptions& over) {
  for (const auto& item : over.items()) base[item.key()] = item.value();
  return base;
}

std::vector<std::string> optionArguments(const StageOptions& options) {
  std::vector<std::string> arguments;
  for (const auto& item : options.items()) {  // nlohmann::json objects iterate in key order
    const nlohmann::json& value = item.value();
    if (value.is_boolean()) {
      if (value.get<bool>()) arguments.push_back("--" + item.key());
      continue;
    }
    arguments.push_back("--" + item.key());
    if (value.is_array()) {
      std::string list;
      for (const auto& element : value) list += (list.empty() ? "" : ",") + scalarText(element);
      arguments.push_back(list);
    } else {
      arguments.push_back(scalarText(value));
    }
  }
  return arguments;
}

}  // namespace mu::campaign
