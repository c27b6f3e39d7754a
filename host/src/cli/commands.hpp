// The connector-host command table. Each verb lives in its own cmd_<verb>.cpp (picked up by
// CMake automatically) and is listed once in commands.cpp; main.cpp dispatches to it.
#pragma once

#include <cstdio>
#include <span>

namespace chost::cli {

struct Command {
  const char* name;     // the verb, e.g. "plugins"
  const char* summary;  // one line for --help
  // argv[0] is the verb itself; returns the process exit code (kExit* below).
  int (*run)(int argc, char** argv);
  bool hidden = false;  // internal verbs (plugin-worker): not in --help
};

// Exit codes shared by every verb.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConfigInvalid = 3;  // check-config found errors; the file is unusable
inline constexpr int kExitNotAuthorized = 4;  // a connection is not authorized / disconnected
inline constexpr int kExitQuotaPaused = 5;    // a sync is paused by the SaaS's API quota

// Every verb, in the order --help lists them.
std::span<const Command> commands();

// The program's usage text with the command list.
void print_usage(std::FILE* out);

}  // namespace chost::cli
