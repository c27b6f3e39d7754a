// StateStore: the host's durable state behind one interface, so that the SQLite default can be
// joined by a PostgreSQL implementation for several replicas. It holds per-instance key/value
// state, mirrored records, the write-back outbox, encrypted secrets, connection lifecycle
// records with their history, per-subject status, per-instance sync status and ownership leases.
//
// Everything plugin-visible is scoped by a namespace: the connector instance name, which must be
// 1..64 chars of [A-Za-z0-9_-]. Every method is safe to call from several threads at once.
// Timestamps are milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/store/master_key.hpp"

namespace chost::store {

// One key/value entry of an instance's state (e.g. a plugin's checkpoint).
struct KvEntry {
  std::string key;
  std::string value;
};

struct MirroredRecord {
  std::string id;
  std::string json;
  bool deleted = false;
  int64_t updated_at_ms = 0;
};

struct OutboxEntry {
  int64_t entry_id = 0;  // increasing, never reused
  std::string collection;
  std::string id;
  std::string json;
  std::string error;  // empty for pending entries; the failure for outbox_failed()
  int64_t created_at_ms = 0;
  int64_t failed_at_ms = 0;  // the last failure; 0: never failed or retried since
  int64_t attempts = 0;      // failures so far (outbox_done with an error); kept by a retry
};

// A decrypted secret. The destructor wipes the value's bytes.
struct SecretValue {
  std::string value;
  uint64_t version = 0;  // 1 for the first put, +1 per put

  SecretValue() = default;
  SecretValue(std::string v, uint64_t ver) : value(std::move(v)), version(ver) {}
  SecretValue(const SecretValue&) = default;
  SecretValue(SecretValue&&) = default;
  SecretValue& operator=(const SecretValue&) = default;
  SecretValue& operator=(SecretValue&&) = default;
  ~SecretValue();
};

// Host-owned credential lifecycle state of one connection (a connector instance that provides
// a connection). `state` is one of: unauthorized, connected, refreshing, disconnected, disabled.
struct ConnectionRecord {
  std::string name;
  std::string state;
  std::string reason;
  std::string identity_json = "{}";
  std::string public_json = "{}";  // non-secret connection data, e.g. instance_url
  int64_t access_expires_at_ms = 0;
  int64_t last_used_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct HistoryEntry {
  std::string from_state;  // empty for the first transition
  std::string to_state;
  std::string reason;
  int64_t at_ms = 0;
};

// Status of one subject (e.g. an end user) of a connector instance.
// `state` is one of: active, suspended, disabled.
struct SubjectRecord {
  std::string subject_id;
  std::string display_name;
  std::string state;
  std::string detail;
  int64_t updated_at_ms = 0;
  bool admin_disabled = false;  // an admin switched this subject off (not the plugin's state)
};

// What the last sync of one connector instance reported, kept so that `status` on a stopped
// host shows what the last CLI `sync` or `run` saw. `last_outcome` is empty before the first
// sync, else one of: ok, transient, auth_revoked, config, permanent, cancelled.
// `last_summary_json` is the plugin's summary output as JSON text (e.g. records by object, API
// calls). Times of 0 mean never / not scheduled.
struct InstanceStatusRecord {
  std::string name;  // the connector instance name (its namespace)
  std::string last_outcome;
  std::string last_error_class;  // empty when the last sync succeeded
  std::string last_error;
  int64_t last_sync_at_ms = 0;
  int64_t last_success_at_ms = 0;
  std::string last_summary_json = "{}";
  int64_t next_run_at_ms = 0;
  std::string status_line;  // one human-readable line for `status`
  int64_t updated_at_ms = 0;
};

// One webhook delivery of one host notification (host.notify): a row of the durable queue the
// notifier delivers from. One event fans out into one row per subscribed webhook; all rows of
// an event share its `event_id`, which receivers see as the idempotency key. `state` is one of:
// pending (not yet delivered; tried again at next_attempt_at_ms), delivered, failed (gave up
// after the configured attempts). `body` is the JSON the webhook receives (never a secret).
struct NotificationRecord {
  int64_t seq = 0;  // increasing, never reused; 0 before notify_enqueue
  std::string event_id;
  std::string webhook;  // the webhook's name in host.notify
  std::string event;    // e.g. connection.disconnected
  std::string body;
  std::string state = "pending";
  int64_t attempts = 0;
  int64_t next_attempt_at_ms = 0;
  std::string last_error;   // empty: none; else the transport reason or "HTTP <status>"
  int64_t last_status = 0;  // HTTP status of the last attempt, 0: no answer
  int64_t created_at_ms = 0;
  int64_t delivered_at_ms = 0;  // 0: not delivered
};

// Counts of the notification queue by state, for /metrics.
struct NotificationCounts {
  int64_t pending = 0;
  int64_t delivered = 0;
  int64_t failed = 0;
};

// A write transaction in one namespace. Every write of a sync batch (records, checkpoint,
// outbox) goes through one Transaction so that it commits or vanishes as a whole. After any
// operation fails, the transaction is poisoned: commit() rolls back and reports that error.
// Destroying a transaction that was not committed rolls it back. Writers are serialized, so
// keep transactions short (no network calls while one is open).
// A Transaction is used by one thread at a time.
class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual Status put(std::string_view key, std::string_view value) = 0;
  virtual Status del(std::string_view key) = 0;
  // Reads through the transaction, so it sees its own uncommitted writes.
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;

  // Upsert by id into the collection's mirror table (created on first use). `json` must be
  // valid JSON.
  virtual Status upsert_record(std::string_view collection, std::string_view id,
                               std::string_view json, bool deleted) = 0;
  // Queues a change for write-back; returns its entry_id.
  virtual Result<int64_t> outbox_add(std::string_view collection, std::string_view id,
                                     std::string_view json) = 0;
  // Empty `error`: the entry is removed. Otherwise it is kept with the error and not offered by
  // outbox_pending() until outbox_retry(). kNotFound if the entry is not in this namespace.
  virtual Status outbox_done(int64_t entry_id, std::string_view error) = 0;

  // Durable (fsync'd) when OK. Ends the transaction either way.
  virtual Status commit() = 0;
  // Ends the transaction, discarding its writes. No-op when already ended.
  virtual void rollback() = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // nullopt while usable. Once the backend found the database damaged while running (SQLite:
  // SQLITE_CORRUPT / SQLITE_NOTADB from any statement, then its integrity check), why, with the
  // backend's own words and the path; every call fails from then on and nothing is written.
  virtual std::optional<std::string> damaged() const { return std::nullopt; }

  // --- Whole namespaces (a connector's or connection's every trace) ---
  // What each name holding anything in the state holds ("credentials", "connection",
  // "status", "state", "subjects", "outbox", "mirrors", "secrets"), sorted by name.
  struct NamespaceUsage {
    std::string name;
    std::vector<std::string> holds;
  };
  virtual Result<std::vector<NamespaceUsage>> list_namespaces() {
    return Error::permanent("listing namespaces is not supported by this store");
  }
  // Removes everything of `name` (connection, credentials and other secrets, history, status,
  // kv, subjects, outbox, mirror tables) in one transaction.
  virtual Status delete_namespace(std::string_view name) {
    (void)name;
    return Error::permanent("deleting namespaces is not supported by this store");
  }

  // --- Key/value state (writes go through begin()) ---
  virtual Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) = 0;
  virtual Result<std::unique_ptr<Transaction>> begin(std::string_view ns) = 0;
  // The namespace's entries with keys greater than `after_key` (empty: from the start), sorted
  // by key, at most `limit`: pass the last key back to read the next page.
  virtual Result<std::vector<KvEntry>> list_kv(std::string_view ns, std::string_view after_key,
                                               size_t limit) = 0;

  // --- Mirrored records ---
  // nullopt when the record or the collection does not exist. Deleted records are returned
  // with deleted = true.
  virtual Result<std::optional<MirroredRecord>> record_get(std::string_view ns,
                                                           std::string_view collection,
                                                           std::string_view id) = 0;
  virtual Result<uint64_t> count_records(std::string_view ns, std::string_view collection,
                                         bool include_deleted) = 0;
  // Ids of the collection's live (not deleted) records greater than `after_id` (empty: from the
  // start), in byte order, at most `limit`: pass the last id back to read the next page. Empty
  // when the collection does not exist.
  virtual Result<std::vector<std::string>> list_record_ids(std::string_view ns,
                                                           std::string_view collection,
                                                           std::string_view after_id,
                                                           size_t limit) = 0;
  // Collection names (as given, not sanitized) of the namespace, sorted.
  virtual Result<std::vector<std::string>> list_collections(std::string_view ns) = 0;

  // --- Outbox (write-back queue) ---
  // Entries without an error, oldest first, at most `limit`.
  virtual Result<std::vector<OutboxEntry>> outbox_pending(std::string_view ns, size_t limit) = 0;
  // Entries that failed (error set), oldest first, for the admin.
  virtual Result<std::vector<OutboxEntry>> outbox_failed(std::string_view ns) = 0;
  // Clears a failed entry's error so it is offered again. kNotFound if absent.
  virtual Status outbox_retry(std::string_view ns, int64_t entry_id) = 0;

  // --- Secrets (encrypted at rest; need a master key) ---
  virtual Result<std::optional<SecretValue>> secret_get(std::string_view ns,
                                                        std::string_view name) = 0;
  // Compare-and-swap: stores `value` only if the current version is `expected_version`
  // (0: must not exist), else kConflict. Durable when OK. Returns the new version.
  virtual Result<uint64_t> secret_put(std::string_view ns, std::string_view name,
                                      std::string_view value, uint64_t expected_version) = 0;
  // Idempotent: OK when the secret does not exist.
  virtual Status secret_delete(std::string_view ns, std::string_view name) = 0;
  // Re-encrypts every secret with `new_key` in one transaction; from then on only `new_key`
  // opens the state.
  virtual Status rotate_key(MasterKey new_key) = 0;

  // --- Connections (host-owned) ---
  virtual Status put_connection(const ConnectionRecord& record) = 0;
  virtual Result<std::optional<ConnectionRecord>> get_connection(std::string_view name) = 0;
  virtual Result<std::vector<ConnectionRecord>> list_connections() = 0;
  // Appends a transition and keeps only the newest N per connection (store option).
  virtual Status append_history(std::string_view name, std::string_view from_state,
                                std::string_view to_state, std::string_view reason,
                                int64_t at_ms) = 0;
  // Newest first, at most `limit`.
  virtual Result<std::vector<HistoryEntry>> list_history(std::string_view name, size_t limit) = 0;

  // --- Subjects (per end user status) ---
  // Upsert by (ns, subject_id). An existing subject keeps its admin_disabled switch (the
  // plugin reports state; only set_subject_admin_disabled changes the switch).
  virtual Status upsert_subject(std::string_view ns, const SubjectRecord& subject) = 0;
  // An admin's per-subject switch. kNotFound when the subject was never reported.
  virtual Status set_subject_admin_disabled(std::string_view ns, std::string_view subject_id,
                                            bool disabled) = 0;
  virtual Result<std::optional<SubjectRecord>> get_subject(std::string_view ns,
                                                           std::string_view subject_id) = 0;
  // Sorted by subject_id.
  virtual Result<std::vector<SubjectRecord>> list_subjects(std::string_view ns) = 0;
  // Removes the subject's row, its admin switch included; OK when there was none.
  virtual Status delete_subject(std::string_view ns, std::string_view subject_id) = 0;

  // --- Instance status (last sync of each connector instance) ---
  // Upsert by name, replacing every field. Durable when OK. kConfig for an invalid name or
  // outcome; kPermanent when last_summary_json is not valid JSON.
  virtual Status put_instance_status(const InstanceStatusRecord& record) = 0;
  virtual Result<std::optional<InstanceStatusRecord>> get_instance_status(
      std::string_view name) = 0;
  // Sorted by name.
  virtual Result<std::vector<InstanceStatusRecord>> list_instance_statuses() = 0;
  // Idempotent: OK when there is no status for `name`.
  virtual Status delete_instance_status(std::string_view name) = 0;

  // --- Notifications (durable webhook delivery queue) ---
  // Stores every row in one durable transaction (one event is queued for all its webhooks or
  // for none); a row whose (event_id, webhook) is already queued is skipped. Fills in nothing:
  // the caller sets state "pending", created_at_ms and next_attempt_at_ms.
  virtual Status notify_enqueue(const std::vector<NotificationRecord>& rows) = 0;
  // Pending rows due at `now_ms` (next_attempt_at_ms <= now_ms), oldest first, at most `limit`.
  virtual Result<std::vector<NotificationRecord>> notify_due(int64_t now_ms, size_t limit) = 0;
  // The earliest next_attempt_at_ms of a pending row; nullopt when none is pending.
  virtual Result<std::optional<int64_t>> notify_next_due() = 0;
  // Records an attempt's outcome: state, attempts, next_attempt_at_ms, last_error, last_status
  // and delivered_at_ms of the row `record.seq`. kNotFound when there is no such row.
  virtual Status notify_update(const NotificationRecord& record) = 0;
  // Newest first, at most `limit`.
  virtual Result<std::vector<NotificationRecord>> notify_list(size_t limit) = 0;
  virtual Result<NotificationCounts> notify_counts() = 0;

  // --- Leases (leader/ownership for scale-out) ---
  // True when `owner` now holds the lease until now_ms + ttl_ms: it was free, expired, or
  // already held by `owner` (renewal). False when another owner holds an unexpired lease.
  virtual Result<bool> try_acquire_lease(std::string_view name, std::string_view owner,
                                         int64_t ttl_ms, int64_t now_ms) = 0;
  // Releases the lease if `owner` holds it; OK otherwise too.
  virtual Status release_lease(std::string_view name, std::string_view owner) = 0;
};

// Valid connection / subject state names and sync outcomes (empty is a valid outcome: none yet).
bool is_valid_connection_state(std::string_view state);
bool is_valid_subject_state(std::string_view state);
bool is_valid_sync_outcome(std::string_view outcome);
bool is_valid_notification_state(std::string_view state);

}  // namespace chost::store
