// Positions for what a plugin's own config check (the ABI 1.4 `validate` hook) found: the
// plugin names the offending key by JSON Pointer inside a connector's `config:`, and
// locate_plugin_problems() turns that into a Diagnostic at the key's file:line:column, the way
// schema errors are printed. Kept apart from the loader's validation steps: it only reads the
// positions the YAML parser records.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "chost/config/host_config.hpp"

namespace chost::config {

struct PluginProblem {
  std::string connector;  // the connector's name in `connectors:`
  std::string pointer;    // RFC 6901 inside its `config:`; "" = the block itself
  std::string message;
};

// One error Diagnostic per problem, in the given order, at the key the pointer names (its
// value when it names an array element, the nearest present ancestor when it is absent, the
// connector's entry when the connector is not found). `file_label` is the path as the admin
// gave it; `path` is read again (with the loader's bounds) for the positions.
std::vector<Diagnostic> locate_plugin_problems(const std::filesystem::path& path,
                                               const std::string& file_label,
                                               const std::vector<PluginProblem>& problems);

}  // namespace chost::config
