// SqliteTransaction: the writes of one namespace's batch, committed as one SQL transaction.
#include <cctype>

#include "chost/store/identifiers.hpp"
#include "sqlite_state_store.hpp"

namespace chost::store {

template <typename F>
Status SqliteTransaction::guarded(F&& op) {
  if (ended_) return Error::permanent("transaction already ended");
  if (failed_) return Error::permanent("transaction failed earlier: " + failed_->message);
  Status s = op();
  if (!s) failed_ = s.error();
  return s;
}

Status SqliteTransaction::put(std::string_view key, std::string_view value) {
  return guarded([&]() -> Status {
    auto st = db_->prepare(
        "INSERT INTO kv (ns, key, value) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value");
    if (!st) return st.error();
    (*st)->bind(1, ns_).bind(2, key).bind_blob(3, value.data(), value.size());
    if (Status s = (*st)->run(); !s) return s;
    if (key.starts_with(kMirrorColumnsKeyPrefix)) {
      return create_mirror_view(key.substr(kMirrorColumnsKeyPrefix.size()), value);
    }
    return {};
  });
}

Status SqliteTransaction::create_mirror_view(std::string_view collection,
                                             std::string_view columns) {
  auto table = ensure_mirror_table(collection);
  if (!table) return table.error();
  auto view = mirror_view_name(ns_, collection);
  if (!view) return view.error();
  const std::string where = "kv '" + std::string(kMirrorColumnsKeyPrefix) +
                            std::string(collection) + "' of namespace '" + ns_ + "'";
  // SQLite's own JSON reader: the host store needs no JSON library for this.
  auto valid = db_->prepare("SELECT json_valid(?1) AND json_type(?1) = 'object'");
  if (!valid) return valid.error();
  (*valid)->bind(1, columns);
  auto ok = (*valid)->step();
  if (!ok) return ok.error();
  if (!*ok || (*valid)->int64(0) != 1) {
    return Error::permanent(where + ": must be a JSON object of column name to type");
  }
  auto each = db_->prepare("SELECT key, value, type FROM json_each(?1)");
  if (!each) return each.error();
  (*each)->bind(1, columns);
  std::string select = "SELECT id, deleted AS is_deleted, updated_at_ms";
  for (;;) {
    auto row = (*each)->step();
    if (!row) return row.error();
    if (!*row) break;
    const std::string name = (*each)->text(0);
    const std::string type = (*each)->text(1);
    if (Status v = validate_identifier("view column", name); !v) {
      return Error::permanent(where + ": " + v.error().message);
    }
    if (name.find('-') != std::string::npos) {
      return Error::permanent(where + ": column '" + name + "' may not contain '-'");
    }
    // id and is_deleted come from the table itself.
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "id" || lower == "is_deleted" || lower == "updated_at_ms") continue;
    const std::string value = "json_extract(data, '$." + name + "')";
    std::string expr;
    if (type == "text") {
      expr = value;
    } else if (type == "real") {
      expr = "CAST(" + value + " AS REAL)";
    } else if (type == "integer" || type == "boolean") {  // JSON true/false read as 1/0
      expr = "CAST(" + value + " AS INTEGER)";
    } else {
      return Error::permanent(where + ": column '" + name + "' has type '" + type +
                              "'; expected text, real, integer or boolean");
    }
    select += ", " + expr + " AS " + quote_identifier(name);
  }
  select += " FROM " + quote_identifier(*table);
  const std::string drop = "DROP VIEW IF EXISTS " + quote_identifier(*view);
  if (Status s = db_->exec(drop.c_str(), "dropping view " + *view); !s) return s;
  const std::string create = "CREATE VIEW " + quote_identifier(*view) + " AS " + select;
  return db_->exec(create.c_str(), "creating view " + *view);
}

Status SqliteTransaction::del(std::string_view key) {
  return guarded([&]() -> Status {
    auto st = db_->prepare("DELETE FROM kv WHERE ns = ?1 AND key = ?2");
    if (!st) return st.error();
    (*st)->bind(1, ns_).bind(2, key);
    return (*st)->run();
  });
}

Result<std::optional<std::string>> SqliteTransaction::get(std::string_view key) {
  std::optional<std::string> value;
  Status s = guarded([&]() -> Status {
    auto st = db_->prepare("SELECT value FROM kv WHERE ns = ?1 AND key = ?2");
    if (!st) return st.error();
    (*st)->bind(1, ns_).bind(2, key);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (*row) value = (*st)->blob(0);
    return {};
  });
  if (!s) return s.error();
  return value;
}

Result<std::string> SqliteTransaction::ensure_mirror_table(std::string_view collection) {
  auto existing = find_mirror_table(*core_, *db_, ns_, collection, &created_mirrors_);
  if (!existing) return existing.error();
  if (*existing) return **existing;

  auto name = mirror_table_name(ns_, collection);
  if (!name) return name.error();
  // Different (namespace, collection) pairs can sanitize to one table name ('a-b' vs 'a_b',
  // case): refuse the second rather than mixing two collections in one table.
  auto clash = db_->prepare("SELECT ns, collection FROM store_mirrors WHERE table_name = ?1");
  if (!clash) return clash.error();
  (*clash)->bind(1, *name);
  auto row = (*clash)->step();
  if (!row) return row.error();
  if (*row) {
    return Error::config("collection '" + std::string(collection) + "' of namespace '" + ns_ +
                         "' maps to mirror table " + *name + ", already used by collection '" +
                         (*clash)->text(1) + "' of namespace '" + (*clash)->text(0) + "'");
  }
  const std::string create = "CREATE TABLE IF NOT EXISTS " + quote_identifier(*name) +
                             " (id TEXT PRIMARY KEY, data TEXT NOT NULL CHECK (json_valid(data)),"
                             " deleted INTEGER NOT NULL DEFAULT 0, updated_at_ms INTEGER NOT NULL)";
  if (Status s = db_->exec(create.c_str(), "creating mirror table " + *name); !s) return s.error();
  auto reg = db_->prepare(
      "INSERT INTO store_mirrors (ns, collection, table_name, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4)");
  if (!reg) return reg.error();
  (*reg)->bind(1, ns_).bind(2, collection).bind(3, *name).bind(4, core_->now_ms());
  if (Status s = (*reg)->run(); !s) return s.error();
  created_mirrors_.emplace(ns_, std::string(collection));
  return *name;
}

Result<sqlite3_stmt*> SqliteTransaction::upsert_statement(std::string_view collection) {
  for (const auto& [name, stmt] : upsert_statements_) {
    if (name == collection) return stmt;
  }
  auto table = ensure_mirror_table(collection);
  if (!table) return table.error();
  auto stmt =
      db_->cached_statement("INSERT INTO " + quote_identifier(*table) +
                            " (id, data, deleted, updated_at_ms) VALUES (?1, ?2, ?3, ?4) "
                            "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                            "deleted = excluded.deleted, updated_at_ms = excluded.updated_at_ms");
  if (!stmt) return stmt.error();
  upsert_statements_.emplace_back(std::string(collection), *stmt);
  return *stmt;
}

Status SqliteTransaction::upsert_record(std::string_view collection, std::string_view id,
                                        std::string_view json, bool deleted) {
  return guarded([&]() -> Status {
    auto raw = upsert_statement(collection);
    if (!raw) return raw.error();
    Stmt st(&*db_, *raw);  // resets the statement and its bindings when done
    st.bind(1, id).bind(2, json).bind(3, int64_t{deleted ? 1 : 0}).bind(4, core_->now_ms());
    Status s = st.run();
    if (!s && s.error().message.find("CHECK constraint") != std::string::npos) {
      return Error::permanent("record '" + std::string(id) + "' of collection '" +
                              std::string(collection) + "' is not valid JSON");
    }
    return s;
  });
}

Result<int64_t> SqliteTransaction::outbox_add(std::string_view collection, std::string_view id,
                                              std::string_view json) {
  int64_t entry_id = 0;
  Status s = guarded([&]() -> Status {
    if (Status v = validate_identifier("collection", collection); !v) return v;
    auto st = db_->prepare(
        "INSERT INTO outbox (ns, collection, record_id, data, created_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return st.error();
    (*st)->bind(1, ns_).bind(2, collection).bind(3, id).bind(4, json).bind(5, core_->now_ms());
    Status r = (*st)->run();
    if (!r && r.error().message.find("CHECK constraint") != std::string::npos) {
      return Error::permanent("outbox entry for '" + std::string(id) + "' of collection '" +
                              std::string(collection) + "' is not valid JSON");
    }
    if (!r) return r;
    entry_id = db_->last_insert_rowid();
    return {};
  });
  if (!s) return s.error();
  return entry_id;
}

Status SqliteTransaction::outbox_done(int64_t entry_id, std::string_view error) {
  return guarded([&]() -> Status {
    auto st = error.empty()
                  ? db_->prepare("DELETE FROM outbox WHERE ns = ?1 AND entry_id = ?2")
                  : db_->prepare(
                        "UPDATE outbox SET error = ?3, failed_at_ms = ?4, attempts = attempts + 1 "
                        "WHERE ns = ?1 AND entry_id = ?2");
    if (!st) return st.error();
    (*st)->bind(1, ns_).bind(2, entry_id);
    if (!error.empty()) (*st)->bind(3, error).bind(4, core_->now_ms());
    if (Status s = (*st)->run(); !s) return s;
    if (db_->changes() == 0) {
      return Error::not_found("no outbox entry " + std::to_string(entry_id) + " in namespace " +
                              ns_);
    }
    return {};
  });
}

Status SqliteTransaction::commit() {
  if (ended_) return Error::permanent("transaction already ended");
  ended_ = true;
  if (failed_) {
    txn_.rollback();
    return Error{failed_->cls,
                 "transaction rolled back after an earlier error: " + failed_->message};
  }
  if (Status s = txn_.commit(); !s) return s;
  if (!created_mirrors_.empty()) {
    std::lock_guard lock(core_->mirrors_mu);
    core_->known_mirrors.merge(created_mirrors_);
  }
  return {};
}

void SqliteTransaction::rollback() {
  if (ended_) return;
  ended_ = true;
  txn_.rollback();
}

}  // namespace chost::store
