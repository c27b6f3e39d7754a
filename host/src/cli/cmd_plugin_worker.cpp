// `connector-host plugin-worker --fd N --plugin PATH --parent PID`: hidden. The host starts it
// for each instance of a connector with `isolation: process`; nobody else should.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "chost/loader/plugin_worker.hpp"
#include "commands.hpp"

namespace chost::cli {

int run_plugin_worker(int argc, char** argv) {
  loader::PluginWorkerArgs args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--fd") {
      args.fd = std::atoi(value);
    } else if (flag == "--plugin") {
      args.plugin = value;
    } else if (flag == "--parent") {
      args.parent = static_cast<pid_t>(std::atoll(value));
    }
  }
  if (args.fd < 0 || args.plugin.empty() || args.parent <= 0) {
    std::fprintf(stderr,
                 "connector-host plugin-worker: internal verb, started by the host for connectors "
                 "with `isolation: process` (needs --fd, --plugin and --parent)\n");
    return kExitUsage;
  }
  return loader::run_plugin_worker(args);
}

}  // namespace chost::cli
