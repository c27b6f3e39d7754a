// Config + plugin loading and admin discovery for the CLI verbs.
#include "app_support.hpp"

#include "chost/runtime/host_callbacks.hpp"
#include "chost/store/master_key.hpp"
#if CHOST_CLI_WITH_ADMIN
#include "chost/admin/admin_client.hpp"
#include "listen_address.hpp"
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

const config::HostValueChecks& host_value_checks() {
  static const config::HostValueChecks checks = [] {
    config::HostValueChecks c;
    c.master_key = [](const std::string& text) -> Status {
      if (auto key = store::parse_master_key(text); !key) return key.error();
      return {};
    };
#if CHOST_CLI_WITH_ADMIN
    c.admin_listen = [](const std::string& text) -> Status {
      if (auto address = admin::parse_listen_address(text); !address) return address.error();
      return {};
    };
#endif
    return c;
  }();
  return checks;
}

Result<config::HostConfig> load_full_config(const std::filesystem::path& path) {
  auto host = config::load_host_section(path, host_value_checks());
  if (!host) return host.error();
  loader::PluginRegistry registry;
  loader::LoadOptions options;
  options.allow_world_writable = host->host.allow_world_writable_plugin_dirs;
  registry.scan(host->host.plugin_dirs, runtime::host_callbacks(), options);
  auto cfg = config::load_config(path, schema_infos(registry), host_value_checks());
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
