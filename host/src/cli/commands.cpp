// The one list of connector-host verbs. To add one: write `int run_<verb>(int, char**)` in
// cmd_<verb>.cpp (namespace chost::cli), declare it below and add a row to kCommands.
#include "commands.hpp"

#include <string>

namespace chost::cli {

int run_plugins(int argc, char** argv);
int run_plugin_info(int argc, char** argv);

namespace {

constexpr Command kCommands[] = {
    {"plugins", "list the plugins found in plugin directories", run_plugins},
    {"plugin-info", "show one plugin's descriptor and config schema", run_plugin_info},
};

}  // namespace

std::span<const Command> commands() { return kCommands; }

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: connector-host <command> [options]\n"
               "       connector-host --version | --help\n"
               "\ncommands:\n");
  for (const Command& c : commands()) {
    std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
  }
  std::fprintf(out, "\nRun `connector-host <command> --help` for a command's options.\n");
}

}  // namespace chost::cli
