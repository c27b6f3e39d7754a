// The state's existence marker (a missing or emptied database is refused without init_state)
// and damage found while running (SQLITE_CORRUPT from a statement: the store stops, says why
// with SQLite's words and the path, and writes nothing more to the file).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::RawQuery;
using testing::TempDir;

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(StoreMarker, IsWrittenAtFirstCreationAndRefusesAnEmptiedOrDeletedState) {
  TempDir dir;
  const std::string path = dir.file("state/host.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  ASSERT_TRUE(std::filesystem::exists(state_marker_path(path)));

  std::filesystem::resize_file(path, 0);
  auto emptied = open_sqlite_store(path, std::nullopt);
  ASSERT_FALSE(emptied.ok()) << "an emptied state was opened as a new one";
  EXPECT_EQ(emptied.error().cls, ErrorClass::kConfig);
  EXPECT_EQ(emptied.error().message.rfind("state store " + path + " is empty, but " +
                                              state_marker_path(path) + " says a state was",
                                          0),
            0u)
      << emptied.error().message;
  EXPECT_NE(emptied.error().message.find("--init-state"), std::string::npos);
  EXPECT_EQ(std::filesystem::file_size(path), 0u) << "the refused file was written to";

  std::filesystem::remove(path);
  auto deleted = open_sqlite_store(path, std::nullopt);
  ASSERT_FALSE(deleted.ok());
  EXPECT_NE(deleted.error().message.find(path + " does not exist"), std::string::npos)
      << deleted.error().message;
  EXPECT_FALSE(std::filesystem::exists(path)) << "the refused state was re-created";

  SqliteStoreOptions init;
  init.init_state = true;
  auto fresh = OpenOrDie(path, std::nullopt, init);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(RawQuery(path, "SELECT MAX(version) FROM schema_version"),
            std::to_string(sqlite_store_schema_version()));
}

TEST(StoreMarker, AnExistingStateWithoutOneGetsOne) {
  TempDir dir;
  const std::string path = dir.file("host.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  std::filesystem::remove(state_marker_path(path));
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  EXPECT_TRUE(std::filesystem::exists(state_marker_path(path)));
}

// Damages the last 8 pages of the file (written last: the namespace's kv rows), after moving
// every page out of the WAL, then commits elsewhere so the store's connections drop the pages
// they cached: their next read of those rows reads the damage.
void damage_tail(const std::string& path) {
  RawQuery(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16 * 4096u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 8 * 4096));
    const std::string garbage(8 * 4096, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  RawQuery(path, "CREATE TABLE poke(x)");
}

TEST(StoreDamage, CorruptionWhileOpenStopsTheStoreWithSqlitesWordsAndNoMoreWrites) {
  TempDir dir;
  const std::string path = dir.file("host.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  {
    auto txn = store->begin("crm");
    ASSERT_TRUE(txn.ok());
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE((*txn)->put("k" + std::to_string(1000 + i), std::string(400, 'v')).ok());
    }
    ASSERT_TRUE((*txn)->commit().ok());
  }
  ASSERT_EQ(store->damaged(), std::nullopt);
  damage_tail(path);
  const std::string db_before = file_bytes(path);
  const std::string wal_before = file_bytes(path + "-wal");

  auto listed = store->list_kv("crm", "", 1000);
  ASSERT_FALSE(listed.ok()) << "the damaged pages were read without an error";
  EXPECT_NE(listed.error().message.find("database disk image is malformed"), std::string::npos)
      << listed.error().message;

  std::optional<std::string> why = store->damaged();
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->rfind("state store " + path + " is damaged (SQLite: ", 0), 0u) << *why;
  EXPECT_NE(why->find("malformed"), std::string::npos) << *why;
  EXPECT_NE(why->find("; quick_check"), std::string::npos) << "no second check: " << *why;

  // From now on nothing reaches the file: writes and reads are refused with the reason.
  auto txn = store->begin("crm");
  ASSERT_FALSE(txn.ok());
  EXPECT_EQ(txn.error().message, *why);
  EXPECT_FALSE(store->get("crm", "k1000").ok());
  store.reset();  // closing the last connection does not checkpoint into the damaged file
  EXPECT_TRUE(file_bytes(path) == db_before) << "the damaged database was written to";
  EXPECT_TRUE(file_bytes(path + "-wal") == wal_before) << "its WAL was written to";
}

}  // namespace
}  // namespace chost::store
