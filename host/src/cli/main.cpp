// connector-host entry point: global flags (--version, --help) and verb dispatch through
// the command table in commands.cpp.
#include <connector_host/plugin_api.h>

#include <cstdio>
#include <string_view>

#include "commands.hpp"

#ifndef CHOST_VERSION
#error "CHOST_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

int main(int argc, char** argv) {
  using namespace chost::cli;
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
