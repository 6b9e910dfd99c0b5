#include "pipeline/cli/option_table.h"

#include <algorithm>

#include "pipeline/base/error.h"
#include "pipeline/io/file_digest.h"

namespace mu {
namespace {

std::string listed(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

}  // namespace

OptionTable& OptionTable::addFlag(const std::string& name, bool* field, const std::string& help,
                                  Effect effect) {
  Entry entry{name, help, effect, {}, true, {}, [field] { return nlohmann::json(*field); }};
  entry.declare = [name, field, help](boost::program_options::options_description& options) {
    options.add_options()(name.c_str(), boost::program_options::bool_switch(field), help.c_str());
  };
  entries_.push_back(std::move(entry));
  return *this;
}

OptionTable& OptionTable::addChoice(const std::string& name, std::string* field,
                                    std::vector<std::string> choices, const std::string& help,
                                    Effect effect) {
  add(name, field, help + " (one of: " + listed(choices) + ")", effect);
  entries_.back().help = help;
  entries_.back().choices = std::move(choices);
  return *this;
}

OptionTable& OptionTable::positional(const std::string& name) {
  positional_ = name;
  return *this;
}

boost::program_options::options_description OptionTable::description(
    const std::string& title) const {
  boost::program_options::options_description options(title);
  for (const Entry& entry : entries_) entry.declare(options);
  return options;
}

boost::program_options::positional_options_description OptionTable::positionalDescription() const {
  boost::program_options::positional_options_description positional;
  if (!positional_.empty()) positional.add(positional_.c_str(), 1);
  return positional;
}

void OptionTable::checkChoices() const {
  for (const Entry& entry : entries_) {
    if (entry.choices.empty()) continue;
    const std::string value = entry.value().get<std::string>();
    if (std::find(entry.choices.begin(), entry.choices.end(), value) == entry.choices.end()) {
      throw InputError("--" + entry.name, "value",
                       "one of " + listed(entry.choices) + "; got '" + value + "'");
    }
  }
}

void OptionTable::checkText() const {
  for (const Entry& entry : entries_) {
    try {
      entry.value().dump();
    } catch (const nlohmann::json::type_error&) {
      throw InputError("--" + entry.name, "value",
                       "UTF-8 text (the run's configuration is saved as JSON); got other bytes");
    }
  }
}

std::vector<std::string> OptionTable::names() const {
  std::vector<std::string> names;
  for (const Entry& entry : entries_) names.push_back(entry.name);
  return names;
}

std::vector<std::string> OptionTable::operationalNames() const {
  std::vector<std::string> names;
  for (const Entry& entry : entries_) {
    if (entry.effect == Effect::kOperational) names.push_back(entry.name);
  }
  return names;
}

nlohmann::json OptionTable::describe() const {
  nlohmann::json options = nlohmann::json::array();
  for (const Entry& entry : entries_) {
    nlohmann::json option{
        {"name", entry.name},
        {"help", entry.help},
        {"default", entry.value()},
        {"effect", entry.effect == Effect::kChangesResults ? "changes-results" : "operational"}};
    if (entry.flag) option["flag"] = true;
    if (!entry.choices.empty()) option["choices"] = entry.choices;
    options.push_back(std::move(option));
  }
  return options;
}

nlohmann::json OptionTable::toJson() const {
  nlohmann::json values = nlohmann::json::object();
  for (const Entry& entry : entries_) values[entry.name] = entry.value();
  return values;
}

nlohmann::json OptionTable::resultAffectingJson() const {
  nlohmann::json values = nlohmann::json::object();
  for (const Entry& entry : entries_) {
    if (entry.effect == Effect::kChangesResults) values[entry.name] = entry.value();
  }
  return values;
}

std::string OptionTable::configHash() const {
  return sha256OfString(resultAffectingJson().dump()).substr(0, 16);
}

}  // namespace mu
