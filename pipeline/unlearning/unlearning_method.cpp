#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

nlohmann::json UnlearningMethod::optionsJson() {
  // A private table over the same fields: it reads their current (parsed or default) values.
  OptionTable table;
  registerOptions(table);
  return table.toJson();
}

}  // namespace mu
