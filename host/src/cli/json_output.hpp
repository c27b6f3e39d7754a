// `--json` output of the CLI verbs for scripts: one JSON document on stdout, built with
// Boost.JSON (kept out of this header) from the same values the text output shows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "chost/config/host_config.hpp"
#include "chost/loader/plugin_library.hpp"
#include "chost/loader/plugin_registry.hpp"

namespace chost::cli {

// Removes every `flag` (e.g. "--json") from argv[1..argc), shifting the rest down; true if one
// was there. Lets verbs with a shared option parser take the flag without knowing it.
bool take_flag(int& argc, char** argv, std::string_view flag);

// check-config: {"file", "ok", "connectors", "plugins", "plugin_errors": [message...],
// "diagnostics": [{file, line, column, severity, path, message}]}. `path` is the dotted field
// from the file root (connectors.<name>.<field> for a connector's problem); line and column are
// 0 when the problem has no position (an unreadable file).
std::string check_config_json(const std::string& file,
                              const std::vector<config::Diagnostic>& diagnostics, bool ok,
                              std::size_t connectors, const loader::PluginRegistry& registry);

// plugins: {"plugins": [{name, version, abi, capabilities: [..], file}], "errors": [message]}.
std::string plugins_json(const loader::PluginRegistry& registry);

// plugin-info: {name, version, description, abi, descriptor_size_bytes, capabilities: [..],
// hooks: [..], file, config_schema} with config_schema the plugin's schema as JSON (null when
// the plugin's text does not parse).
std::string plugin_info_json(const loader::PluginLibrary& library);

}  // namespace chost::cli
