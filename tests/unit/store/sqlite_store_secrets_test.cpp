// Secrets: compare-and-swap versions, encryption at rest (plaintext never reaches the file),
// master key checks at open, and key rotation.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::RawQuery;
using testing::ReadAllFiles;
using testing::TempDir;
using testing::TestKey;

constexpr const char* kRefreshToken = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrefresh-PLAINTEXT";

class StoreSecretsTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("state.db"); }
  TempDir dir_;
};

TEST_F(StoreSecretsTest, PutGetWithCompareAndSwap) {
  auto store = OpenOrDie(path(), TestKey());
  auto v1 = store->secret_put("sf", "refresh_token", "t1", 0);
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(*v1, 1u);

  auto conflict = store->secret_put("sf", "refresh_token", "t-other", 0);  // must not exist
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().cls, ErrorClass::kConflict);
  EXPECT_EQ(conflict.error().message.find("t-other"), std::string::npos);

  auto v2 = store->secret_put("sf", "refresh_token", "t2", 1);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2u);
  auto stale = store->secret_put("sf", "refresh_token", "t3", 1);  // lost the race
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().cls, ErrorClass::kConflict);
  auto missing_cas = store->secret_put("sf", "never_set", "x", 5);
  EXPECT_EQ(missing_cas.error().cls, ErrorClass::kConflict);

  auto got = store->secret_get("sf", "refresh_token");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->value, "t2");
  EXPECT_EQ((*got)->version, 2u);
  EXPECT_FALSE(store->secret_get("other-ns", "refresh_token")->has_value());
}

// Two refreshers racing on one token: every put that succeeds advances the version by one, and
// the losers see kConflict rather than overwriting.
TEST_F(StoreSecretsTest, ConcurrentCompareAndSwapNeverLosesAnUpdate) {
  auto store = OpenOrDie(path(), TestKey());
  ASSERT_TRUE(store->secret_put("sf", "rt", "v0", 0).ok());
  constexpr int kAttemptsPerThread = 25;
  std::atomic<int> wins{0}, conflicts{0}, errors{0};
  auto racer = [&](int who) {
    for (int i = 0; i < kAttemptsPerThread; ++i) {
      auto cur = store->secret_get("sf", "rt");
      if (!cur.ok() || !cur->has_value()) {
        ++errors;
        continue;
      }
      auto put = store->secret_put("sf", "rt", "t" + std::to_string(who), (*cur)->version);
      if (put.ok()) {
        ++wins;
      } else if (put.error().cls == ErrorClass::kConflict) {
        ++conflicts;
      } else {
        ++errors;
      }
    }
  };
  std::thread a(racer, 1);
  std::thread b(racer, 2);
  a.join();
  b.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(wins.load() + conflicts.load(), 2 * kAttemptsPerThread);
  auto final_value = store->secret_get("sf", "rt");
  ASSERT_TRUE(final_value.ok() && final_value->has_value());
  EXPECT_EQ((*final_value)->version, static_cast<uint64_t>(1 + wins.load()));
}

TEST_F(StoreSecretsTest, DeleteIsIdempotentAndResetsTheVersion) {
  auto store = OpenOrDie(path(), TestKey());
  ASSERT_TRUE(store->secret_put("ns", "s", "v", 0).ok());
  ASSERT_TRUE(store->secret_delete("ns", "s").ok());
  ASSERT_TRUE(store->secret_delete("ns", "s").ok());
  EXPECT_FALSE(store->secret_get("ns", "s")->has_value());
  auto again = store->secret_put("ns", "s", "v", 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1u);
}

TEST_F(StoreSecretsTest, PlaintextNeverReachesTheFiles) {
  {
    auto store = OpenOrDie(path(), TestKey());
    ASSERT_TRUE(store->secret_put("sf", "refresh_token", kRefreshToken, 0).ok());
    std::string all = ReadAllFiles(path());  // WAL not yet checkpointed
    EXPECT_FALSE(all.empty());
    EXPECT_EQ(all.find(kRefreshToken), std::string::npos);
    EXPECT_EQ(all.find("PLAINTEXT"), std::string::npos);
  }
  std::string all = ReadAllFiles(path());  // after close (checkpointed into the main file)
  EXPECT_EQ(all.find("PLAINTEXT"), std::string::npos);
  // The value is there, just sealed: reopening with the key gets it back.
  auto store = OpenOrDie(path(), TestKey());
  EXPECT_EQ((*store->secret_get("sf", "refresh_token"))->value, kRefreshToken);
}

// Control for the test above: the same search does find a value stored without encryption,
// so "not found" there means sealed, not "not looked at".
TEST_F(StoreSecretsTest, FileSearchFindsUnencryptedState) {
  auto store = OpenOrDie(path(), TestKey());
  auto txn = store->begin("sf");
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->put("not_a_secret", kRefreshToken).ok());
  ASSERT_TRUE((*txn)->commit().ok());
  EXPECT_NE(ReadAllFiles(path()).find(kRefreshToken), std::string::npos);
}

TEST_F(StoreSecretsTest, SecretsSurviveReopenWithTheSameKey) {
  {
    auto store = OpenOrDie(path(), TestKey());
    ASSERT_TRUE(store->secret_put("ns", "client_secret", "cs", 0).ok());
  }
  auto store = OpenOrDie(path(), TestKey());
  auto got = store->secret_get("ns", "client_secret");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, "cs");
  EXPECT_EQ((*got)->version, 1u);
}

TEST_F(StoreSecretsTest, WrongKeyFailsToOpenWithAClearError) {
  {
    auto store = OpenOrDie(path(), TestKey(0x01));
    ASSERT_TRUE(store->secret_put("ns", "s", kRefreshToken, 0).ok());
  }
  auto wrong = open_sqlite_store(path(), TestKey(0x02));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().cls, ErrorClass::kConfig);
  EXPECT_NE(
      wrong.error().message.find("master key does not match the one the state was encrypted with"),
      std::string::npos);
  EXPECT_NE(wrong.error().message.find(path()), std::string::npos);
  EXPECT_EQ(wrong.error().message.find("PLAINTEXT"), std::string::npos);
}

TEST_F(StoreSecretsTest, MissingKeyFailsToOpenOnlyWhenSecretsExist) {
  {
    auto store = OpenOrDie(path(), TestKey());  // writes a key check, no secrets yet
  }
  {
    auto no_key = OpenOrDie(path());
    ASSERT_NE(no_key, nullptr);
    auto get = no_key->secret_get("ns", "s");
    ASSERT_FALSE(get.ok());
    EXPECT_EQ(get.error().cls, ErrorClass::kConfig);
    EXPECT_FALSE(no_key->secret_put("ns", "s", "v", 0).ok());
  }
  {
    auto store = OpenOrDie(path(), TestKey());
    ASSERT_TRUE(store->secret_put("ns", "s", "v", 0).ok());
  }
  auto no_key = open_sqlite_store(path(), std::nullopt);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().cls, ErrorClass::kConfig);
  EXPECT_NE(no_key.error().message.find("no master key"), std::string::npos);
}

TEST_F(StoreSecretsTest, NewKeyTakesOverWhileNoSecretsExist) {
  { auto store = OpenOrDie(path(), TestKey(0x01)); }
  {
    auto store = OpenOrDie(path(), TestKey(0x02));
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->secret_put("ns", "s", "v", 0).ok());
  }
  EXPECT_FALSE(open_sqlite_store(path(), TestKey(0x01)).ok());
  EXPECT_TRUE(open_sqlite_store(path(), TestKey(0x02)).ok());
}

TEST_F(StoreSecretsTest, RotateKeyReencryptsEverySecret) {
  {
    auto store = OpenOrDie(path(), TestKey(0x01));
    ASSERT_TRUE(store->secret_put("a", "refresh_token", "ra", 0).ok());
    ASSERT_TRUE(store->secret_put("b", "refresh_token", "rb", 0).ok());
    ASSERT_TRUE(store->secret_put("b", "client_secret", "cb", 0).ok());
    std::string sealed_before = RawQuery(path(), "SELECT hex(sealed) FROM secrets WHERE ns='a'");
    ASSERT_TRUE(store->rotate_key(TestKey(0x02)).ok());
    EXPECT_NE(RawQuery(path(), "SELECT hex(sealed) FROM secrets WHERE ns='a'"), sealed_before);
    // The live store uses the new key right away, versions unchanged.
    auto got = store->secret_get("b", "client_secret");
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->value, "cb");
    EXPECT_EQ((*got)->version, 1u);
    ASSERT_TRUE(store->secret_put("a", "refresh_token", "ra2", 1).ok());
  }
  auto old_key = open_sqlite_store(path(), TestKey(0x01));
  ASSERT_FALSE(old_key.ok());
  EXPECT_NE(old_key.error().message.find("does not match"), std::string::npos);
  auto store = OpenOrDie(path(), TestKey(0x02));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ((*store->secret_get("a", "refresh_token"))->value, "ra2");
  EXPECT_EQ((*store->secret_get("b", "refresh_token"))->value, "rb");
}

TEST_F(StoreSecretsTest, RotateWithoutAKeyFails) {
  auto store = OpenOrDie(path());
  Status s = store->rotate_key(TestKey());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
}

TEST_F(StoreSecretsTest, SealedValueIsBoundToItsNamespaceAndName) {
  auto store = OpenOrDie(path(), TestKey());
  ASSERT_TRUE(store->secret_put("victim", "refresh_token", "victim-token", 0).ok());
  ASSERT_TRUE(store->secret_put("attacker", "refresh_token", "attacker-token", 0).ok());
  // Copy the victim's sealed bytes over the attacker's row behind the store's back.
  RawQuery(path(),
           "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE ns='victim') "
           "WHERE ns='attacker'");
  ASSERT_EQ(RawQuery(path(), "SELECT COUNT(DISTINCT hex(sealed)) FROM secrets"), "1");
  auto got = store->secret_get("attacker", "refresh_token");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message.find("victim-token"), std::string::npos);
  EXPECT_EQ((*store->secret_get("victim", "refresh_token"))->value, "victim-token");
}

}  // namespace
}  // namespace chost::store
