#include "pipeline/option_table.h"

#include "pipeline/file_digest.h"

namespace mu {

OptionTable& OptionTable::addFlag(const std::string& name, bool* field, const std::string& help,
                                  Effect effect) {
  entries_.push_back({name, help, effect,
                      [name, field, help](boost::program_options::options_description& options) {
                        options.add_options()(
                            name.c_str(), boost::program_options::bool_switch(field), help.c_str());
                      },
                      [field] { return nlohmann::json(*field); }});
  return *this;
}

boost::program_options::options_description OptionTable::description(
    const std::string& title) const {
  boost::program_options::options_description options(title);
  for (const Entry& entry : entries_) entry.declare(options);
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

std::vector<std::string> describeConfigDifferences(const nlohmann::json& saved,
                                                   const nlohmann::json& now) {
  std::vector<std::string> differences;
  for (const auto& [key, value] : now.items()) {
    if (!saved.contains(key)) {
      differences.push_back(key + " (not in the saved run) vs " + value.dump());
    } else if (saved.at(key) != value) {
      differences.push_back(key + " " + saved.at(key).dump() + " (saved) vs " + value.dump() +
                            " (now)");
    }
  }
  for (const auto& [key, value] : saved.items()) {
    if (!now.contains(key)) differences.push_back(key + " " + value.dump() + " (saved) vs absent");
  }
  return differences;
}

}  // namespace mu
