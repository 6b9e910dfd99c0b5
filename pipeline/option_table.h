#pragma once
// Each program option is declared once: name, C++ field (its current value is the default), help
// text, and whether it changes results. From that one table come --help, parsing (Boost), the
// run's saved configuration (config.json) and the configuration hash that names and guards a run.

#include <boost/program_options.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mu {

class OptionTable {
 public:
  enum class Effect { kChangesResults, kOperational };  // operational: threads, paths, logging

  template <typename T>
  OptionTable& add(const std::string& name, T* field, const std::string& help,
                   Effect effect = Effect::kChangesResults) {
    entries_.push_back(
        {name, help, effect,
         [name, field, help](boost::program_options::options_description& description) {
           description.add_options()(name.c_str(),
                                     boost::program_options::value<T>(field)->default_value(*field),
                                     help.c_str());
         },
         [field] { return nlohmann::json(*field); }});
    return *this;
  }
  // A flag: present = true.
  OptionTable& addFlag(const std::string& name, bool* field, const std::string& help,
                       Effect effect = Effect::kChangesResults);

  boost::program_options::options_description description(const std::string& title) const;
  // Every option's current value, by name.
  nlohmann::json toJson() const;
  // Only the options that change results: what a resumed run must agree on.
  nlohmann::json resultAffectingJson() const;
  // First 16 hex digits of the SHA-256 of resultAffectingJson().dump().
  std::string configHash() const;

 private:
  struct Entry {
    std::string name;
    std::string help;
    Effect effect;
    std::function<void(boost::program_options::options_description&)> declare;
    std::function<nlohmann::json()> value;
  };
  std::vector<Entry> entries_;
};

// Names of the keys whose values differ between two configurations, "a (saved) vs b (now)".
std::vector<std::string> describeConfigDifferences(const nlohmann::json& saved,
                                                   const nlohmann::json& now);

}  // namespace mu
