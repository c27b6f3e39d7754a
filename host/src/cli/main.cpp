// connector-host entry point: global flags (--version, --help) and verb dispatch through
// the command table in commands.cpp.
#include <connector_host/plugin_api.h>

#include <cstdio>
#include <string_view>

#include "chost/app/host.hpp"
#include "commands.hpp"

#ifndef CHOST_VERSION
#error "CHOST_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

int main(int argc, char** argv) {
  using namespace chost::cli;
  // `--init-state` is global (any verb that opens the state): taken out before the verb parses.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--init-state") {
      chost::app::allow_state_init_for_process();
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  const std::string_view verb = argv[1];
  if (verb == "--version" || verb == "-V") {
    std::printf("connector-host %s (plugin ABI %d.%d)\n", CHOST_VERSION, CHP_ABI_MAJOR,
                CHP_ABI_MINOR);
    return kExitOk;
  }
  if (verb == "--help" || verb == "-h" || verb == "help") {
    print_usage(stdout);
    return kExitOk;
  }
  for (const Command& c : commands()) {
    if (verb == c.name) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "connector-host: unknown command '%.*s'\n\n", static_cast<int>(verb.size()),
               verb.data());
  print_usage(stderr);
  return kExitUsage;
}
