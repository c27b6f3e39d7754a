// SqliteStateStore: key/value reads, transactions, mirrored-record reads and the outbox queue.
#include "sqlite_state_store.hpp"

#include <algorithm>
#include <limits>

#include "chost/store/identifiers.hpp"

namespace chost::store {

Result<std::optional<std::string>> find_mirror_table(
    StoreCore& core, Db& db, std::string_view ns, std::string_view collection,
    const std::set<std::pair<std::string, std::string>>* uncommitted) {
  auto name = mirror_table_name(ns, collection);
  if (!name) return name.error();
  std::pair<std::string, std::string> key(ns, collection);
  {
    std::lock_guard lock(core.mirrors_mu);
    if (core.known_mirrors.count(key) != 0) return std::optional<std::string>(*name);
  }
  auto st = db.prepare("SELECT table_name FROM store_mirrors WHERE ns = ?1 AND collection = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, collection);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  std::string table = (*st)->text(0);
  if (uncommitted == nullptr || uncommitted->count(key) == 0) {
    std::lock_guard lock(core.mirrors_mu);
    core.known_mirrors.insert(std::move(key));
  }
  return std::optional<std::string>(std::move(table));
}

Result<std::optional<std::string>> SqliteStateStore::get(std::string_view ns,
                                                         std::string_view key) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("SELECT value FROM kv WHERE ns = ?1 AND key = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, key);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*st)->blob(0));
}

Result<std::vector<KvEntry>> SqliteStateStore::list_kv(std::string_view ns,
                                                       std::string_view after_key, size_t limit) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st =
      (*db)->prepare("SELECT key, value FROM kv WHERE ns = ?1 AND key > ?2 ORDER BY key LIMIT ?3");
  if (!st) return st.error();
  (*st)
      ->bind(1, ns)
      .bind(2, after_key)
      .bind(3, static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int64_t>::max())));
  std::vector<KvEntry> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({(*st)->text(0), (*st)->blob(1)});
  }
  return out;
}

Result<std::unique_ptr<Transaction>> SqliteStateStore::begin(std::string_view ns) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  auto db = core_->acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();
  return std::unique_ptr<Transaction>(
      std::make_unique<SqliteTransaction>(core_, std::string(ns), std::move(*db), std::move(*txn)));
}

Result<std::optional<MirroredRecord>> SqliteStateStore::record_get(std::string_view ns,
                                                                   std::string_view collection,
                                                                   std::string_view id) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto table = find_mirror_table(*core_, **db, ns, collection);
  if (!table) return table.error();
  if (!*table) return std::optional<MirroredRecord>();
  auto st = (*db)->prepare("SELECT id, data, deleted, updated_at_ms FROM " +
                           quote_identifier(**table) + " WHERE id = ?1");
  if (!st) return st.error();
  (*st)->bind(1, id);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<MirroredRecord>();
  MirroredRecord r;
  r.id = (*st)->text(0);
  r.json = (*st)->text(1);
  r.deleted = (*st)->int64(2) != 0;
  r.updated_at_ms = (*st)->int64(3);
  return std::optional<MirroredRecord>(std::move(r));
}

Result<uint64_t> SqliteStateStore::count_records(std::string_view ns, std::string_view collection,
                                                 bool include_deleted) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto table = find_mirror_table(*core_, **db, ns, collection);
  if (!table) return table.error();
  if (!*table) return uint64_t{0};
  std::string sql = "SELECT COUNT(*) FROM " + quote_identifier(**table);
  if (!include_deleted) sql += " WHERE deleted = 0";
  auto st = (*db)->prepare(sql);
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  return static_cast<uint64_t>(*row ? (*st)->int64(0) : 0);
}

Result<std::vector<std::string>> SqliteStateStore::list_record_ids(std::string_view ns,
                                                                   std::string_view collection,
                                                                   std::string_view after_id,
                                                                   size_t limit) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto table = find_mirror_table(*core_, **db, ns, collection);
  if (!table) return table.error();
  std::vector<std::string> out;
  if (!*table) return out;
  auto st = (*db)->prepare("SELECT id FROM " + quote_identifier(**table) +
                           " WHERE deleted = 0 AND id > ?1 ORDER BY id LIMIT ?2");
  if (!st) return st.error();
  // SQLite's LIMIT is signed: clamp so "no limit" (SIZE_MAX) stays positive.
  (*st)->bind(1, after_id).bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back((*st)->text(0));
  }
  return out;
}

Result<std::vector<std::string>> SqliteStateStore::list_collections(std::string_view ns) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st =
      (*db)->prepare("SELECT collection FROM store_mirrors WHERE ns = ?1 ORDER BY collection");
  if (!st) return st.error();
  (*st)->bind(1, ns);
  std::vector<std::string> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back((*st)->text(0));
  }
  return out;
}

Result<std::vector<OutboxEntry>> SqliteStateStore::outbox_query(std::string_view ns, bool failed,
                                                                size_t limit) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  auto db = core_->acquire();
  if (!db) return db.error();
  std::string sql =
      "SELECT entry_id, collection, record_id, data, COALESCE(error, ''), created_at_ms, "
      "COALESCE(failed_at_ms, 0), attempts "
      "FROM outbox WHERE ns = ?1 AND error IS ";
  sql += failed ? "NOT NULL" : "NULL";
  sql += " ORDER BY entry_id LIMIT ?2";
  auto st = (*db)->prepare(sql);
  if (!st) return st.error();
  // SQLite's LIMIT is signed: clamp so "no limit" (SIZE_MAX) stays positive.
  (*st)->bind(1, ns).bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<OutboxEntry> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    OutboxEntry e;
    e.entry_id = (*st)->int64(0);
    e.collection = (*st)->text(1);
    e.id = (*st)->text(2);
    e.json = (*st)->text(3);
    e.error = (*st)->text(4);
    e.created_at_ms = (*st)->int64(5);
    e.failed_at_ms = (*st)->int64(6);
    e.attempts = (*st)->int64(7);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<OutboxEntry>> SqliteStateStore::outbox_pending(std::string_view ns,
                                                                  size_t limit) {
  return outbox_query(ns, false, limit);
}

Result<std::vector<OutboxEntry>> SqliteStateStore::outbox_failed(std::string_view ns) {
  return outbox_query(ns, true, SIZE_MAX);
}

Status SqliteStateStore::outbox_retry(std::string_view ns, int64_t entry_id) {
  if (Status s = validate_identifier("namespace", ns); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(
      "UPDATE outbox SET error = NULL, failed_at_ms = NULL "
      "WHERE ns = ?1 AND entry_id = ?2 AND error IS NOT NULL");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, entry_id);
  if (Status s = (*st)->run(); !s) return s;
  if ((*db)->changes() == 0) {
    return Error::not_found("no failed outbox entry " + std::to_string(entry_id) +
                            " in namespace " + std::string(ns));
  }
  return {};
}

}  // namespace chost::store
