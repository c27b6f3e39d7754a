// AdminBackend: the narrow view of the running host that the admin HTTP server serves.
// The server knows nothing of the runtime; the integrator implements this over the runtime
// (status board, connection manager, scheduler, store history, metrics registry).
//
// Threading: the server calls every method from its worker threads, possibly concurrently and
// possibly while another call is in progress; implementations must be thread-safe. Calls may
// block (an authorize or refresh runs a plugin hook); they should honour their own deadlines,
// because AdminServer::stop() waits for calls already running.
//
// Secrets: nothing returned here may contain a token, secret or key; the server serializes
// these values as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::admin {

// A connector or connection the state holds but the configuration does not name.
struct OrphanView {
  std::string name;
  std::vector<std::string> holds;  // e.g. "credentials", "status", "records"
};

// One connector instance (a connection provider or a connector), as listed by the API.
struct ConnectorView {
  std::string name;
  std::string plugin;
  std::string kind;              // "connection" or "connector"
  std::string state;             // runtime state name, e.g. "connected", "suspended"
  std::string status_line;       // the plugin's last status report or the host's reason
  std::string last_error;        // empty: none
  std::string last_error_class;  // chost::to_string(ErrorClass) or empty
  std::string uses;              // the connection this connector uses, or empty
  std::optional<int64_t> last_sync_at_ms;
  std::optional<int64_t> next_run_at_ms;
  std::optional<int64_t> schedule_every_ms;  // the configured period; none: runs on demand only
  std::optional<int64_t> last_success_at_ms;
  std::string last_summary_json;  // the last successful sync's summary object; empty: none
  // Who authorized a connection (user id, username, org) as a JSON object; "{}" when unknown.
  // Never credentials.
  std::string identity_json = "{}";
  int subject_count = 0;
};

// One subject (e.g. an end user) of a connector.
struct SubjectView {
  std::string connector;
  std::string subject_id;
  std::string display_name;
  std::string state;  // active, suspended, disabled
  std::string detail;
  int64_t updated_at_ms = 0;
  std::string status;           // the admin's words for `state`, e.g. "Disabled due to an error"
  bool admin_disabled = false;  // an admin switched it off ("Disabled")
};

// One connection state transition, newest first in history().
struct TransitionView {
  std::string from_state;  // empty for the first transition
  std::string to_state;
  std::string reason;
  int64_t at_ms = 0;
};

// One entry of a connector's own state: its plugin's checkpoints and cursors (e.g. a Graph delta
// link per mailbox folder, a SystemModstamp per object). Never credentials: those live apart.
struct CheckpointView {
  std::string key;
  std::string value;
};

// One write-back (outbox) entry: what an admin needs to decide on a retry. Never the record's
// data (it may be personal), never credentials.
struct OutboxEntryView {
  int64_t id = 0;  // the entry id, for a retry
  std::string collection;
  std::string record_id;
  std::string error;  // the last attempt's error; empty for a pending entry never failed
  int64_t attempts = 0;
  int64_t created_at_ms = 0;
  std::optional<int64_t> failed_at_ms;
};

// One webhook delivery of a host.notify event (the durable queue), newest first.
struct NotificationView {
  int64_t seq = 0;
  std::string event_id;  // the Idempotency-Key the receiver sees
  std::string webhook;   // its name in host.notify (never the URL, which may hold a token)
  std::string event;     // e.g. connection.disconnected
  std::string state;     // pending, delivered, failed
  int64_t attempts = 0;
  std::string last_error;   // empty: none
  int64_t last_status = 0;  // HTTP status of the last attempt; 0: no answer
  int64_t created_at_ms = 0;
  std::optional<int64_t> next_attempt_at_ms;  // pending only
  std::optional<int64_t> delivered_at_ms;
  std::string body_json;  // what the webhook receives (no secrets)
};

struct NotificationsView {
  std::vector<NotificationView> items;
  int64_t pending = 0;
  int64_t delivered = 0;
  int64_t failed = 0;
};

class AdminBackend {
 public:
  virtual ~AdminBackend() = default;

  // Every configured instance, sorted by name.
  virtual std::vector<ConnectorView> connectors() = 0;
  virtual std::optional<ConnectorView> connector(const std::string& name) = 0;
  // The subjects (end users) of `connector`, sorted by subject_id. kNotFound for an unknown
  // connector.
  virtual Result<std::vector<SubjectView>> subjects(const std::string& connector) = 0;
  // The newest `limit` transitions of a connection. kNotFound for an unknown name.
  virtual Result<std::vector<TransitionView>> history(const std::string& name, size_t limit) = 0;

  // Starts authorizing a connection. Returns a JSON object: {"authorize_url":..} for a browser
  // flow whose redirect lands on `redirect_uri`, or {"state":"connected"} when the flow
  // completed without a browser (e.g. client credentials).
  virtual Result<std::string> authorize_start(const std::string& name,
                                              const std::string& redirect_uri) = 0;
  // Completes a browser flow. `state` identifies the flow (and validates it: an unknown or
  // expired state is kNotFound or kConfig); `error` is the provider's error code when the user
  // declined, else empty. Returns the name of the connection that was authorized.
  virtual Result<std::string> authorize_callback(const std::string& state, const std::string& code,
                                                 const std::string& error) = 0;

  virtual Status refresh(const std::string& name) = 0;
  virtual Status disable(const std::string& name) = 0;
  virtual Status enable(const std::string& name) = 0;
  virtual Status sync_now(const std::string& name) = 0;

  // One subject (end user) of a connector. enable/disable are durable; sync runs that subject
  // only (at most once a minute: kConflict). kNotFound for an unknown connector or subject.
  virtual Status set_subject_enabled(const std::string& connector, const std::string& subject,
                                     bool enabled) = 0;
  virtual Status sync_subject(const std::string& connector, const std::string& subject) = 0;

  // A connector's checkpoints with keys after `after_key`, sorted by key, at most `limit`.
  // kNotFound for an unknown connector.
  virtual Result<std::vector<CheckpointView>> checkpoints(const std::string& connector,
                                                          const std::string& after_key,
                                                          size_t limit) = 0;
  // Deletes the named checkpoints (empty: every one) so the next sync starts those over. Only
  // while the connector is disabled (kConflict otherwise). Returns how many were deleted.
  virtual Result<size_t> reset_checkpoints(const std::string& connector,
                                           const std::vector<std::string>& keys) = 0;
  // Write-back entries of a connector, oldest first, at most `limit`: failed (parked with an
  // error) or pending. kNotFound for an unknown connector.
  virtual Result<std::vector<OutboxEntryView>> outbox(const std::string& connector, bool failed,
                                                      size_t limit) = 0;
  // Offers failed entries again at the next sync: the given ids, or all when `ids` is empty.
  // Returns the ids retried. kNotFound for an unknown connector or an id that is not a failed
  // entry (nothing retried then).
  virtual Result<std::vector<int64_t>> outbox_retry(const std::string& connector,
                                                    const std::vector<int64_t>& ids) = 0;

  // What the state holds for names the configuration does not have (listed with the
  // connectors; `connector-host state prune` removes them). None by default.
  virtual std::vector<OrphanView> orphans() { return {}; }

  // The newest `limit` notification deliveries and the queue's counts by state.
  virtual Result<NotificationsView> notifications(size_t limit) = 0;

  // Alive: the host's scheduler loops still turn (its timer thread and its worker pool each ran
  // a heartbeat recently). When not, `why_not` (never null) says which loop stalled.
  virtual bool healthy(std::string* why_not) = 0;
  // Ready: configuration loaded and every required connection connected. When not ready,
  // `why_not` (never null) receives a one-line reason.
  virtual bool ready(std::string* why_not) = 0;
  // The Prometheus text exposition of every metric.
  virtual std::string metrics_text() = 0;
};

}  // namespace chost::admin
