#pragma once
// The two open-ended parts of a spec: stage options (passed through to the stage programs) and
// per-stage resources, each validated with the key path of any mistake.

#include <map>
#include <string>
#include <vector>

#include "pipeline/campaign/json_path.h"
#include "pipeline/campaign/spec.h"

namespace mu::campaign {

// An object of option names ([a-z0-9-], no leading dashes) to strings, numbers, booleans or
// lists of them. Each must be an option of the stage's program (`catalogue`), a value from its
// choices where it has some. Options the campaign sets itself for `stage` (--data, --run-dir,
// --seed, ...) are refused, so a spec cannot point two tasks at one folder.
StageOptions parseStageOptions(const JsonPath& node, Stage stage, const Catalogue& catalogue);
// A method's options in grid.methods: mu-unlearn's shared options or `method`'s own, never
// another method's (mu-unlearn would take them and silently ignore them).
StageOptions parseMethodOptions(const JsonPath& node, const std::string& method,
                                const Catalogue& catalogue);

// "resources": {"default": {...}, "<stage>": {...}}, each with ranks, threads, gpus, time, mem;
// a stage's entry overrides the default's fields. Returns an entry for every stage.
std::map<Stage, Resources> parseResources(const JsonPath& root);

// `over`'s options replace `base`'s of the same name.
StageOptions mergeOptions(StageOptions base, const StageOptions& over);

// --name value arguments in name order (the canonical order the hashes also see).
std::vector<std::string> optionArguments(const StageOptions& options);

}  // namespace mu::campaign
