// Is a plugin's config schema usable by this host? The check the plugin loader runs on every
// plugin it loads (`plugins`, `plugin-info`, `run`, `check-config`) and the SDK's conformance
// runner runs on the plugin under test: JSON, then draft-07 keywords with values of the right
// type (vendor "x-" keywords aside), then the draft-07 meta-schema, then compiling it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chost::config {

// Each problem as "at <JSON pointer of the bad keyword>: <what>"; empty = usable.
std::vector<std::string> plugin_schema_problems(std::string_view schema_json);

}  // namespace chost::config
