// The SQLite implementation of StateStore (the default, one file in state_dir) and its factory.
//
// Durability: WAL journal with synchronous=FULL, so a committed transaction (e.g. a rotated
// refresh token) has been fsync'd before commit returns.
// Threading: a small pool of connections; each call or open Transaction checks one out, so
// readers run in parallel with a writer (WAL). Writers take SQLite's write lock up front
// (BEGIN IMMEDIATE) and wait up to busy_timeout_ms for one another, then fail kTransient.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "chost/common/result.hpp"
#include "chost/store/master_key.hpp"
#include "chost/store/state_store.hpp"

namespace chost::store {

struct SqliteStoreOptions {
  int busy_timeout_ms = 5000;
  size_t history_keep_per_connection = 50;
  // Clock for updated_at_ms / created_at_ms stamped by the store; system clock when empty.
  std::function<int64_t()> now_ms;
  // Told what opening changed that the admin should know of (permissions tightened); only
  // called during open_sqlite_store. Ignored when empty.
  std::function<void(const std::string&)> warn;
  // A state that existed once (its marker, `<path>.marker`, is there) but whose database is now
  // missing or empty is refused unless this is set: a truncated or deleted file must not quietly
  // become a fresh, unauthorized state. The CLI sets it for `--init-state`.
  bool init_state = false;
};

// The marker written (and fsync'd, with its directory) beside a state the first time it is
// created: its presence says a state existed at `path`.
std::string state_marker_path(const std::string& path);

// Opens (creating the file, its parent directories and the schema as needed) the state at
// `path`. Secrets need `master_key`; without one, opening fails if encrypted secrets exist.
// With a key that differs from the one the secrets were encrypted with, opening fails.
// Errors name the path and what failed. A state whose marker exists but whose database is missing
// or empty is refused (kConfig) unless options.init_state. A directory it creates is owner-only
// (0700); an existing database (and its -wal / -shm files) readable by others is tightened to 0600,
// with a warning.
Result<std::unique_ptr<StateStore>> open_sqlite_store(const std::string& path,
                                                      std::optional<MasterKey> master_key,
                                                      SqliteStoreOptions options = {});

// The schema version this build migrates to (for `status` output and tests).
int sqlite_store_schema_version();

}  // namespace chost::store
