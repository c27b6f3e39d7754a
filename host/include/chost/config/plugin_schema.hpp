// Is a plugin's config schema usable by this host? The check the plugin loader runs on every
// plugin it loads (`plugins`, `plugin-info`, `run`, `check-config`) and the SDK's conformance
// runner runs on the plugin under test: JSON, then draft-07 keywords with values of the right
// type (vendor "x-" keywords aside), then the draft-07 meta-schema, then compiling it.
// And what a plugin's create() receives: its config validated and completed with the schema's
// defaults, as `run` hands it over (for the conformance runner and plugins' own tests).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chost::config {

// Each problem as "at <JSON pointer of the bad keyword>: <what>"; empty = usable.
std::vector<std::string> plugin_schema_problems(std::string_view schema_json);

struct CompletedConfig {
  std::string json;                   // the config with the schema's defaults filled in
  std::vector<std::string> problems;  // "<path>: <message>" as check-config words them
  bool ok() const { return problems.empty(); }
};

// Validates `config_json` against a usable `schema_json` (see plugin_schema_problems) and fills
// in its defaults, the host's own steps for a connector's `config:`. Not JSON: one problem.
CompletedConfig complete_plugin_config(std::string_view schema_json, std::string_view config_json);

}  // namespace chost::config
