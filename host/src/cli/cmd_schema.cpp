// `connector-host schema [-c FILE | --plugin-dir DIR...]`: prints the JSON Schema of the whole
// config file, with each plugin's config schema plugged in (for editors and CI validation).
#include <cstdio>
#include <string>
#include <vector>

#include "app_support.hpp"
#include "chost/runtime/host_callbacks.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "json_pretty.hpp"
#include "verb_help.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host schema [-c FILE | --plugin-dir DIR...]";

}  // namespace

int run_schema(int argc, char** argv) {
  std::string path;
  std::vector<std::filesystem::path> dirs;
  bool allow_world_writable = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help("schema", kUsage);
      return kExitOk;
    }
    if (take_option(argc, argv, i, "-c", path, missing) ||
        take_option(argc, argv, i, "--config", path, missing)) {
    } else if (take_option(argc, argv, i, "--plugin-dir", value, missing)) {
      dirs.emplace_back(value);
    } else if (arg == "--allow-world-writable") {
      allow_world_writable = true;
    } else {
      usage_error("schema", "unexpected argument '" + std::string(arg) + "'", kUsage);
      return kExitUsage;
    }
    if (missing) {
      usage_error("schema", std::string(arg) + " needs a value", kUsage);
      return kExitUsage;
    }
  }
  if (!path.empty()) {
    auto host = config::load_host_section(path);
    if (!host) {
      std::fprintf(stderr, "%s\n", host.error().message.c_str());
      return kExitFailure;
    }
    dirs.insert(dirs.end(), host->host.plugin_dirs.begin(), host->host.plugin_dirs.end());
    allow_world_writable = allow_world_writable || host->host.allow_world_writable_plugin_dirs;
  }
  loader::PluginRegistry registry;
  loader::LoadOptions options;
  options.allow_world_writable = allow_world_writable;
  registry.scan(dirs, runtime::host_callbacks(), options);
  for (const auto& e : registry.errors()) std::fprintf(stderr, "warning: %s\n", e.message.c_str());
  std::printf("%s\n", pretty_json(config::combined_schema(schema_infos(registry))).c_str());
  return kExitOk;
}

}  // namespace chost::cli
