// Private to chost_store: RAII over sqlite3 (connection with a prepared-statement cache,
// statements, transactions) and the connection pool SqliteStateStore draws from.
// Every SQLite failure becomes a chost::Error naming the operation.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::store {

// SQLITE_BUSY / LOCKED / FULL are worth retrying; anything else is permanent.
Error sqlite_error(int rc, std::string_view what, sqlite3* db);

class Db;

// Whether SQLite has called the database damaged, shared by every connection to one file. Set
// by the first SQLITE_CORRUPT / SQLITE_NOTADB any statement returns; from then on the pool hands
// out no connection, so nothing more is written to the file.
class DbHealth {
 public:
  explicit DbHealth(std::string path) : path_(std::move(path)) {}
  // The first report wins; `sqlite_message` is SQLite's text with the operation.
  void note_corrupt(const std::string& sqlite_message);
  // True once, for whoever is to run the integrity check after a report.
  bool take_check();
  // The check's problems (empty: quick_check found none) complete the reason.
  void set_check_result(const std::string& problems);
  // nullopt while healthy; else why, naming the path and SQLite's words.
  std::optional<std::string> damaged() const;

 private:
  const std::string path_;
  mutable std::mutex mu_;
  bool damaged_ = false;
  bool check_pending_ = false;
  std::string reason_;
};

// SQLite's quick_check (bounded in cost) on `db`: its problems joined by "; ", or empty when it
// found none or ran out of its budget. An error running it is a problem too.
std::string quick_check_problems(Db& db);

// One use of a (cached) prepared statement. Resets it and clears its bindings on destruction,
// so the next use starts clean. Bind errors are kept and reported by step()/run().
class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, int64_t value);
  Stmt& bind_blob(int index, const void* data, size_t size_bytes);
  Stmt& bind_null(int index);

  // true: a row is available; false: done.
  Result<bool> step();
  // Steps to completion, ignoring rows.
  Status run();
  // Ready for reuse with new bindings (for a statement run in a loop).
  void reset();

  std::string text(int col) const;
  int64_t int64(int col) const;
  std::string blob(int col) const;
  bool is_null(int col) const;

 private:
  void note(int rc);
  Db* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// Collects every row of `st` through `read` (a function of const Stmt& returning a T).
template <typename T, typename F>
Result<std::vector<T>> collect_rows(Stmt& st, F read) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(read(st));
  }
}

class Db {
 public:
  // Opens `path` (creating it) with WAL, synchronous=FULL, busy_timeout and foreign keys.
  // `health` (may be null) learns of every corruption error.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int busy_timeout_ms,
                                          std::shared_ptr<DbHealth> health = nullptr);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more statements without results.
  Status exec(const char* sql, std::string_view what);
  // A statement from this connection's cache (prepared on first use).
  Result<std::unique_ptr<Stmt>> prepare(const std::string& sql);
  // The same cached statement, for a caller that keeps it across many uses (wrap each use in a
  // Stmt on the stack). Valid as long as this connection.
  Result<sqlite3_stmt*> cached_statement(const std::string& sql);
  // SQLite's error (its sqlite3_errmsg text); a corruption error is also reported to health.
  Error error(int rc, std::string_view what);
  int changes() const { return sqlite3_changes(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* raw() { return db_; }

 private:
  Db(sqlite3* db, std::shared_ptr<DbHealth> health) : db_(db), health_(std::move(health)) {}
  sqlite3* db_;
  std::shared_ptr<DbHealth> health_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// An explicit write transaction on one connection: BEGIN IMMEDIATE now, so a writer learns at
// begin (not at its first write) whether it got the write lock. Rolls back unless committed.
class DbTxn {
 public:
  static Result<DbTxn> begin(Db& db);
  DbTxn(DbTxn&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  DbTxn& operator=(DbTxn&&) = delete;
  ~DbTxn() { rollback(); }
  Status commit();
  void rollback();

 private:
  explicit DbTxn(Db* db) : db_(db) {}
  Db* db_;
};

class ConnectionPool;

// A connection checked out of the pool; returned (rolled back if left in a transaction) on
// destruction. Keeps the pool alive.
class PooledDb {
 public:
  PooledDb(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<Db> db)
      : pool_(std::move(pool)), db_(std::move(db)) {}
  PooledDb(PooledDb&&) = default;
  PooledDb& operator=(PooledDb&&) = delete;
  ~PooledDb();
  Db& operator*() { return *db_; }
  Db* operator->() { return db_.get(); }

 private:
  std::shared_ptr<ConnectionPool> pool_;
  std::unique_ptr<Db> db_;
};

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
 public:
  ConnectionPool(std::string path, int busy_timeout_ms)
      : path_(std::move(path)),
        busy_timeout_ms_(busy_timeout_ms),
        health_(std::make_shared<DbHealth>(path_)) {}
  // Refused (kPermanent, with the reason) once the database was found damaged.
  Result<PooledDb> acquire();
  // Returns a connection; after a corruption report the first one back runs the integrity
  // check, and none is kept.
  void release(std::unique_ptr<Db> db);
  const std::string& path() const { return path_; }
  const DbHealth& health() const { return *health_; }

 private:
  // Idle connections kept beyond this are closed: the host has few worker threads.
  static constexpr size_t kMaxIdle = 8;
  const std::string path_;
  const int busy_timeout_ms_;
  const std::shared_ptr<DbHealth> health_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Db>> idle_;
};

}  // namespace chost::store
