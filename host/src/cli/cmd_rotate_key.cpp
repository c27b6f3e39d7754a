// `connector-host rotate-key -c FILE --new-key-ref REF`: re-encrypts every secret in the state
// store with a new master key, in one transaction. REF is a secret reference (quote it in the
// shell): '${env:NAME}' or '${file:/path}'. Refuses while a host is running on the state.
// Afterwards, point host.master_key at the new key before starting the host.
#include <cstdio>
#include <string>

#include "app_support.hpp"
#include "chost/app/state_lock.hpp"
#include "chost/store/sqlite_store.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "verb_help.hpp"

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host rotate-key -c FILE --new-key-ref '${env:NAME}'";

int fail(const std::string& message) {
  std::fprintf(stderr, "connector-host rotate-key: %s\n", message.c_str());
  return kExitFailure;
}

}  // namespace

int run_rotate_key(int argc, char** argv) {
  std::string path;
  std::string ref;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help("rotate-key", kUsage);
      return kExitOk;
    }
    if (!(take_option(argc, argv, i, "-c", path, missing) ||
          take_option(argc, argv, i, "--config", path, missing) ||
          take_option(argc, argv, i, "--new-key-ref", ref, missing)) ||
        missing) {
      usage_error("rotate-key", "unexpected argument '" + std::string(arg) + "'", kUsage);
      return kExitUsage;
    }
  }
  if (path.empty() || ref.empty()) {
    usage_error("rotate-key", "-c FILE and --new-key-ref are required", kUsage);
    return kExitUsage;
  }
  if (ref.rfind("${", 0) != 0) {
    // A literal key on the command line ends up in shell history and `ps`.
    return fail("--new-key-ref must be a reference: '${env:NAME}' or '${file:/path}'");
  }
  auto cfg = config::load_host_section(path);
  if (!cfg) return fail(cfg.error().message);
  if (running_admin_url(*cfg)) return fail("a host is running on this state; stop it first");
  if (cfg->host.state.backend != config::StateBackend::kSqlite) {
    return fail("only the sqlite state backend is supported");
  }
  if (!cfg->host.master_key) return fail("host.master_key is not set: nothing to rotate from");
  auto old_key = store::parse_master_key(*cfg->host.master_key);
  if (!old_key) return fail("host.master_key: " + old_key.error().message);
  auto new_text = config::resolve_secret_reference(ref);
  if (!new_text) return fail("--new-key-ref: " + new_text.error().message);
  auto new_key = store::parse_master_key(*new_text);
  if (!new_key) return fail("--new-key-ref: " + new_key.error().message);
  auto lock = app::StateLock::acquire(cfg->host.state.path);
  if (!lock) return fail(lock.error().message);
  auto st = store::open_sqlite_store(cfg->host.state.path.string(), std::move(*old_key));
  if (!st) return fail(st.error().message);
  if (Status r = (*st)->rotate_key(std::move(*new_key)); !r) return fail(r.error().message);
  std::printf("secrets re-encrypted in %s; set host.master_key to the new key reference (%s)\n",
              cfg->host.state.path.string().c_str(), ref.c_str());
  return kExitOk;
}

}  // namespace chost::cli
