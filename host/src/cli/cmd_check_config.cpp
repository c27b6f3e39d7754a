// `connector-host check-config -c FILE`: loads the plugins from host.plugin_dirs, validates the
// whole file and prints every diagnostic (file:line:col: severity: message), or with --json one
// document with the diagnostics as an array. Exit 3 (config invalid) when there is an error, 0
// otherwise. Never opens the state store.
#include <cstdio>
#include <string>

#include "app_support.hpp"
#include "chost/config/plugin_problems.hpp"
#include "chost/loader/plugin_validate.hpp"
#include "chost/runtime/host_callbacks.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "json_output.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host check-config -c FILE [--json]";

// Each connector's own check (the plugin's optional `validate` hook, dry), once the file passed
// the schemas: its problems join the report at the file:line:col of the offending key.
void add_plugin_checks(const std::string& path, const loader::PluginRegistry& registry,
                       config::LoadReport& report) {
  if (!report.config) return;
  std::vector<config::PluginProblem> problems;
  for (const config::ConnectorConfig& c : report.config->connectors) {
    const std::shared_ptr<loader::PluginLibrary> plugin = registry.find(c.plugin);
    if (!plugin) continue;
    auto found = loader::run_validate_hook(plugin->descriptor(), c.config_json);
    if (!found) {
      problems.push_back({c.name, "", found.error().message});
      continue;
    }
    for (loader::PluginConfigProblem& p : *found) {
      problems.push_back({c.name, std::move(p.pointer), std::move(p.message)});
    }
  }
  for (config::Diagnostic& d : config::locate_plugin_problems(path, path, problems)) {
    report.diagnostics.push_back(std::move(d));
  }
  if (report.has_errors()) report.config.reset();
}

}  // namespace

int run_check_config(int argc, char** argv) {
  std::string path;
  const bool as_json = take_flag(argc, argv, "--json");
  if (auto exit_code = parse_config_only("check-config", kUsage, argc, argv, path)) {
    return *exit_code;
  }
  auto host = config::load_host_section(path, host_value_checks());
  if (!host) {
    if (as_json) {
      // The host section alone failed: its diagnostics come again from the full report.
      const config::LoadReport report = config::load_config_report(path, {});
      std::printf(
          "%s\n",
          check_config_json(path, report.diagnostics, false, 0, loader::PluginRegistry()).c_str());
      return kExitConfigInvalid;
    }
    // Every error line already carries file:line:col.
    std::fprintf(stdout, "%s\n", host.error().message.c_str());
    return kExitConfigInvalid;
  }
  loader::PluginRegistry registry;
  loader::LoadOptions options;
  options.allow_world_writable = host->host.allow_world_writable_plugin_dirs;
  registry.scan(host->host.plugin_dirs, runtime::host_callbacks(), options);
  config::LoadReport report =
      config::load_config_report(path, schema_infos(registry), host_value_checks());
  add_plugin_checks(path, registry, report);
  if (as_json) {
    const std::size_t connectors = report.config ? report.config->connectors.size() : 0;
    std::printf("%s\n", check_config_json(path, report.diagnostics, !report.has_errors(),
                                          connectors, registry)
                            .c_str());
    return report.has_errors() ? kExitConfigInvalid : kExitOk;
  }
  for (const auto& e : registry.errors()) std::printf("warning: plugin: %s\n", e.message.c_str());
  for (const config::Diagnostic& d : report.diagnostics) std::printf("%s\n", d.to_string().c_str());
  if (report.has_errors()) return kExitConfigInvalid;
  std::printf("%s: ok (%zu connector(s), %zu plugin(s))\n", path.c_str(),
              report.config ? report.config->connectors.size() : size_t{0},
              registry.plugins().size());
  return kExitOk;
}

}  // namespace chost::cli
