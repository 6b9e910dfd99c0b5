#include "pipeline/campaign/spec.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pipeline/campaign/json_path.h"
#include "pipeline/campaign/spec_options.h"
#include "pipeline/io/json_file.h"

namespace mu::campaign {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string result;
  for (const std::string& name : names) result += (result.empty() ? "" : ", ") + name;
  return result;
}

std::string knownName(const JsonPath& node, const std::vector<std::string>& known,
                      const std::string& what) {
  const std::string name = node.string();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    node.fail("unknown " + what + " '" + name + "' (known: " + joined(known) + ")");
  }
  return name;
}

DatasetSpec parseDataset(const JsonPath& node, const Catalogue& catalogue) {
  const std::vector<std::string> formats = catalogue.choices(Stage::Data, "format");
  DatasetSpec dataset;
  if (node.value().is_string()) {
    dataset.format = knownName(node, formats, "dataset");
    return dataset;
  }
  node.requireKeys({"format", "source", "options"});
  dataset.format = knownName(node["format"], formats, "dataset");
  if (node.has("source")) dataset.source = node["source"].string();
  if (node.has("options")) {
    dataset.options = parseStageOptions(node["options"], Stage::Data, catalogue);
  }
  return dataset;
}

SparsitySpec parseSparsity(const JsonPath& node, const Catalogue& catalogue) {
  SparsitySpec sparsity;
  if (node.value().is_string()) {
    if (node.string() != "dense")
      node.fail("expected \"dense\", {\"omp\": rate} or {\"imp\": rate}");
    sparsity.kind = "dense";
    return sparsity;
  }
  node.requireKeys({"omp", "imp", "rounds", "options"});
  const bool omp = node.has("omp");
  if (omp == node.has("imp")) node.fail("expected exactly one of the kinds omp, imp");
  sparsity.kind = omp ? "omp" : "imp";
  sparsity.rate = node[sparsity.kind].number(1e-6, 1 - 1e-6);
  if (omp && node.has("rounds")) node["rounds"].fail("omp is one round; use imp for rounds");
  sparsity.rounds = node.has("rounds") ? node["rounds"].integer(1, 100) : 1;
  if (node.has("options")) {
    sparsity.options = parseStageOptions(node["options"], Stage::Prune, catalogue);
  }
  return sparsity;
}

std::string joined(const std::vector<int64_t>& values, const std::string& separator) {
  std::string text;
  for (const int64_t value : values)
    text += (text.empty() ? "" : separator) + std::to_string(value);
  return text;
}

ForgetSpec parseForget(const JsonPath& node) {
  ForgetSpec forget;
  if (node.value().is_string()) {  // the samples a backdoored original was poisoned with
    if (node.string() != "poisoned") {
      node.fail("expected {\"class\": c}, {\"random\": n} or \"poisoned\"");
    }
    forget.mode = "poisoned";
    return forget;
  }
  node.requireKeys({"class", "random"});  // class: a number, or a list of them
  const bool byClass = node.has("class");
  if (byClass == node.has("random")) node.fail("expected exactly one of class, random");
  forget.mode = byClass ? "class" : "random";
  if (!byClass) {
    forget.count = node["random"].integer(1, 100000000);
    return forget;
  }
  const JsonPath classes = node["class"];
  if (!classes.value().is_array()) {
    forget.classes = {classes.integer(0, 999)};
    return forget;
  }
  classes.requireList();
  for (size_t i = 0; i < classes.size(); ++i) {
    const int64_t forgotten = classes[i].integer(0, 999);
    if (std::find(forget.classes.begin(), forget.classes.end(), forgotten) !=
        forget.classes.end()) {
      classes[i].fail("each class once");
    }
    forget.classes.push_back(forgotten);
  }
  return forget;
}

MethodSpec parseMethod(const JsonPath& node, const Catalogue& catalogue) {
  std::vector<std::string> methods;
  for (const UnlearningMethodInfo& info : catalogue.methods()) methods.push_back(info.name);
  MethodSpec method;
  if (node.value().is_string()) {
    method.name = knownName(node, methods, "method");
    return method;
  }
  node.requireKeys({"name", "options"});
  method.name = knownName(node["name"], methods, "method");
  if (node.has("options")) {
    method.options = parseMethodOptions(node["options"], method.name, catalogue);
  }
  return method;
}

// Parses every element of a non-empty list and refuses duplicates (they would expand to the same
// tasks twice).
template <typename Item, typename Parse, typename Key>
std::vector<Item> parseList(const JsonPath& node, Parse parse, Key key) {
  node.requireList();
  std::vector<Item> items;
  for (size_t i = 0; i < node.size(); ++i) {
    Item item = parse(node[i]);
    for (const Item& earlier : items) {
      if (key(earlier) == key(item)) node[i].fail("duplicate of an earlier entry");
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::string briefValue(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// MethodSpec::setting of every entry: the options whose values differ among the entries of the
// same method (an option one entry lacks counts as differing).
void nameSettings(std::vector<MethodSpec>& methods) {
  for (MethodSpec& method : methods) {
    std::vector<const MethodSpec*> namesakes;
    for (const MethodSpec& other : methods) {
      if (other.name == method.name) namesakes.push_back(&other);
    }
    if (namesakes.size() < 2) continue;
    std::string setting;
    for (const auto& [key, value] : method.options.items()) {
      const bool differs =
          // Captured by name: C++17 lambdas may not capture structured bindings (clang refuses).
          std::any_of(namesakes.begin(), namesakes.end(),
                      [&name = key, &setValue = value](const MethodSpec* o) {
                        return !o->options.contains(name) || o->options.at(name) != setValue;
                      });
      if (differs) setting += (setting.empty() ? "" : ", ") + key + " " + briefValue(value);
    }
    method.setting = setting.empty() ? "defaults" : setting;
  }
}

void parseGrid(const JsonPath& grid, const Catalogue& catalogue, CampaignSpec& spec) {
  grid.requireKeys({"datasets", "archs", "sparsities", "forget", "methods", "seeds"});
  spec.datasets = parseList<DatasetSpec>(
      grid["datasets"], [&](const JsonPath& n) { return parseDataset(n, catalogue); },
      [](const DatasetSpec& d) { return d.format + "\n" + d.source + "\n" + d.options.dump(); });
  const std::vector<std::string> archs = catalogue.choices(Stage::Train, "arch");
  spec.archs = parseList<std::string>(
      grid["archs"], [&](const JsonPath& n) { return knownName(n, archs, "arch"); },
      [](const std::string& a) { return a; });
  spec.sparsities = parseList<SparsitySpec>(
      grid["sparsities"], [&](const JsonPath& n) { return parseSparsity(n, catalogue); },
      [](const SparsitySpec& s) { return s.label(); });
  spec.forget = parseList<ForgetSpec>(grid["forget"], parseForget,
                                      [](const ForgetSpec& f) { return f.label(); });
  spec.methods = parseList<MethodSpec>(
      grid["methods"], [&](const JsonPath& n) { return parseMethod(n, catalogue); },
      [](const MethodSpec& m) { return m.name + m.options.dump(); });
  nameSettings(spec.methods);
  spec.seeds = parseList<int64_t>(
      grid["seeds"], [](const JsonPath& n) { return n.integer(0, 2147483647); },
      [](int64_t s) { return s; });
}

TransferSpec parseTransfer(const JsonPath& node, const Catalogue& catalogue) {
  node.requireKeys({"dataset", "modes"});
  if (!node.has("dataset")) node.fail("expected \"dataset\": the target task's dataset");
  TransferSpec transfer;
  transfer.dataset = parseDataset(node["dataset"], catalogue);
  if (!node.has("modes")) {
    transfer.modes = {"linear-probe"};  // the paper's downstream evaluation
    return transfer;
  }
  const std::vector<std::string> modes = catalogue.choices(Stage::Transfer, "mode");
  transfer.modes = parseList<std::string>(
      node["modes"], [&](const JsonPath& n) { return knownName(n, modes, "transfer mode"); },
      [](const std::string& mode) { return mode; });
  return transfer;
}

}  // namespace

double SparsitySpec::sparsity() const {
  return kind == "dense" ? 0.0 : 1.0 - std::pow(1.0 - rate, static_cast<double>(rounds));
}

std::string SparsitySpec::label() const {
  if (kind == "dense") return kind;
  std::string label = kind + "-" + nlohmann::json(rate).dump();
  if (kind == "imp") label += "x" + std::to_string(rounds);
  if (!options.empty()) label += "-" + options.dump();
  return label;
}

std::string ForgetSpec::label() const {
  if (mode == "poisoned") return mode;
  return mode + "-" + (mode == "class" ? joined(classes, "+") : std::to_string(count));
}

std::string ForgetSpec::argument() const {
  return mode == "class" ? joined(classes, ",") : std::to_string(count);
}

nlohmann::json ForgetSpec::value() const {
  if (mode == "poisoned") return nullptr;
  if (mode != "class") return count;
  return classes.size() == 1 ? nlohmann::json(classes.front()) : nlohmann::json(classes);
}

CampaignSpec parseSpec(const nlohmann::json& document, const std::string& file,
                       const Catalogue& catalogue) {
  const JsonPath root(document, file);
  root.requireKeys(
      {"name", "stop_after", "protocol", "trials", "grid", "transfer", "options", "resources"});
  CampaignSpec spec;
  spec.file = file;
  spec.name = root.has("name") ? root["name"].string() : "campaign";
  if (root.has("stop_after")) {
    const std::string last = root["stop_after"].string();
    const auto stage = parseStage(last);
    if (!stage) root["stop_after"].fail("unknown stage '" + last + "'");
    spec.lastStage = *stage;
  }
  if (root.has("protocol")) {
    spec.protocol =
        knownName(root["protocol"], catalogue.choices(Stage::Unlearn, "protocol"), "protocol");
  }
  spec.trials = spec.protocol == "reference" ? "one-original" : "retrain-per-seed";
  if (root.has("trials")) {
    spec.trials = knownName(root["trials"], {"retrain-per-seed", "one-original"}, "trials");
  }
  parseGrid(root["grid"], catalogue, spec);
  if (root.has("transfer")) spec.transfer = parseTransfer(root["transfer"], catalogue);
  for (Stage stage : allStages()) spec.options[stage] = StageOptions::object();
  if (root.has("options")) {
    const JsonPath options = root["options"];
    std::vector<std::string> names;
    for (Stage stage : allStages()) names.push_back(stageName(stage));
    options.requireKeys(names);
    for (Stage stage : allStages()) {
      if (options.has(stageName(stage))) {
        spec.options[stage] = parseStageOptions(options[stageName(stage)], stage, catalogue);
      }
    }
  }
  spec.resources = parseResources(root);
  return spec;
}

CampaignSpec readSpec(const std::string& path, const Catalogue& catalogue) {
  return parseSpec(readJsonFile(path), path, catalogue);
}

}  // namespace mu::campaign
