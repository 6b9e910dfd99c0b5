#pragma once
// Each program option is declared once: name, C++ field (its current value is the default), help
// text, whether it changes results, and for a closed set of values the choices. From that one
// table come --help, parsing (Boost), validation of choices, --describe (what mu-campaign reads to
// check a spec), the run's saved configuration (config.json) and the configuration hash that
// names and guards a run.

#include <boost/program_options.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/cli/value_text.h"

namespace mu {

class OptionTable {
 public:
  enum class Effect { kChangesResults, kOperational };  // operational: threads, paths, logging

  template <typename T>
  OptionTable& add(const std::string& name, T* field, const std::string& help,
                   Effect effect = Effect::kChangesResults) {
    Entry entry{name, help, effect, {}, false, {}, [field] { return nlohmann::json(*field); }};
    entry.declare = [name, field, help](boost::program_options::options_description& options) {
      auto* semantic = boost::program_options::value<T>(field);
      // Defaults as a person writes them (0.1, not 0.10000000000000001); none for empty text.
      const std::string text = valueText(*field);
      if (!text.empty()) semantic->default_value(*field, text);
      options.add_options()(name.c_str(), semantic, help.c_str());
    };
    entries_.push_back(std::move(entry));
    return *this;
  }
  // A flag: present = true.
  OptionTable& addFlag(const std::string& name, bool* field, const std::string& help,
                       Effect effect = Effect::kChangesResults);
  // A word from a closed list (a registry's names, a mode): any other value is refused after
  // parsing, naming the option and listing the choices, which --help and --describe show too.
  OptionTable& addChoice(const std::string& name, std::string* field,
                         std::vector<std::string> choices, const std::string& help,
                         Effect effect = Effect::kChangesResults);
  // The one option (added before) that may also be given without its --name, e.g. a spec file.
  OptionTable& positional(const std::string& name);

  boost::program_options::options_description description(const std::string& title) const;
  boost::program_options::positional_options_description positionalDescription() const;
  // After parsing: InputError("--<name>", "value", "one of ...; got 'x'") for a bad choice.
  void checkChoices() const;
  // After parsing: InputError("--<name>", "value", ...) for text that is not UTF-8 (a path in
  // Latin-1, stray bytes in a --config file): the configuration is saved and hashed as JSON,
  // which holds only UTF-8.
  void checkText() const;

  std::vector<std::string> names() const;
  std::vector<std::string> operationalNames() const;
  // Every option for programs that drive this one: [{"name", "help", "default", "effect"
  // ("changes-results" | "operational"), "flag" (flags only), "choices" (closed lists only)}].
  nlohmann::json describe() const;
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
    std::vector<std::string> choices;  // empty: any value
    bool flag;
    std::function<void(boost::program_options::options_description&)> declare;
    std::function<nlohmann::json()> value;
  };
  std::vector<Entry> entries_;
  std::string positional_;
};

}  // namespace mu
