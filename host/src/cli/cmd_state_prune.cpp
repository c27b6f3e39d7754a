// `connector-host state prune -c FILE [--yes]`: lists the connectors and connections the state
// holds but the configuration does not name (a state from another host, a renamed connector)
// and, with --yes, removes every trace of them: credentials, connection, history, status,
// checkpoints, subjects, outbox and mirror tables. Only on a stopped host (the state lock).
#include <cstdio>
#include <string>

#include "app_support.hpp"
#include "chost/app/orphans.hpp"
#include "chost/app/state_lock.hpp"
#include "chost/store/master_key.hpp"
#include "chost/store/sqlite_store.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "verb_help.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host state prune -c FILE [--yes]";

int fail(const std::string& message) {
  std::fprintf(stderr, "connector-host state prune: %s\n", message.c_str());
  return kExitFailure;
}

}  // namespace

int run_state(int argc, char** argv) {
  if (argc >= 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    print_verb_help("state", kUsage);
    return kExitOk;
  }
  if (argc < 2 || std::string_view(argv[1]) != "prune") {
    usage_error("state", "the only subcommand is 'prune'", kUsage);
    return kExitUsage;
  }
  std::string path;
  bool yes = false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help("state", kUsage);
      return kExitOk;
    }
    if (arg == "--yes") {
      yes = true;
    } else if (!(take_option(argc, argv, i, "-c", path, missing) ||
                 take_option(argc, argv, i, "--config", path, missing)) ||
               missing) {
      usage_error("state prune", "unexpected argument '" + std::string(arg) + "'", kUsage);
      return kExitUsage;
    }
  }
  if (path.empty()) {
    usage_error("state prune", "-c FILE is required", kUsage);
    return kExitUsage;
  }
  auto cfg = load_full_config(path);
  if (!cfg) return fail(cfg.error().message);
  if (running_admin_url(*cfg)) return fail("a host is running on this state; stop it first");
  if (cfg->host.state.backend != config::StateBackend::kSqlite) {
    return fail("only the sqlite state backend is supported");
  }
  std::optional<store::MasterKey> key;
  if (cfg->host.master_key) {
    auto parsed = store::parse_master_key(*cfg->host.master_key);
    if (!parsed) return fail("host.master_key: " + parsed.error().message);
    key.emplace(std::move(*parsed));
  }
  auto lock = app::StateLock::acquire(cfg->host.state.path);
  if (!lock) return fail(lock.error().message);
  auto st = store::open_sqlite_store(cfg->host.state.path.string(), std::move(key));
  if (!st) return fail(st.error().message);
  auto orphans = app::find_orphans(**st, *cfg);
  if (!orphans) return fail(orphans.error().message);
  if (orphans->empty()) {
    std::printf("nothing to prune: every connector and connection in %s is configured\n",
                cfg->host.state.path.string().c_str());
    return kExitOk;
  }
  for (const auto& o : *orphans) {
    if (yes) {
      if (Status s = (*st)->delete_namespace(o.name); !s) return fail(s.error().message);
      std::printf("removed %s\n", app::describe_orphan(o).c_str());
    } else {
      std::printf("not configured: %s\n", app::describe_orphan(o).c_str());
    }
  }
  if (!yes) std::printf("run again with --yes to remove them\n");
  return kExitOk;
}

}  // namespace chost::cli
