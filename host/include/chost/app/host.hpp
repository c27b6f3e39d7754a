// chost::app::Host: the facade that wires the subsystems into one running host. From a loaded
// HostConfig it opens the state store, builds the runtime services (the store, libcurl HTTP,
// redacting logger), loads the plugins, creates one instance per configured connector, registers
// connection providers with the ConnectionManager, and runs the Scheduler (start()).
//
// Everything built from the config (plugins, instances, connections, scheduler, status board)
// is one "generation" that lives as long as the Host and changes one instance at a time:
// enable() and disable() act on their connector only; reload() (SIGHUP) re-creates only the
// connectors whose configuration changed, the others keep running. A connector whose create()
// fails is shown as failed with the plugin's reason while the others run. The store, logger and
// HTTP client live for the whole Host.
//
// Thread-safety: every public method may be called from any thread (the admin server's workers,
// the signal thread); generation swaps exclude the other calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chost/common/metrics.hpp"
#include "chost/common/result.hpp"
#include "chost/config/host_config.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"
#include "chost/store/state_store.hpp"

namespace chost::app {

struct HostOptions {
  // Receives log lines instead of stderr (tests). Empty: stderr.
  std::function<void(const std::string& line)> log_sink;
  // Open a state whose marker says it existed although its database is missing or empty, as a
  // new, unauthorized state (see store::SqliteStoreOptions::init_state).
  bool init_state = false;
};

// `--init-state` given to the CLI (any verb): every Host opened by this process behaves as if
// HostOptions::init_state were set. Process-wide because every verb opens its Host alike.
void allow_state_init_for_process();

// A connector or connection the state holds but the configuration no longer names (a renamed
// connector, a state from another host): what it still holds, e.g. {"credentials","status"}.
struct OrphanStatus {
  std::string name;
  std::vector<std::string> holds;
};

// One configured connector as `status` shows it.
struct ConnectorStatus {
  std::string name;
  std::string plugin;
  std::string kind;  // "connection" or "connector"
  std::string state;
  std::string uses;
  std::string status_line;
  std::string last_error_class;  // chost::to_string(ErrorClass), or empty
  std::string last_error;        // the message (no class prefix), or empty
  std::string identity_json = "{}";
  int64_t last_sync_at_ms = 0;     // 0: never
  int64_t last_success_at_ms = 0;  // 0: never
  int64_t next_run_at_ms = 0;      // 0: not scheduled
  int64_t schedule_every_ms = 0;   // the configured `schedule.every`; 0: none
  std::string last_summary_json;   // the last successful sync's summary; empty: none
  std::vector<runtime::SubjectStatus> subjects;
};

// Result of running one hook directly (CLI on a stopped host).
struct HookResult {
  bool ok = false;
  std::string status;  // "ok", "transient", ...
  std::string error;   // redacted
  std::string output;  // sync summary; never credentials
};

class Host {
 public:
  // Opens the store and builds the first generation. Nothing runs until start(). Errors: an
  // unopenable store (e.g. wrong master key), postgres (not supported yet), a plugin that
  // failed to load and is referenced, an instance whose create() failed (kConfig with the
  // plugin's message).
  static Result<std::unique_ptr<Host>> open(config::HostConfig config, HostOptions options = {});
  ~Host();  // stop(), then tear down
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  Status start();  // scheduler (and the admin API when configured with a token)
  // Stops the scheduler: waits up to shutdown_grace. Returns the connectors whose hook is stuck;
  // when not empty the caller should exit the process instead of destroying the Host (which
  // would wait for them).
  std::vector<std::string> stop();

  // Applies `config` (already validated): changed, added and removed connectors only. The store
  // settings (path, key) cannot change without a restart: kConfig, and nothing changes.
  Status reload(config::HostConfig config);

  // Admin actions. authorize runs the plugin's authorize hook with `input_json` (see the ABI) and
  // returns its output without credentials.
  Result<std::string> authorize(const std::string& name, const std::string& input_json);
  Status refresh(const std::string& name);
  Status disable(const std::string& name);
  Status enable(const std::string& name);
  Status sync_now(const std::string& name);  // running host: queue a sync
  // stopped host: run sync now, here; `subjects` non-empty: only those subjects
  HookResult sync_once(const std::string& name, const std::vector<std::string>& subjects = {});

  // Per subject (end user) of a connector, for an admin. enable/disable is durable and reaches
  // the plugin as the sync input's "disabled_subjects" (the plugin skips them; the status says
  // "Disabled"). kNotFound for an unknown connector or a subject it never reported.
  Status set_subject_enabled(const std::string& connector, const std::string& subject,
                             bool enabled);
  // Syncs one subject now: queued on a running host, run here on a stopped one. At most once a
  // minute per subject (kConflict saying when it may be asked again); refused for a subject
  // an admin disabled.
  HookResult sync_subject(const std::string& connector, const std::string& subject);
  static constexpr int64_t kSubjectSyncIntervalMs = 60'000;

  // Write-back entries (the outbox) of a connector, for an admin: pending ones (the next sync
  // offers them, oldest first) or failed ones (parked with the error of their last attempt).
  // At most `limit`. Errors are redacted. kNotFound for an unknown connector.
  enum class OutboxState { kPending = 1, kFailed };
  Result<std::vector<store::OutboxEntry>> outbox(const std::string& name, OutboxState state,
                                                 size_t limit);
  // Clears the error of failed entries so that the connector's next sync offers them again:
  // the ones in `entry_ids`, or every failed entry when it is empty. Returns the ids retried,
  // oldest first. kNotFound for an unknown connector or an id that is not a failed entry of it
  // (then nothing is retried).
  Result<std::vector<int64_t>> outbox_retry(const std::string& name,
                                            const std::vector<int64_t>& entry_ids);

  std::vector<ConnectorStatus> status();
  // The state's namespaces that the current configuration (after any reload) does not name;
  // `connector-host state prune` removes them.
  Result<std::vector<OrphanStatus>> orphans();
  bool running() const;
  static std::string version();  // this build's version (PROJECT_VERSION)
  // Liveness for /healthz: the scheduler's timer loop and worker pool still turn.
  Status health() const;

  const config::HostConfig& config() const;
  store::StateStore& store();
  runtime::LogPort& log();
  runtime::Redactor& redactor();
  metrics::Registry& metrics();  // what the admin API's /metrics renders

  // Admin server (when compiled in and configured): its base URL, empty otherwise.
  std::string admin_url() const;

 private:
  struct Impl;
  explicit Host(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chost::app
