// Schema migrations of the SQLite state database. Steps are append-only: never edit a step
// that has shipped; add a new one.
#include "migrations.hpp"

#include <array>
#include <string>

namespace chost::store {

namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

constexpr std::array kMigrations = {
    Migration{1, "initial schema", R"sql(
CREATE TABLE kv (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;

-- Which mirror table holds which (namespace, collection). Table names are compared without
-- case because SQLite identifiers are case-insensitive: 'Account' and 'account' would collide.
CREATE TABLE store_mirrors (
  ns TEXT NOT NULL,
  collection TEXT NOT NULL,
  table_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (ns, collection)
);

-- AUTOINCREMENT: entry ids are handed to plugins and must never be reused.
CREATE TABLE outbox (
  entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
  ns TEXT NOT NULL,
  collection TEXT NOT NULL,
  record_id TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  error TEXT,
  created_at_ms INTEGER NOT NULL,
  failed_at_ms INTEGER
);
CREATE INDEX outbox_by_ns ON outbox (ns, entry_id);

CREATE TABLE secrets (
  ns TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  sealed BLOB NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (ns, name)
) WITHOUT ROWID;

CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE connections (
  name TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT NOT NULL,
  identity_json TEXT NOT NULL,
  public_json TEXT NOT NULL,
  access_expires_at_ms INTEGER NOT NULL,
  last_used_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE connection_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX connection_history_by_name ON connection_history (name, seq);

CREATE TABLE subjects (
  ns TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  state TEXT NOT NULL,
  detail TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (ns, subject_id)
) WITHOUT ROWID;

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    Migration{2, "instance status", R"sql(
-- The last sync of each connector instance, for `status` on a stopped host (issue 7).
CREATE TABLE instance_status (
  name TEXT PRIMARY KEY,
  last_outcome TEXT NOT NULL,
  last_error_class TEXT NOT NULL,
  last_error TEXT NOT NULL,
  last_sync_at_ms INTEGER NOT NULL,
  last_success_at_ms INTEGER NOT NULL,
  last_summary_json TEXT NOT NULL CHECK (json_valid(last_summary_json)),
  next_run_at_ms INTEGER NOT NULL,
  status_line TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    Migration{3, "subjects disabled by an admin", R"sql(
-- An admin's per-subject switch (issue 9): kept apart from what the plugin reports.
ALTER TABLE subjects ADD COLUMN admin_disabled INTEGER NOT NULL DEFAULT 0;
)sql"},
    Migration{4, "outbox attempts", R"sql(
-- How often an entry failed (issue 8): an admin deciding whether to retry it sees the count.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
)sql"},
    Migration{5, "notification queue", R"sql(
-- host.notify (issue 11): one row per event and webhook, delivered at least once from here.
-- AUTOINCREMENT: seq orders the queue and is shown to admins; never reused.
CREATE TABLE notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  webhook TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL CHECK (json_valid(body)),
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  last_status INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  delivered_at_ms INTEGER NOT NULL,
  UNIQUE (event_id, webhook)
);
CREATE INDEX notifications_due ON notifications (state, next_attempt_at_ms);
)sql"},
};

Result<int64_t> current_version(Db& db) {
  auto st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!st) return st.error();
  Result<bool> row = (*st)->step();
  if (!row) return row.error();
  return *row ? (*st)->int64(0) : 0;
}

}  // namespace

int latest_schema_version() { return kMigrations.back().version; }

Status migrate(Db& db, int64_t now_ms) {
  if (Status s = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                         "description TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)",
                         "creating schema_version");
      !s) {
    return s;
  }
  for (const Migration& m : kMigrations) {
    auto txn = DbTxn::begin(db);
    if (!txn) return txn.error();
    auto version = current_version(db);
    if (!version) return version.error();
    if (*version > latest_schema_version()) {
      return Error::config("state database schema version " + std::to_string(*version) +
                           " is newer than this host supports (" +
                           std::to_string(latest_schema_version()) + "); upgrade the host");
    }
    if (*version >= m.version) continue;  // txn rolls back: nothing was written
    const std::string what =
        "schema migration " + std::to_string(m.version) + " (" + m.description + ")";
    if (Status s = db.exec(m.sql, what); !s) return s;
    auto st = db.prepare(
        "INSERT INTO schema_version (version, description, applied_at_ms) VALUES (?1, ?2, ?3)");
    if (!st) return st.error();
    (*st)->bind(1, int64_t{m.version}).bind(2, m.description).bind(3, now_ms);
    if (Status s = (*st)->run(); !s) return s;
    if (Status s = txn->commit(); !s) return s;
  }
  return {};
}

}  // namespace chost::store
