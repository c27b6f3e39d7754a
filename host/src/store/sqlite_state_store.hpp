// Private to chost_store: the SQLite StateStore and its Transaction. Split by concern over
// sqlite_state_store.cpp (kv, mirror reads, outbox), sqlite_transaction.cpp (writes),
// sqlite_secrets.cpp (encryption, key check, rotation), sqlite_host_tables.cpp
// (connections, history, subjects, leases), sqlite_instance_status.cpp (last sync status) and
// sqlite_notifications.cpp (the webhook delivery queue).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "chost/store/sqlite_store.hpp"
#include "chost/store/state_store.hpp"
#include "sqlite_db.hpp"

namespace chost::store {

// State shared by the store and its transactions, so that a transaction outliving the store
// object stays memory-safe.
struct StoreCore {
  std::shared_ptr<ConnectionPool> pool;
  std::function<int64_t()> now_ms;
  size_t history_keep_per_connection = 50;

  // (namespace, collection) pairs whose mirror table is known to exist (committed).
  std::mutex mirrors_mu;
  std::set<std::pair<std::string, std::string>> known_mirrors;

  // Held shared by secret reads/writes and exclusively by rotate_key, always before any
  // database lock, so a rotation never interleaves with a put sealed under the old key.
  std::shared_mutex key_mu;
  std::optional<MasterKey> key;

  Result<PooledDb> acquire() { return pool->acquire(); }
  std::string error_prefix() const { return "state store " + pool->path() + ": "; }
};

// Looks up the mirror table of (ns, collection) in the registry; nullopt when none yet.
// `uncommitted` lists the pairs the caller's open transaction created: those are not cached
// store-wide before that transaction commits.
Result<std::optional<std::string>> find_mirror_table(
    StoreCore& core, Db& db, std::string_view ns, std::string_view collection,
    const std::set<std::pair<std::string, std::string>>* uncommitted = nullptr);

class SqliteStateStore final : public StateStore {
 public:
  explicit SqliteStateStore(std::shared_ptr<StoreCore> core) : core_(std::move(core)) {}

  std::optional<std::string> damaged() const override { return core_->pool->health().damaged(); }
  Result<std::vector<NamespaceUsage>> list_namespaces() override;
  Status delete_namespace(std::string_view name) override;

  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override;
  Result<std::unique_ptr<Transaction>> begin(std::string_view ns) override;
  Result<std::vector<KvEntry>> list_kv(std::string_view ns, std::string_view after_key,
                                       size_t limit) override;

  Result<std::optional<MirroredRecord>> record_get(std::string_view ns, std::string_view collection,
                                                   std::string_view id) override;
  Result<uint64_t> count_records(std::string_view ns, std::string_view collection,
                                 bool include_deleted) override;
  Result<std::vector<std::string>> list_record_ids(std::string_view ns, std::string_view collection,
                                                   std::string_view after_id,
                                                   size_t limit) override;
  Result<std::vector<std::string>> list_collections(std::string_view ns) override;

  Result<std::vector<OutboxEntry>> outbox_pending(std::string_view ns, size_t limit) override;
  Result<std::vector<OutboxEntry>> outbox_failed(std::string_view ns) override;
  Status outbox_retry(std::string_view ns, int64_t entry_id) override;

  Result<std::optional<SecretValue>> secret_get(std::string_view ns,
                                                std::string_view name) override;
  Result<uint64_t> secret_put(std::string_view ns, std::string_view name, std::string_view value,
                              uint64_t expected_version) override;
  Status secret_delete(std::string_view ns, std::string_view name) override;
  Status rotate_key(MasterKey new_key) override;

  Status put_connection(const ConnectionRecord& record) override;
  Result<std::optional<ConnectionRecord>> get_connection(std::string_view name) override;
  Result<std::vector<ConnectionRecord>> list_connections() override;
  Status append_history(std::string_view name, std::string_view from_state,
                        std::string_view to_state, std::string_view reason, int64_t at_ms) override;
  Result<std::vector<HistoryEntry>> list_history(std::string_view name, size_t limit) override;

  Status upsert_subject(std::string_view ns, const SubjectRecord& subject) override;
  Status delete_subject(std::string_view ns, std::string_view subject_id) override;
  Status set_subject_admin_disabled(std::string_view ns, std::string_view subject_id,
                                    bool disabled) override;
  Result<std::optional<SubjectRecord>> get_subject(std::string_view ns,
                                                   std::string_view subject_id) override;
  Result<std::vector<SubjectRecord>> list_subjects(std::string_view ns) override;

  Status put_instance_status(const InstanceStatusRecord& record) override;
  Result<std::optional<InstanceStatusRecord>> get_instance_status(std::string_view name) override;
  Result<std::vector<InstanceStatusRecord>> list_instance_statuses() override;
  Status delete_instance_status(std::string_view name) override;

  Status notify_enqueue(const std::vector<NotificationRecord>& rows) override;
  Result<std::vector<NotificationRecord>> notify_due(int64_t now_ms, size_t limit) override;
  Result<std::optional<int64_t>> notify_next_due() override;
  Status notify_update(const NotificationRecord& record) override;
  Result<std::vector<NotificationRecord>> notify_list(size_t limit) override;
  Result<NotificationCounts> notify_counts() override;

  Result<bool> try_acquire_lease(std::string_view name, std::string_view owner, int64_t ttl_ms,
                                 int64_t now_ms) override;
  Status release_lease(std::string_view name, std::string_view owner) override;

 private:
  Result<std::vector<OutboxEntry>> outbox_query(std::string_view ns, bool failed, size_t limit);
  std::shared_ptr<StoreCore> core_;
};

// Checks the master key against the stored key-check value at open time (and stores one when
// there is none yet). Fails when secrets exist and the key is missing or different.
Status check_master_key(StoreCore& core);

// A Transaction on one pooled connection, holding SQLite's write lock until it ends.
class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(std::shared_ptr<StoreCore> core, std::string ns, PooledDb db, DbTxn txn)
      : core_(std::move(core)), ns_(std::move(ns)), db_(std::move(db)), txn_(std::move(txn)) {}
  ~SqliteTransaction() override { rollback(); }

  Status put(std::string_view key, std::string_view value) override;
  Status del(std::string_view key) override;
  Result<std::optional<std::string>> get(std::string_view key) override;
  Status upsert_record(std::string_view collection, std::string_view id, std::string_view json,
                       bool deleted) override;
  Result<int64_t> outbox_add(std::string_view collection, std::string_view id,
                             std::string_view json) override;
  Status outbox_done(int64_t entry_id, std::string_view error) override;
  Status commit() override;
  void rollback() override;

 private:
  // Runs `op` unless the transaction has ended or failed; a failure poisons it. A template, not
  // a std::function: it runs once per mirrored record.
  template <typename F>
  Status guarded(F&& op);
  Result<std::string> ensure_mirror_table(std::string_view collection);
  // The upsert statement of `collection`'s mirror table (the table created if need be), found
  // once per transaction: a page of records pays the table lookup and the SQL building once.
  Result<sqlite3_stmt*> upsert_statement(std::string_view collection);
  // kv `mirror-columns/<collection>` was written with `columns`: (re)creates the typed view.
  Status create_mirror_view(std::string_view collection, std::string_view columns);

  std::shared_ptr<StoreCore> core_;
  std::string ns_;
  PooledDb db_;
  DbTxn txn_;
  bool ended_ = false;
  std::optional<Error> failed_;
  // Mirror tables created by this transaction: published to core_ only on commit.
  std::set<std::pair<std::string, std::string>> created_mirrors_;
  // Collections upserted so far with their statements (from db_'s cache, so valid as long as
  // this transaction holds db_). A batch writes one or a few collections: a linear scan.
  std::vector<std::pair<std::string, sqlite3_stmt*>> upsert_statements_;
};

}  // namespace chost::store
