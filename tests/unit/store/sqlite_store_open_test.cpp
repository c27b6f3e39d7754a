// Opening the SQLite store: directory creation, schema migrations and their version table,
// idempotent re-open, durability pragmas, refusal of newer schemas and clear errors.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::RawQuery;
using testing::TempDir;

TEST(StoreOpen, CreatesParentDirectoriesAndSchemaFromNothing) {
  TempDir dir;
  const std::string path = dir.file("a/b/c/state.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(RawQuery(path, "SELECT MAX(version) FROM schema_version"),
            std::to_string(sqlite_store_schema_version()));
  EXPECT_EQ(RawQuery(path, "SELECT COUNT(*) FROM schema_version"),
            std::to_string(sqlite_store_schema_version()));
  for (const char* table : {"kv", "outbox", "secrets", "connections", "connection_history",
                            "subjects", "leases", "store_mirrors", "instance_status"}) {
    EXPECT_EQ(RawQuery(path, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type='table' "
                                         "AND name='") +
                                 table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), "wal");
}

TEST(StoreOpen, FileIsOwnerOnly) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  auto store = OpenOrDie(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST(StoreOpen, ReopenIsIdempotent) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  for (int i = 0; i < 3; ++i) {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr) << "open #" << i;
  }
  EXPECT_EQ(RawQuery(path, "SELECT COUNT(*) FROM schema_version"),
            std::to_string(sqlite_store_schema_version()));
}

TEST(StoreOpen, MigratesAnExistingEmptyFile) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { std::ofstream touch(path); }
  ASSERT_EQ(std::filesystem::file_size(path), 0u);
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawQuery(path, "SELECT MAX(version) FROM schema_version"),
            std::to_string(sqlite_store_schema_version()));
}

TEST(StoreOpen, RefusesASchemaNewerThanThisBuild) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { auto store = OpenOrDie(path); }
  RawQuery(path,
           "INSERT INTO schema_version (version, description, applied_at_ms) VALUES (999, "
           "'from the future', 0)");
  auto store = open_sqlite_store(path, std::nullopt);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().cls, ErrorClass::kConfig);
  EXPECT_NE(store.error().message.find("999"), std::string::npos);
  EXPECT_NE(store.error().message.find(path), std::string::npos);
}

TEST(StoreOpen, ReportsPathAndWhatFailed) {
  TempDir dir;
  // A regular file where a directory is needed.
  const std::string blocker = dir.file("blocker");
  { std::ofstream f(blocker); }
  auto store = open_sqlite_store(blocker + "/state.db", std::nullopt);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(blocker), std::string::npos);
  EXPECT_NE(store.error().message.find("cannot"), std::string::npos);

  // Not a database.
  const std::string garbage = dir.file("garbage.db");
  {
    std::ofstream f(garbage, std::ios::binary);
    f << std::string(8192, 'x');
  }
  auto bad = open_sqlite_store(garbage, std::nullopt);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(garbage), std::string::npos);

  EXPECT_FALSE(open_sqlite_store("", std::nullopt).ok());
}

TEST(StoreOpen, CorruptPagesAreRefusedAtOpenWithSqlitesWordsAndLeftAlone) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  // Rows that opening never reads, at the end of the file: their pages get the damage, so only
  // an integrity check finds it (a sync reading them failed with every run before).
  RawQuery(path, "CREATE TABLE filler(x)");
  RawQuery(path,
           "INSERT INTO filler WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
           "WHERE i < 200) SELECT randomblob(400) FROM n");
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16 * 4096u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 8 * 4096));
    const std::string garbage(8 * 4096, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  std::ifstream in(path, std::ios::binary);
  const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  auto store = open_sqlite_store(path, std::nullopt);
  ASSERT_FALSE(store.ok()) << "a damaged state was opened";
  const std::string& message = store.error().message;
  EXPECT_EQ(message.rfind("state store " + path + ": ", 0), 0u) << message;
  EXPECT_NE(message.find(": the database is damaged (SQLite quick_check: "), std::string::npos)
      << message;
  EXPECT_NE(message.find("database disk image is malformed"), std::string::npos) << message;

  std::ifstream again(path, std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(again)),
                          std::istreambuf_iterator<char>());
  EXPECT_TRUE(before == after) << "the damaged file was written to";
}

TEST(StoreOpen, LooseFilesAreTightenedWithAWarningAndNewDirectoriesAreOwnerOnly) {
  TempDir dir;
  const std::string path = dir.file("new-dir/state.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("new-dir").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  for (const std::string& file : {path, path + "-wal"}) {
    std::ofstream(file, std::ios::app).flush();
    ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  }
  std::vector<std::string> warnings;
  SqliteStoreOptions options;
  options.warn = [&](const std::string& w) { warnings.push_back(w); };
  { ASSERT_NE(OpenOrDie(path, std::nullopt, std::move(options)), nullptr); }
  for (const std::string& file : {path, path + "-wal"}) {
    if (::stat(file.c_str(), &st) == 0) {
      EXPECT_EQ(st.st_mode & 077, 0u) << file;
    }
  }
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0],
            "state store " + path + " was readable by others (mode 0644); made owner-only (0600)");
  EXPECT_EQ(warnings[1].rfind("state store " + path + "-wal was readable", 0), 0u);
}

}  // namespace
}  // namespace chost::store
