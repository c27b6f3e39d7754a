// The one list of connector-host verbs. To add one: write `int run_<verb>(int, char**)` in
// cmd_<verb>.cpp (namespace chost::cli), declare it below and add a row to kCommands.
#include "commands.hpp"

#include <string>

namespace chost::cli {

int run_plugins(int argc, char** argv);
int run_plugin_info(int argc, char** argv);
int run_run(int argc, char** argv);
int run_check_config(int argc, char** argv);
int run_schema(int argc, char** argv);
int run_status(int argc, char** argv);
int run_authorize(int argc, char** argv);
int run_refresh(int argc, char** argv);
int run_disable(int argc, char** argv);
int run_enable(int argc, char** argv);
int run_sync(int argc, char** argv);
int run_rotate_key(int argc, char** argv);
int run_state(int argc, char** argv);
int run_outbox(int argc, char** argv);
int run_plugin_worker(int argc, char** argv);
int run_completion(int argc, char** argv);

namespace {

constexpr Command kCommands[] = {
    {"plugins", "list the plugins found in plugin directories", run_plugins},
    {"plugin-info", "show one plugin's descriptor and config schema", run_plugin_info},
    {"run", "run the host until SIGTERM (SIGHUP reloads the config)", run_run},
    {"check-config", "validate a config file with its plugins; print every problem",
     run_check_config},
    {"schema", "print the JSON Schema of the config file (with plugin schemas)", run_schema},
    {"status", "connectors, states, last errors and subjects", run_status},
    {"authorize", "authorize a connection (browser flow via a loopback redirect)", run_authorize},
    {"refresh", "refresh a connection's credentials now", run_refresh},
    {"disable", "disable a connector or connection", run_disable},
    {"enable", "enable a disabled connector or connection", run_enable},
    {"sync", "run (or queue) one sync of a connector now", run_sync},
    {"outbox", "write-back entries a SaaS refused (or pending); --retry offers them again",
     run_outbox},
    {"rotate-key", "re-encrypt the state store's secrets with a new master key", run_rotate_key},
    {"state", "prune: list (--yes: remove) state of connectors the config does not name",
     run_state},
    {"completion", "print a shell completion script (bash)", run_completion},
    {"plugin-worker", "runs one plugin instance for a connector with `isolation: process`",
     run_plugin_worker, true},
};

}  // namespace

std::span<const Command> commands() { return kCommands; }

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: connector-host <command> [options]\n"
               "       connector-host --version | --help\n"
               "\ncommands:\n");
  for (const Command& c : commands()) {
    if (c.hidden) continue;
    std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
  }
  std::fprintf(
      out,
      "\nRun `connector-host <command> --help` for a command's options.\n"
      "--json (status, plugins, plugin-info, check-config, sync): one JSON document on\n"
      "stdout.\n"
      "--init-state (any command): start a new, unauthorized state where its marker\n"
      "  (<state>.marker) says one existed but the file is now missing or empty.\n"
      "\nexit codes:\n"
      "  0  ok\n"
      "  1  failed\n"
      "  2  usage (unknown command or option)\n"
      "  3  config invalid (check-config, run and every verb that reads -c FILE)\n"
      "  4  not authorized / disconnected: sync of such a connection, status showing one\n"
      "  5  paused by the API quota: sync refused by the quota guard, status showing one\n");
}

}  // namespace chost::cli
