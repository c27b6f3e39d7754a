// Helpers shared by the chost_store tests: a self-removing temporary directory, a store opened
// in it, and raw access to the database file for checks behind the store's back.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "chost/store/sqlite_store.hpp"

namespace chost::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chost-store-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Fixed key for tests (a real deployment reads it from env or a file).
inline MasterKey TestKey(uint8_t fill = 0x42) {
  uint8_t bytes[MasterKey::kSizeBytes];
  for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<uint8_t>(fill + i);
  return MasterKey::from_bytes(bytes, sizeof bytes);
}

inline std::unique_ptr<StateStore> OpenOrDie(const std::string& path,
                                             std::optional<MasterKey> key = std::nullopt,
                                             SqliteStoreOptions options = {}) {
  auto store = open_sqlite_store(path, std::move(key), std::move(options));
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

// Every byte the store has put on disk: the database, its WAL and shared-memory files.
inline std::string ReadAllFiles(const std::string& db_path) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::ifstream in(db_path + suffix, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

// Runs one SQL statement on the file directly and returns the first column of the first row
// as text ("" when there is none). For checks and tampering behind the store's back.
inline std::string RawQuery(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(db_path.c_str(), &db) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      }
    } else {
      ADD_FAILURE() << "raw query failed: " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace chost::store::testing
