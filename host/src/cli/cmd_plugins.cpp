// `connector-host plugins`: loads every plugin in the given directories with the inert host
// and prints a table; each bad file is reported on stderr and makes the exit code 1. Without
// --plugin-dir it lists the installed host's default folder (<prefix>/lib/connector-host/plugins).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "chost/config/default_plugin_dir.hpp"
#include "chost/loader/inert_host.hpp"
#include "chost/loader/plugin_registry.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "json_output.hpp"
#include "verb_help.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage =
    "connector-host plugins [--plugin-dir DIR]... [--allow-world-writable] [--json]\n"
    "  without --plugin-dir: the default folder, <prefix>/lib/connector-host/plugins of this\n"
    "  binary's install";

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

int run_plugins(int argc, char** argv) {
  std::vector<std::filesystem::path> dirs;
  loader::LoadOptions options;
  const bool as_json = take_flag(argc, argv, "--json");
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help("plugins", kUsage);
      return kExitOk;
    }
    if (take_option(argc, argv, i, "--plugin-dir", value, missing)) {
      if (missing) {
        usage_error("plugins", "--plugin-dir needs a directory", kUsage);
        return kExitUsage;
      }
      dirs.emplace_back(value);
    } else if (arg == "--allow-world-writable") {
      options.allow_world_writable = true;
    } else {
      usage_error("plugins", "unexpected argument '" + std::string(arg) + "'", kUsage);
      return kExitUsage;
    }
  }
  if (dirs.empty()) dirs.push_back(config::default_plugin_dir());

  loader::PluginRegistry registry;
  registry.scan(dirs, loader::inert_host(), options);

  if (as_json) {
    std::printf("%s\n", plugins_json(registry).c_str());
    return registry.errors().empty() ? kExitOk : kExitFailure;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "VERSION", "ABI", "CAPABILITIES", "FILE"}};
  for (const auto& lib : registry.plugins()) {
    const auto& d = lib->descriptor();
    rows.push_back({d.name, d.version,
                    std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor),
                    loader::capability_names(d.capabilities), lib->path().string()});
  }
  print_table(rows);
  for (const auto& e : registry.errors()) std::fprintf(stderr, "error: %s\n", e.message.c_str());
  return registry.errors().empty() ? kExitOk : kExitFailure;
}

}  // namespace chost::cli
