// run_validate_hook(): calls a plugin's optional ABI 1.4 `validate` hook on one connector's
// config, dry (no instance, no host callbacks), and reads its answer into typed problems, each
// at a JSON Pointer into the config block. check-config maps them to file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/loader/plugin_descriptor.hpp"

namespace chost::loader {

struct PluginConfigProblem {
  std::string pointer;  // RFC 6901, relative to the connector's `config:`; "" = the block
  std::string message;
};

// Empty: the plugin accepts the config, or has no validate hook. An Error (class config, naming
// the plugin) when the check itself failed or answered something that is not the documented
// {"errors":[{"pointer","message"}]}.
Result<std::vector<PluginConfigProblem>> run_validate_hook(const PluginDescriptor& plugin,
                                                           std::string_view config_json);

}  // namespace chost::loader
