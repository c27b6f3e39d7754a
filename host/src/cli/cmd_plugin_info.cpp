// `connector-host plugin-info FILE`: one plugin's descriptor and its config schema,
// pretty-printed, loaded with the inert host (no runtime needed).
#include <cstdio>
#include <string>

#include "chost/loader/inert_host.hpp"
#include "chost/loader/plugin_library.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "json_output.hpp"
#include "json_pretty.hpp"
#include "verb_help.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host plugin-info FILE [--allow-world-writable] [--json]";

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

int run_plugin_info(int argc, char** argv) {
  std::string file;
  loader::LoadOptions options;
  const bool as_json = take_flag(argc, argv, "--json");
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_verb_help("plugin-info", kUsage);
      return kExitOk;
    }
    if (arg == "--allow-world-writable") {
      options.allow_world_writable = true;
    } else if (arg.starts_with("-") || !file.empty()) {
      usage_error("plugin-info", "unexpected argument '" + std::string(arg) + "'", kUsage);
      return kExitUsage;
    } else {
      file = arg;
    }
  }
  if (file.empty()) {
    usage_error("plugin-info", "a plugin FILE is required", kUsage);
    return kExitUsage;
  }

  auto lib = loader::PluginLibrary::load(file, loader::inert_host(), options);
  if (!lib) {
    std::fprintf(stderr, "error: %s\n", lib.error().message.c_str());
    return kExitFailure;
  }
  if (as_json) {
    std::printf("%s\n", plugin_info_json(**lib).c_str());
    return kExitOk;
  }
  const auto& d = (*lib)->descriptor();
  std::printf("name:         %s\n", d.name.c_str());
  std::printf("version:      %s\n", d.version.c_str());
  std::printf("description:  %s\n", d.description.c_str());
  std::printf("abi:          %u.%u (descriptor %u bytes)\n", d.abi_major, d.abi_minor,
              d.struct_size_bytes);
  std::printf("capabilities: %s\n", loader::capability_names(d.capabilities).c_str());
  std::printf("hooks:        %s\n", join(loader::hook_names(d.hooks), " ").c_str());
  std::printf("file:         %s\n", (*lib)->path().c_str());
  std::printf("config schema:\n%s\n", pretty_json(d.config_schema_json).c_str());
  return kExitOk;
}

}  // namespace chost::cli
