#pragma once
// What the stage programs accept, asked of the programs themselves (`<program> --describe`):
// their options, the choices of their closed options (mu-data's formats, mu-train's
// architectures, mu-unlearn's methods) and each unlearning method's own options, title and role.
// The registries behind those programs are the only lists of these names, so a spec is checked
// against exactly what will run, and the report orders and titles its rows the same way.

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "pipeline/campaign/stage.h"

namespace mu::campaign {

struct ProgramOption {
  std::string name;
  std::vector<std::string> choices;  // empty: any value
  bool flag = false;
};

struct UnlearningMethodInfo {
  std::string name;
  std::string title;                 // the paper's name for it: report rows
  bool exact = false;                // the reference the report's gap is measured against
  std::vector<std::string> options;  // its own options (--ft-epochs, ...)
};

class Catalogue {
 public:
  // Asks every stage program in `binDir` for its description, all at once. InputError naming the
  // program when one is missing or does not answer with a description.
  static Catalogue fromPrograms(const std::string& binDir);
  // From descriptions already read: stage -> `<program> --describe` output.
  static Catalogue fromDescriptions(const std::map<Stage, nlohmann::json>& descriptions);

  // The option of `stage`'s program, or nullptr when it has none of that name.
  const ProgramOption* option(Stage stage, const std::string& name) const;
  std::vector<std::string> choices(Stage stage, const std::string& option) const;
  // In the order mu-unlearn registers them (the paper's).
  const std::vector<UnlearningMethodInfo>& methods() const { return methods_; }
  const UnlearningMethodInfo* method(const std::string& name) const;

 private:
  std::map<Stage, std::vector<ProgramOption>> options_;
  std::vector<UnlearningMethodInfo> methods_;
};

}  // namespace mu::campaign
