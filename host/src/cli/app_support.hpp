// Shared plumbing of the verbs that act on a configured host (run, status, authorize, ...):
// the `-c FILE` option, loading the config together with the plugins that validate it, and
// finding a running host's admin API.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/config/host_config.hpp"
#include "chost/loader/plugin_registry.hpp"

namespace chost::cli {

// Descriptions of every plugin in `registry` for the config loader.
std::vector<config::PluginSchemaInfo> schema_infos(const loader::PluginRegistry& registry);

// The store's and the admin server's own rules for host.master_key and host.admin.listen, for
// the config loader: check-config and run refuse what the host would refuse at startup.
const config::HostValueChecks& host_value_checks();

// Reads host.plugin_dirs from `path`, loads those plugins and loads the whole config. Plugins
// are loaded with the runtime's callback table (never the inert one): a plugin's host pointer is
// per library, and this also runs inside a live host on SIGHUP.
Result<config::HostConfig> load_full_config(const std::filesystem::path& path);

// A running host's admin API base URL when one answers at host.admin.listen with the token.
std::optional<std::string> running_admin_url(const config::HostConfig& config);

}  // namespace chost::cli
