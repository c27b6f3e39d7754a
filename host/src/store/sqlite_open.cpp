// open_sqlite_store: prepares the file (directory, permissions), checks its integrity, migrates
// the schema and checks the master key before handing out a store.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "migrations.hpp"
#include "sqlite_state_store.hpp"

namespace chost::store {

namespace {

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The file holds secrets (sealed) and tokens' metadata: owner-only from the first byte.
// SQLite gives the -wal and -shm files the permissions of the database file; files left from an
// older, looser setup are tightened (never loosened) and the admin is told.
Status prepare_file(const std::string& path, const SqliteStoreOptions& options) {
  std::filesystem::path p(path);
  if (p.has_parent_path() && !std::filesystem::exists(p.parent_path())) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return Error::config("state store " + path + ": cannot create directory " +
                           p.parent_path().string() + ": " + ec.message());
    }
    std::filesystem::permissions(p.parent_path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::config("state store " + path +
                         ": cannot open or create the file: " + std::strerror(errno));
  }
  ::close(fd);
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) continue;
    if (::chmod(file.c_str(), st.st_mode & 0700) != 0) {
      return Error::config("state store " + file +
                           " is readable by others and cannot be made "
                           "owner-only: " +
                           std::strerror(errno));
    }
    if (options.warn) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      options.warn("state store " + file + " was readable by others (mode " + mode +
                   "); made owner-only (0600)");
    }
  }
  return {};
}

// A database that is missing or empty where a marker says a state existed was truncated or
// deleted (a restore gone wrong, a full disk, an admin's mistake): re-creating it would quietly
// drop every authorization. `need_marker` is set when none exists yet (a first creation, or a
// state from a build before markers), so the caller writes one once the schema is in place.
Status check_state_marker(const std::string& path, const SqliteStoreOptions& options,
                          bool& need_marker) {
  const std::string marker = state_marker_path(path);
  struct stat db {};
  const bool db_present = ::stat(path.c_str(), &db) == 0;
  struct stat mk {};
  const bool marker_present = ::stat(marker.c_str(), &mk) == 0;
  need_marker = !marker_present;
  if (!marker_present || options.init_state) return {};
  if (db_present && db.st_size > 0) return {};
  return Error::config("state store " + path + (db_present ? " is empty" : " does not exist") +
                       ", but " + marker +
                       " says a state was created there: it was truncated or deleted. Restore it "
                       "from a backup, or pass --init-state to start over with a new, "
                       "unauthorized state");
}

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Error::permanent("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Error::permanent("cannot fsync " + path + ": " + std::strerror(err));
  return {};
}

// Written once, durably (file and directory entry), so a crash right after creating the state
// cannot leave a state without its marker.
Status write_state_marker(const std::string& path, int64_t now_ms) {
  const std::string marker = state_marker_path(path);
  const std::string text =
      "connector-host state " + path + " created at unix ms " + std::to_string(now_ms) +
      "\nWhile this file exists, a missing or empty state is refused (see --init-state).\n";
  int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::permanent("state store " + path + ": cannot create its marker " + marker + ": " +
                            std::strerror(errno));
  }
  const ssize_t written = ::write(fd, text.data(), text.size());
  const int err = errno;
  const bool ok = written == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    return Error::permanent("state store " + path + ": cannot write its marker " + marker + ": " +
                            std::strerror(written < 0 ? err : errno));
  }
  std::filesystem::path parent = std::filesystem::path(marker).parent_path();
  if (parent.empty()) parent = ".";
  if (Status s = fsync_path(parent.string(), O_RDONLY | O_DIRECTORY); !s) {
    return Error::permanent("state store " + path + ": " + s.error().message);
  }
  return {};
}

// SQLite's quick_check visits every page; this many virtual-machine steps (a few seconds on a
// state of several GB) bound what opening costs. A state too large to finish is opened anyway:
// the check is there to catch corruption early, not to stop a large host from starting.
constexpr int kIntegrityCheckBudgetSteps = 200'000'000;
constexpr int kProgressEverySteps = 10'000;

// Corrupt pages must stop the host at open with SQLite's own words and the path, instead of
// surfacing later as every sync failing. Nothing is repaired or overwritten: the admin decides
// (restore a backup, or move the file away and authorize again).
Status check_integrity(Db& db, const std::string& path) {
  const std::string problems = quick_check_problems(db);
  if (problems.empty()) return {};
  return Error::permanent("state store " + path +
                          ": the database is damaged (SQLite quick_check: " + problems +
                          "); it was not changed: restore a backup, or move it away and "
                          "authorize again");
}

}  // namespace

std::string quick_check_problems(Db& db) {
  int steps_left = kIntegrityCheckBudgetSteps / kProgressEverySteps;
  sqlite3_progress_handler(
      db.raw(), kProgressEverySteps,
      [](void* left) { return --*static_cast<int*>(left) < 0 ? 1 : 0; }, &steps_left);
  std::string problems;
  int rc = SQLITE_OK;
  {
    auto stmt = db.prepare("PRAGMA quick_check(10)");
    if (stmt) {
      for (;;) {
        Result<bool> row = (*stmt)->step();
        if (!row) {
          rc = sqlite3_errcode(db.raw());
          problems = row.error().message;
          break;
        }
        if (!*row) break;
        const std::string line = (*stmt)->text(0);
        if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
      }
    } else {
      rc = sqlite3_errcode(db.raw());
      problems = stmt.error().message;
    }
  }
  sqlite3_progress_handler(db.raw(), 0, nullptr, nullptr);
  if (rc == SQLITE_INTERRUPT) return {};  // over budget: see kIntegrityCheckBudgetSteps
  return problems;
}

int sqlite_store_schema_version() { return latest_schema_version(); }

std::string state_marker_path(const std::string& path) { return path + ".marker"; }

Result<std::unique_ptr<StateStore>> open_sqlite_store(const std::string& path,
                                                      std::optional<MasterKey> master_key,
                                                      SqliteStoreOptions options) {
  if (path.empty()) return Error::config("state store: the database path is empty");
  if (sodium_init() < 0) return Error::permanent("state store: libsodium failed to initialize");
  if (options.busy_timeout_ms < 0) options.busy_timeout_ms = 0;
  bool need_marker = false;
  if (Status s = check_state_marker(path, options, need_marker); !s) return s.error();
  if (Status s = prepare_file(path, options); !s) return s.error();

  auto core = std::make_shared<StoreCore>();
  core->pool = std::make_shared<ConnectionPool>(path, options.busy_timeout_ms);
  core->now_ms = options.now_ms ? std::move(options.now_ms) : system_now_ms;
  core->history_keep_per_connection = options.history_keep_per_connection;
  core->key = std::move(master_key);

  auto prefixed = [&](const Error& e) { return Error{e.cls, core->error_prefix() + e.message}; };
  {
    auto db = core->acquire();
    if (!db) return prefixed(db.error());
    if (Status s = check_integrity(**db, path); !s) return s.error();
    if (Status s = migrate(**db, core->now_ms()); !s) return prefixed(s.error());
  }
  if (need_marker) {
    if (Status s = write_state_marker(path, core->now_ms()); !s) return s.error();
  }
  if (Status s = check_master_key(*core); !s) {
    // check_master_key already names the file in its own errors.
    if (s.error().message.rfind("state store ", 0) == 0) return s.error();
    return prefixed(s.error());
  }
  return std::unique_ptr<StateStore>(std::make_unique<SqliteStateStore>(std::move(core)));
}

}  // namespace chost::store
