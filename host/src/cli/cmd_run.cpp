// `connector-host run -c FILE`: runs the host until SIGTERM/SIGINT, then stops gracefully within
// host.shutdown_grace (exit 0; hooks still stuck after the grace are abandoned and the process
// exits anyway); exit 3 when the config is invalid (what check-config reports). SIGHUP re-reads and
// validates the config; a valid one replaces the running generation (every instance is re-created),
// an invalid one is logged and the old one keeps running. Signals are taken with sigwait() on this
// thread after blocking them for every thread, so no handler runs async-signal-unsafe code.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "app_support.hpp"
#include "chost/app/host.hpp"
#include "cli_args.hpp"
#include "commands.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host run -c FILE";

}  // namespace

int run_run(int argc, char** argv) {
  std::string config_path;
  if (auto exit_code = parse_config_only("run", kUsage, argc, argv, config_path)) {
    return *exit_code;
  }

  // Block before any thread exists so every thread inherits the mask and only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto cfg = load_full_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "connector-host run: %s\n", cfg.error().message.c_str());
    return kExitConfigInvalid;  // as check-config: the file is unusable
  }
  auto host = app::Host::open(std::move(*cfg));
  if (!host) {
    std::fprintf(stderr, "connector-host run: %s\n", host.error().message.c_str());
    return kExitFailure;
  }
  app::Host& h = **host;
  for (const auto& w : h.config().warnings)
    h.log().log(runtime::LogLevel::kWarn, "", w.to_string());
  if (Status st = h.start(); !st) {
    h.log().log(runtime::LogLevel::kError, "", "cannot start: " + st.error().message);
    return kExitFailure;
  }
  h.log().log(runtime::LogLevel::kInfo, "", "running; pid " + std::to_string(getpid()));

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      h.log().log(runtime::LogLevel::kInfo, "", "SIGHUP: reloading " + config_path);
      auto next = load_full_config(config_path);
      if (!next) {
        h.log().log(runtime::LogLevel::kError, "",
                    "reload rejected, keeping the running configuration: " + next.error().message);
        continue;
      }
      if (Status st = h.reload(std::move(*next)); !st) {
        h.log().log(runtime::LogLevel::kError, "",
                    "reload rejected, keeping the running configuration: " + st.error().message);
      } else {
        h.log().log(runtime::LogLevel::kInfo, "", "configuration reloaded");
      }
      continue;
    }
    h.log().log(runtime::LogLevel::kInfo, "",
                std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + "; stopping");
    break;
  }
  const std::vector<std::string> stuck = h.stop();
  if (!stuck.empty()) {
    // Destroying the host would wait for the stuck hooks; exit without running destructors.
    h.log().log(runtime::LogLevel::kWarn, "", "exiting with hooks still running");
    std::fflush(nullptr);
    _exit(kExitOk);
  }
  h.log().log(runtime::LogLevel::kInfo, "", "stopped");
  host->reset();
  return kExitOk;
}

}  // namespace chost::cli
