// Config + plugin loading and admin discovery for the CLI verbs.
#include "app_support.hpp"

#include "chost/runtime/host_callbacks.hpp"
#if CHOST_CLI_WITH_ADMIN
#include "chost/admin/admin_client.hpp"
#endif

namespace chost::cli {

std::vector<config::PluginSchemaInfo> schema_infos(const loader::PluginRegistry& registry) {
  std::vector<config::PluginSchemaInfo> infos;
  for (const auto& lib : registry.plugins()) {
    const auto& d = lib->descriptor();
    infos.push_back(config::PluginSchemaInfo{d.name, d.config_schema_json, d.capabilities});
  }
  return infos;
}

Result<config::HostConfig> load_full_config(const std::filesystem::path& path) {
  auto host = config::load_host_section(path);
  if (!host) return host.error();
  loader::PluginRegistry registry;
  loader::LoadOptions options;
  options.allow_world_writable = host->host.allow_world_writable_plugin_dirs;
  registry.scan(host->host.plugin_dirs, runtime::host_callbacks(), options);
  auto cfg = config::load_config(path, schema_infos(registry));
  if (!cfg && !registry.errors().empty()) {
    // A plugin that failed to load shows up as "unknown plugin": say why it failed.
    Error e = cfg.error();
    for (const auto& le : registry.errors()) e.message += "\nplugin not loaded: " + le.message;
    return e;
  }
  return cfg;
}

std::optional<std::string> running_admin_url(const config::HostConfig& config) {
#if CHOST_CLI_WITH_ADMIN
  if (!config.host.admin.token) return std::nullopt;
  const std::string url = "http://" + config.host.admin.listen;
  admin::AdminClientOptions options;
  options.connect_timeout_ms = 1000;
  admin::AdminClient client(url, *config.host.admin.token, options);
  if (client.connectors()) return url;
#else
  (void)config;
#endif
  return std::nullopt;
}

}  // namespace chost::cli
