// SqliteStateStore host-owned tables: connection records and their transition history,
// per-subject status and ownership leases.
#include "chost/store/identifiers.hpp"
#include "sqlite_state_store.hpp"

namespace chost::store {

namespace {

constexpr const char* kConnectionColumns =
    "name, state, reason, identity_json, public_json, access_expires_at_ms, last_used_at_ms, "
    "updated_at_ms";

ConnectionRecord read_connection(const Stmt& st) {
  ConnectionRecord r;
  r.name = st.text(0);
  r.state = st.text(1);
  r.reason = st.text(2);
  r.identity_json = st.text(3);
  r.public_json = st.text(4);
  r.access_expires_at_ms = st.int64(5);
  r.last_used_at_ms = st.int64(6);
  r.updated_at_ms = st.int64(7);
  return r;
}

SubjectRecord read_subject(const Stmt& st) {
  SubjectRecord r;
  r.subject_id = st.text(0);
  r.display_name = st.text(1);
  r.state = st.text(2);
  r.detail = st.text(3);
  r.updated_at_ms = st.int64(4);
  r.admin_disabled = st.int64(5) != 0;
  return r;
}

Status check_connection_state(std::string_view state) {
  if (is_valid_connection_state(state)) return {};
  return Error::config("invalid connection state '" + std::string(state) + "'");
}

}  // namespace

Status SqliteStateStore::put_connection(const ConnectionRecord& record) {
  if (Status s = validate_identifier("connection name", record.name); !s) return s;
  if (Status s = check_connection_state(record.state); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("INSERT OR REPLACE INTO connections (") +
                           kConnectionColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st) return st.error();
  (*st)->bind(1, record.name).bind(2, record.state).bind(3, record.reason);
  (*st)->bind(4, record.identity_json).bind(5, record.public_json);
  (*st)->bind(6, record.access_expires_at_ms).bind(7, record.last_used_at_ms);
  (*st)->bind(8, record.updated_at_ms);
  return (*st)->run();
}

Result<std::optional<ConnectionRecord>> SqliteStateStore::get_connection(std::string_view name) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("SELECT ") + kConnectionColumns +
                           " FROM connections WHERE name = ?1");
  if (!st) return st.error();
  (*st)->bind(1, name);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<ConnectionRecord>();
  return std::optional<ConnectionRecord>(read_connection(**st));
}

Result<std::vector<ConnectionRecord>> SqliteStateStore::list_connections() {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("SELECT ") + kConnectionColumns +
                           " FROM connections ORDER BY name");
  if (!st) return st.error();
  return collect_rows<ConnectionRecord>(**st, read_connection);
}

Status SqliteStateStore::append_history(std::string_view name, std::string_view from_state,
                                        std::string_view to_state, std::string_view reason,
                                        int64_t at_ms) {
  if (Status s = validate_identifier("connection name", name); !s) return s;
  if (!from_state.empty()) {
    if (Status s = check_connection_state(from_state); !s) return s;
  }
  if (Status s = check_connection_state(to_state); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();
  {
    auto st = (*db)->prepare(
        "INSERT INTO connection_history (name, from_state, to_state, reason, at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return st.error();
    (*st)->bind(1, name).bind(2, from_state).bind(3, to_state).bind(4, reason).bind(5, at_ms);
    if (Status s = (*st)->run(); !s) return s;
  }
  {
    // Keep the newest N: delete everything older than the Nth newest row of this connection.
    auto st = (*db)->prepare(
        "DELETE FROM connection_history WHERE name = ?1 AND seq <= "
        "(SELECT seq FROM connection_history WHERE name = ?1 ORDER BY seq DESC "
        "LIMIT 1 OFFSET ?2)");
    if (!st) return st.error();
    (*st)->bind(1, name).bind(2, static_cast<int64_t>(core_->history_keep_per_connection));
    if (Status s = (*st)->run(); !s) return s;
  }
  return txn->commit();
}

Result<std::vector<HistoryEntry>> SqliteStateStore::list_history(std::string_view name,
                                                                 size_t limit) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(
      "SELECT from_state, to_state, reason, at_ms FROM connection_history WHERE name = ?1 "
      "ORDER BY seq DESC LIMIT ?2");
  if (!st) return st.error();
  (*st)->bind(1, name).bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  return collect_rows<HistoryEntry>(**st, [](const Stmt& s) {
    return HistoryEntry{s.text(0), s.text(1), s.text(2), s.int64(3)};
  });
}

Status SqliteStateStore::upsert_subject(std::string_view ns, const SubjectRecord& subject) {
  if (Status s = validate_identifier("namespace", ns); !s) return s;
  if (subject.subject_id.empty()) return Error::config("subject id must not be empty");
  if (!is_valid_subject_state(subject.state)) {
    return Error::config("invalid subject state '" + subject.state + "'");
  }
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(
      "INSERT INTO subjects (ns, subject_id, display_name, state, detail, updated_at_ms, "
      "admin_disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (ns, subject_id) DO UPDATE SET display_name = excluded.display_name, "
      "state = excluded.state, detail = excluded.detail, "
      "updated_at_ms = excluded.updated_at_ms");  // an admin's switch stays as it is
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, subject.subject_id).bind(3, subject.display_name);
  (*st)->bind(4, subject.state).bind(5, subject.detail).bind(6, subject.updated_at_ms);
  (*st)->bind(7, int64_t{subject.admin_disabled ? 1 : 0});
  return (*st)->run();
}

Status SqliteStateStore::delete_subject(std::string_view ns, std::string_view subject_id) {
  if (Status s = validate_identifier("namespace", ns); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("DELETE FROM subjects WHERE ns = ?1 AND subject_id = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, subject_id);
  return (*st)->run();
}

Status SqliteStateStore::set_subject_admin_disabled(std::string_view ns,
                                                    std::string_view subject_id, bool disabled) {
  if (Status s = validate_identifier("namespace", ns); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st =
      (*db)->prepare("UPDATE subjects SET admin_disabled = ?3 WHERE ns = ?1 AND subject_id = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, subject_id).bind(3, int64_t{disabled ? 1 : 0});
  if (Status s = (*st)->run(); !s) return s;
  if ((*db)->changes() == 0) {
    return Error::not_found("no subject '" + std::string(subject_id) + "' in " + std::string(ns));
  }
  return {};
}

Result<std::optional<SubjectRecord>> SqliteStateStore::get_subject(std::string_view ns,
                                                                   std::string_view subject_id) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(
      "SELECT subject_id, display_name, state, detail, updated_at_ms, admin_disabled "
      "FROM subjects WHERE ns = ?1 AND subject_id = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, subject_id);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SubjectRecord>();
  return std::optional<SubjectRecord>(read_subject(**st));
}

Result<std::vector<SubjectRecord>> SqliteStateStore::list_subjects(std::string_view ns) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(
      "SELECT subject_id, display_name, state, detail, updated_at_ms, admin_disabled "
      "FROM subjects WHERE ns = ?1 ORDER BY subject_id");
  if (!st) return st.error();
  (*st)->bind(1, ns);
  return collect_rows<SubjectRecord>(**st, read_subject);
}

Result<bool> SqliteStateStore::try_acquire_lease(std::string_view name, std::string_view owner,
                                                 int64_t ttl_ms, int64_t now_ms) {
  if (name.empty() || owner.empty()) return Error::config("lease name and owner must be set");
  if (ttl_ms <= 0) return Error::config("lease ttl_ms must be positive");
  auto db = core_->acquire();
  if (!db) return db.error();
  // One statement, so it is atomic without an explicit transaction: take the lease when it is
  // free, expired or already ours.
  auto st = (*db)->prepare(
      "INSERT INTO leases (name, owner, expires_at_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
      "expires_at_ms = excluded.expires_at_ms "
      "WHERE leases.owner = excluded.owner OR leases.expires_at_ms <= ?4");
  if (!st) return st.error();
  (*st)->bind(1, name).bind(2, owner).bind(3, now_ms + ttl_ms).bind(4, now_ms);
  if (Status s = (*st)->run(); !s) return s.error();
  return (*db)->changes() > 0;
}

Status SqliteStateStore::release_lease(std::string_view name, std::string_view owner) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("DELETE FROM leases WHERE name = ?1 AND owner = ?2");
  if (!st) return st.error();
  (*st)->bind(1, name).bind(2, owner);
  return (*st)->run();
}

}  // namespace chost::store
