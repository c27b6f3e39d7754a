// Private to chost_store: the ordered schema migrations of the SQLite state database and the
// code that applies the missing ones, each in its own transaction, recording schema_version.
#pragma once

#include "chost/common/result.hpp"
#include "sqlite_db.hpp"

namespace chost::store {

// The version the last migration step brings the schema to.
int latest_schema_version();

// Applies every step newer than the database's version. Fails without changes when the
// database is newer than this build knows. Safe against a concurrent opener: the version is
// re-read under the write lock.
Status migrate(Db& db, int64_t now_ms);

}  // namespace chost::store
