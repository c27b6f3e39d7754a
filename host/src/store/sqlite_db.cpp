// RAII over sqlite3 handles and the connection pool (see sqlite_db.hpp).
#include "sqlite_db.hpp"

#include <utility>

namespace chost::store {

Error sqlite_error(int rc, std::string_view what, sqlite3* db) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
      return Error::transient(std::move(msg));
    default:
      return Error::permanent(std::move(msg));
  }
}

// --- DbHealth ---

void DbHealth::note_corrupt(const std::string& sqlite_message) {
  std::lock_guard lock(mu_);
  if (damaged_) return;
  damaged_ = true;
  check_pending_ = true;
  reason_ = "SQLite: " + sqlite_message;
}

bool DbHealth::take_check() {
  std::lock_guard lock(mu_);
  return std::exchange(check_pending_, false);
}

void DbHealth::set_check_result(const std::string& problems) {
  std::lock_guard lock(mu_);
  reason_ += problems.empty() ? "; quick_check found no damage" : "; quick_check: " + problems;
}

std::optional<std::string> DbHealth::damaged() const {
  std::lock_guard lock(mu_);
  if (!damaged_) return std::nullopt;
  return "state store " + path_ + " is damaged (" + reason_ +
         "); the host stopped using it and writes nothing to it: restore a backup, or move it "
         "away and authorize again";
}

// --- Stmt ---

Stmt::~Stmt() { reset(); }

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

void Stmt::note(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Stmt& Stmt::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so the binding never outlives the caller's buffer.
  note(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Stmt& Stmt::bind(int index, int64_t value) {
  note(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Stmt& Stmt::bind_blob(int index, const void* data, size_t size_bytes) {
  note(sqlite3_bind_blob64(stmt_, index, data, size_bytes, SQLITE_TRANSIENT));
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  note(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK) return db_->error(bind_rc_, "binding a statement parameter");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(rc, "executing a statement");
}

Status Stmt::run() {
  for (;;) {
    Result<bool> r = step();
    if (!r) return r.error();
    if (!*r) return {};
  }
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

// --- Db ---

Error Db::error(int rc, std::string_view what) {
  Error e = sqlite_error(rc, what, db_);
  // Which file: a host may run beside others, and "disk is full" needs the path to act on.
  if (const char* file = sqlite3_db_filename(db_, "main"); file != nullptr && *file != '\0') {
    e.message += std::string(" (state ") + file + ")";
  }
  const int primary = rc & 0xff;
  if (health_ && (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)) {
    health_->note_corrupt(e.message);
  }
  return e;
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int busy_timeout_ms,
                                     std::shared_ptr<DbHealth> health) {
  sqlite3* raw = nullptr;
  // NOMUTEX: a connection is only ever used by the thread that checked it out of the pool.
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, "cannot open the database", raw);
    if (health && ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)) {
      health->note_corrupt(e.message);
    }
    sqlite3_close(raw);
    return e;
  }
  std::unique_ptr<Db> db(new Db(raw, std::move(health)));
  sqlite3_extended_result_codes(raw, 1);
  rc = sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (rc != SQLITE_OK) return db->error(rc, "setting busy_timeout");

  // journal_mode is reported back: a file system that cannot do WAL silently keeps another.
  {
    auto st = db->prepare("PRAGMA journal_mode=WAL");
    if (!st) return st.error();
    Result<bool> row = (*st)->step();
    if (!row) return row.error();
    if (!*row || (*st)->text(0) != "wal") {
      return Error::permanent("cannot switch the database to WAL journal mode");
    }
  }
  // FULL: in WAL mode the log is fsync'd at every commit, which rotated refresh tokens need.
  if (Status s = db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "setting pragmas");
      !s) {
    return s.error();
  }
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Db::exec(const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, what);
  return {};
}

Result<sqlite3_stmt*> Db::cached_statement(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return error(rc, "preparing a statement");
    it = cache_.emplace(sql, stmt).first;
  }
  return it->second;
}

Result<std::unique_ptr<Stmt>> Db::prepare(const std::string& sql) {
  auto stmt = cached_statement(sql);
  if (!stmt) return stmt.error();
  return std::make_unique<Stmt>(this, *stmt);
}

// --- DbTxn ---

Result<DbTxn> DbTxn::begin(Db& db) {
  if (Status s = db.exec("BEGIN IMMEDIATE", "beginning a write transaction"); !s) {
    return s.error();
  }
  return DbTxn(&db);
}

Status DbTxn::commit() {
  if (db_ == nullptr) return Error::permanent("transaction already ended");
  Status s = db_->exec("COMMIT", "committing");
  if (!s) rollback();
  db_ = nullptr;
  return s;
}

void DbTxn::rollback() {
  if (db_ == nullptr) return;
  if (db_->in_transaction()) (void)db_->exec("ROLLBACK", "rolling back");
  db_ = nullptr;
}

// --- pool ---

PooledDb::~PooledDb() {
  if (db_ && pool_) pool_->release(std::move(db_));
}

Result<PooledDb> ConnectionPool::acquire() {
  if (auto why = health_->damaged()) return Error::permanent(*why);
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_.back());
      idle_.pop_back();
      return PooledDb(shared_from_this(), std::move(db));
    }
  }
  auto db = Db::open(path_, busy_timeout_ms_, health_);
  if (!db) return db.error();
  return PooledDb(shared_from_this(), std::move(*db));
}

void ConnectionPool::release(std::unique_ptr<Db> db) {
  // A connection must never go back to the pool inside a transaction: the next user would
  // silently join it.
  if (db->in_transaction()) (void)db->exec("ROLLBACK", "rolling back a returned connection");
  // Read-only, on the connection that is back: the second opinion on a corruption report.
  if (health_->take_check()) health_->set_check_result(quick_check_problems(*db));
  if (health_->damaged()) {
    // Closing the last connection would checkpoint the WAL into the damaged file: not done.
    std::vector<std::unique_ptr<Db>> closing;
    {
      std::lock_guard lock(mu_);
      closing.swap(idle_);
    }
    closing.push_back(std::move(db));
    for (auto& c : closing) {
      sqlite3_db_config(c->raw(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
    return;
  }
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(db));
}

}  // namespace chost::store
