// The child side of process isolation: `connector-host plugin-worker --fd N --plugin PATH
// --parent PID` loads one plugin with a chp_host whose callbacks travel over fd N to the host,
// then runs the hooks the host sends until it is told to destroy the instance or the host goes
// away (host/src/loader/README.md has the protocol).
#pragma once

#include <sys/types.h>

#include <filesystem>

namespace chost::loader {

struct PluginWorkerArgs {
  int fd = -1;                   // the worker's end of the socketpair
  std::filesystem::path plugin;  // the shared object the host loaded (already checked there)
  pid_t parent = 0;              // the host: the worker exits when it is no longer its parent
};

// Returns the process exit code: 0 after destroy or when the host closed the socket.
int run_plugin_worker(const PluginWorkerArgs& args);

}  // namespace chost::loader
