// Key/value state, transactions (atomicity, poisoning, rollback on drop), mirrored records,
// the outbox and concurrent writers of the SQLite store.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::RawQuery;
using testing::TempDir;

class StoreTransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions options;
    options.now_ms = [this] { return now_ms_.load(); };
    store_ = OpenOrDie(path(), std::nullopt, options);
    ASSERT_NE(store_, nullptr);
  }
  std::string path() const { return dir_.file("state/state.db"); }

  std::unique_ptr<Transaction> Begin(const std::string& ns) {
    auto txn = store_->begin(ns);
    EXPECT_TRUE(txn.ok()) << (txn.ok() ? "" : txn.error().message);
    return txn.ok() ? std::move(txn).value() : nullptr;
  }

  std::optional<std::string> Get(const std::string& ns, const std::string& key) {
    auto v = store_->get(ns, key);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
    return v.ok() ? *v : std::nullopt;
  }

  TempDir dir_;
  std::atomic<int64_t> now_ms_{1'700'000'000'000};
  std::unique_ptr<StateStore> store_;
};

TEST_F(StoreTransactionTest, PutGetDeleteAreScopedByNamespace) {
  auto txn = Begin("sf-a");
  ASSERT_TRUE(txn->put("checkpoint", "v1").ok());
  ASSERT_TRUE(txn->put("bin", std::string("a\0b", 3)).ok());
  ASSERT_TRUE(txn->commit().ok());
  EXPECT_EQ(Get("sf-a", "checkpoint"), "v1");
  EXPECT_EQ(Get("sf-a", "bin"), std::string("a\0b", 3));
  EXPECT_EQ(Get("sf-b", "checkpoint"), std::nullopt);

  auto txn2 = Begin("sf-a");
  ASSERT_TRUE(txn2->put("checkpoint", "v2").ok());
  ASSERT_TRUE(txn2->del("bin").ok());
  ASSERT_TRUE(txn2->commit().ok());
  EXPECT_EQ(Get("sf-a", "checkpoint"), "v2");
  EXPECT_EQ(Get("sf-a", "bin"), std::nullopt);
}

TEST_F(StoreTransactionTest, ListKvPagesByKeyWithinOneNamespace) {
  auto txn = Begin("rg");
  for (const char* key : {"poll/b", "delta/a/inbox", "delta/b/inbox", "poll/a"}) {
    ASSERT_TRUE(txn->put(key, std::string("v:") + key).ok());
  }
  ASSERT_TRUE(txn->commit().ok());
  auto other = Begin("sf");
  ASSERT_TRUE(other->put("delta/z", "not rg's").ok());
  ASSERT_TRUE(other->commit().ok());

  auto first = store_->list_kv("rg", "", 3);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].key, "delta/a/inbox");
  EXPECT_EQ((*first)[0].value, "v:delta/a/inbox");
  EXPECT_EQ((*first)[2].key, "poll/a");
  auto rest = store_->list_kv("rg", first->back().key, 3);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].key, "poll/b");
  EXPECT_TRUE(store_->list_kv("rg", "poll/b", 3)->empty());
  EXPECT_TRUE(store_->list_kv("empty", "", 3)->empty());
  EXPECT_FALSE(store_->list_kv("bad ns!", "", 3).ok());
}

TEST_F(StoreTransactionTest, TransactionReadsItsOwnWritesOthersDoNot) {
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->put("k", "uncommitted").ok());
  auto own = txn->get("k");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(*own, "uncommitted");
  EXPECT_EQ(Get("ns", "k"), std::nullopt);  // another connection: not visible yet
  ASSERT_TRUE(txn->commit().ok());
  EXPECT_EQ(Get("ns", "k"), "uncommitted");
}

TEST_F(StoreTransactionTest, RolledBackBatchLeavesNothing) {
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->put("checkpoint", "page-2").ok());
  ASSERT_TRUE(txn->upsert_record("Account", "001", R"({"Name":"Acme"})", false).ok());
  ASSERT_TRUE(txn->outbox_add("Account", "001", R"({"Name":"Acme 2"})").ok());
  txn->rollback();
  EXPECT_FALSE(txn->commit().ok());  // ended
  EXPECT_EQ(Get("ns", "checkpoint"), std::nullopt);
  auto count = store_->count_records("ns", "Account", true);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
  auto collections = store_->list_collections("ns");
  ASSERT_TRUE(collections.ok());
  EXPECT_TRUE(collections->empty());  // even the mirror table creation was rolled back
  auto pending = store_->outbox_pending("ns", 10);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

TEST_F(StoreTransactionTest, DroppedTransactionRollsBack) {
  {
    auto txn = Begin("ns");
    ASSERT_TRUE(txn->put("k", "v").ok());
  }
  EXPECT_EQ(Get("ns", "k"), std::nullopt);
  // The connection went back to the pool without an open transaction: writing works.
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->put("k", "v2").ok());
  ASSERT_TRUE(txn->commit().ok());
  EXPECT_EQ(Get("ns", "k"), "v2");
}

TEST_F(StoreTransactionTest, FailureMidBatchPoisonsTheTransaction) {
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->put("checkpoint", "page-3").ok());
  ASSERT_TRUE(txn->upsert_record("Account", "001", R"({"Name":"Acme"})", false).ok());
  Status bad = txn->upsert_record("Account", "002", "{not json", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not valid JSON"), std::string::npos);
  // Later writes are refused and commit reports the first failure, rolling everything back.
  EXPECT_FALSE(txn->put("other", "x").ok());
  Status commit = txn->commit();
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(Get("ns", "checkpoint"), std::nullopt);
  auto count = store_->count_records("ns", "Account", true);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
}

TEST_F(StoreTransactionTest, InvalidCollectionNameFailsTheBatch) {
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->put("checkpoint", "x").ok());
  Status s = txn->upsert_record("Account\"; DROP TABLE kv; --", "1", "{}", false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
  EXPECT_FALSE(txn->commit().ok());
  EXPECT_EQ(Get("ns", "checkpoint"), std::nullopt);
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM sqlite_master WHERE name = 'kv'"), "1");
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'mirror_%'"), "0");
}

TEST_F(StoreTransactionTest, BeginRejectsInvalidNamespace) {
  EXPECT_FALSE(store_->begin("").ok());
  EXPECT_FALSE(store_->begin("a b").ok());
  EXPECT_FALSE(store_->get("a;b", "k").ok());
}

TEST_F(StoreTransactionTest, MirroredRecordsUpsertByIdInAPerCollectionTable) {
  auto txn = Begin("sf-prod");
  ASSERT_TRUE(txn->upsert_record("Account", "001", R"({"Name":"Acme"})", false).ok());
  ASSERT_TRUE(txn->upsert_record("Account", "002", R"({"Name":"Beta"})", false).ok());
  ASSERT_TRUE(txn->upsert_record("Contact-Role", "003", R"({"Role":"x"})", false).ok());
  ASSERT_TRUE(txn->commit().ok());

  now_ms_ = 1'700'000'000'500;
  auto txn2 = Begin("sf-prod");
  ASSERT_TRUE(txn2->upsert_record("Account", "001", R"({"Name":"Acme Corp"})", false).ok());
  ASSERT_TRUE(txn2->upsert_record("Account", "002", R"({"Name":"Beta"})", true).ok());
  ASSERT_TRUE(txn2->commit().ok());

  auto rec = store_->record_get("sf-prod", "Account", "001");
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->json, R"({"Name":"Acme Corp"})");
  EXPECT_FALSE((*rec)->deleted);
  EXPECT_EQ((*rec)->updated_at_ms, 1'700'000'000'500);
  auto deleted = store_->record_get("sf-prod", "Account", "002");
  ASSERT_TRUE(deleted.ok() && deleted->has_value());
  EXPECT_TRUE((*deleted)->deleted);
  auto missing = store_->record_get("sf-prod", "Account", "999");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto no_collection = store_->record_get("sf-prod", "Lead", "001");
  ASSERT_TRUE(no_collection.ok());
  EXPECT_FALSE(no_collection->has_value());

  EXPECT_EQ(*store_->count_records("sf-prod", "Account", true), 2u);
  EXPECT_EQ(*store_->count_records("sf-prod", "Account", false), 1u);
  EXPECT_EQ(*store_->count_records("sf-prod", "Lead", true), 0u);
  auto collections = store_->list_collections("sf-prod");
  ASSERT_TRUE(collections.ok());
  EXPECT_EQ(*collections, (std::vector<std::string>{"Account", "Contact-Role"}));
  EXPECT_TRUE(store_->list_collections("other")->empty());

  // The table is named after the object, with its columns.
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM \"mirror_sf_prod_Account\""), "2");
  EXPECT_EQ(RawQuery(path(), "SELECT data FROM \"mirror_sf_prod_Contact_Role\" WHERE id='003'"),
            R"({"Role":"x"})");
}

TEST_F(StoreTransactionTest, CollidingSanitizedNamesAreRefused) {
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->upsert_record("a-b", "1", "{}", false).ok());
  ASSERT_TRUE(txn->commit().ok());
  for (const char* clash : {"a_b", "A-B"}) {
    auto t = Begin("ns");
    Status s = t->upsert_record(clash, "1", "{}", false);
    ASSERT_FALSE(s.ok()) << clash;
    EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
    EXPECT_NE(s.error().message.find("already used"), std::string::npos);
  }
  // Namespace/collection split ambiguity: ("ns_a", "b") vs ("ns", "a_b").
  auto t = Begin("ns_a");
  EXPECT_FALSE(t->upsert_record("b", "1", "{}", false).ok());
}

TEST_F(StoreTransactionTest, OutboxPendingDoneFailedRetry) {
  int64_t e1 = 0, e2 = 0, e3 = 0;
  {
    auto txn = Begin("rw");
    auto a = txn->outbox_add("Account", "001", R"({"x":1})");
    auto b = txn->outbox_add("Account", "002", R"({"x":2})");
    auto c = txn->outbox_add("Contact", "003", R"({"x":3})");
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    e1 = *a, e2 = *b, e3 = *c;
    EXPECT_LT(e1, e2);
    EXPECT_LT(e2, e3);
    ASSERT_TRUE(txn->commit().ok());
  }
  auto pending = store_->outbox_pending("rw", 2);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);  // limit, oldest first
  EXPECT_EQ((*pending)[0].entry_id, e1);
  EXPECT_EQ((*pending)[0].collection, "Account");
  EXPECT_EQ((*pending)[0].id, "001");
  EXPECT_EQ((*pending)[0].json, R"({"x":1})");
  EXPECT_TRUE(store_->outbox_pending("other", 10)->empty());

  {
    auto txn = Begin("rw");
    ASSERT_TRUE(txn->outbox_done(e1, "").ok());
    ASSERT_TRUE(txn->outbox_done(e2, "INVALID_FIELD: Name").ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  pending = store_->outbox_pending("rw", 10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].entry_id, e3);
  auto failed = store_->outbox_failed("rw");
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].entry_id, e2);
  EXPECT_EQ((*failed)[0].error, "INVALID_FIELD: Name");
  EXPECT_EQ((*failed)[0].attempts, 1);
  EXPECT_GT((*failed)[0].failed_at_ms, 0);
  EXPECT_GT((*failed)[0].created_at_ms, 0);

  ASSERT_TRUE(store_->outbox_retry("rw", e2).ok());
  pending = store_->outbox_pending("rw", 10);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].entry_id, e2);
  EXPECT_EQ((*pending)[0].attempts, 1);  // a retry keeps the count of failures
  EXPECT_EQ((*pending)[0].failed_at_ms, 0);
  EXPECT_TRUE(store_->outbox_failed("rw")->empty());
  Status again = store_->outbox_retry("rw", e2);  // no longer failed
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().cls, ErrorClass::kNotFound);

  {  // failing again counts a second attempt
    auto txn = Begin("rw");
    ASSERT_TRUE(txn->outbox_done(e2, "INVALID_FIELD: Name").ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  failed = store_->outbox_failed("rw");
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].attempts, 2);
}

TEST_F(StoreTransactionTest, OutboxDoneIsConfinedToItsNamespace) {
  int64_t id = 0;
  {
    auto txn = Begin("owner");
    auto r = txn->outbox_add("C", "1", "{}");
    ASSERT_TRUE(r.ok());
    id = *r;
    ASSERT_TRUE(txn->commit().ok());
  }
  auto other = Begin("intruder");
  Status s = other->outbox_done(id, "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().cls, ErrorClass::kNotFound);
  other->rollback();
  EXPECT_EQ(store_->outbox_pending("owner", 10)->size(), 1u);
}

TEST_F(StoreTransactionTest, OutboxRejectsInvalidJson) {
  auto txn = Begin("ns");
  auto r = txn->outbox_add("C", "1", "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos);
}

TEST_F(StoreTransactionTest, CommittedStateSurvivesReopen) {
  auto txn = Begin("ns");
  ASSERT_TRUE(txn->put("checkpoint", "2024-01-01").ok());
  ASSERT_TRUE(txn->upsert_record("Account", "001", R"({"a":1})", false).ok());
  ASSERT_TRUE(txn->outbox_add("Account", "001", R"({"a":2})").ok());
  ASSERT_TRUE(txn->commit().ok());
  store_.reset();

  auto reopened = OpenOrDie(path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(*reopened->get("ns", "checkpoint"), "2024-01-01");
  auto rec = reopened->record_get("ns", "Account", "001");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->json, R"({"a":1})");
  EXPECT_EQ(reopened->outbox_pending("ns", 10)->size(), 1u);
  // Writing to the existing collection after reopen finds the existing table.
  auto t2 = reopened->begin("ns");
  ASSERT_TRUE(t2.ok());
  ASSERT_TRUE((*t2)->upsert_record("Account", "002", "{}", false).ok());
  ASSERT_TRUE((*t2)->commit().ok());
  EXPECT_EQ(*reopened->count_records("ns", "Account", true), 2u);
}

TEST_F(StoreTransactionTest, TransactionOutlivingTheStoreStaysSafe) {
  auto txn = Begin("ns");
  store_.reset();
  ASSERT_TRUE(txn->put("k", "v").ok());
  ASSERT_TRUE(txn->commit().ok());
  txn.reset();
  auto reopened = OpenOrDie(path());
  EXPECT_EQ(*reopened->get("ns", "k"), "v");
}

TEST_F(StoreTransactionTest, ConcurrentWritersFromTwoThreadsAllLand) {
  constexpr int kTxnsPerThread = 40;
  std::atomic<int> failures{0};
  auto writer = [&](const std::string& ns) {
    for (int i = 0; i < kTxnsPerThread; ++i) {
      auto txn = store_->begin(ns);
      if (!txn.ok()) {
        ++failures;
        continue;
      }
      bool ok = (*txn)->put("counter", std::to_string(i)).ok() &&
                (*txn)->upsert_record("Item", std::to_string(i), "{}", false).ok() &&
                (*txn)->commit().ok();
      if (!ok) ++failures;
      // Readers run alongside the other thread's writes.
      if (!store_->get(ns, "counter").ok()) ++failures;
    }
  };
  std::thread a(writer, "ns-a");
  std::thread b(writer, "ns-b");
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  for (const char* ns : {"ns-a", "ns-b"}) {
    EXPECT_EQ(*store_->get(ns, "counter"), std::to_string(kTxnsPerThread - 1));
    EXPECT_EQ(*store_->count_records(ns, "Item", true), static_cast<uint64_t>(kTxnsPerThread));
  }
}

}  // namespace
}  // namespace chost::store

namespace chost::store {
namespace {

// kv mirror-columns/<collection> makes the store (re)create the typed view
// view_<ns>_<collection> over the mirror table, so plain SQL reads typed columns.
TEST_F(StoreTransactionTest, MirrorColumnsKeyCreatesATypedViewOfTheMirror) {
  auto txn = Begin("sf-org");
  ASSERT_TRUE(txn->upsert_record("Account", "001A",
                                 R"({"Id":"001A","Name":"Acme","AnnualRevenue":1250.5,)"
                                 R"("NumberOfEmployees":12,"IsActive__c":true,)"
                                 R"("SystemModstamp":"2026-01-02T03:04:05.000+0000"})",
                                 false)
                  .ok());
  ASSERT_TRUE(txn->upsert_record("Account", "001B", R"({"Id":"001B","Name":"Gone"})", true).ok());
  ASSERT_TRUE(txn->put("mirror-columns/Account",
                       R"({"Id":"text","Name":"text","AnnualRevenue":"real",)"
                       R"("NumberOfEmployees":"integer","IsActive__c":"boolean",)"
                       R"("SystemModstamp":"text"})")
                  .ok());
  ASSERT_TRUE(txn->commit().ok());
  EXPECT_EQ(
      RawQuery(path(),
               "SELECT Name || '|' || AnnualRevenue || '|' || typeof(AnnualRevenue) || '|' || "
               "NumberOfEmployees || '|' || IsActive__c || '|' || SystemModstamp "
               "FROM view_sf_org_Account WHERE NOT is_deleted"),
      "Acme|1250.5|real|12|1|2026-01-02T03:04:05.000+0000");
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM view_sf_org_Account"), "2");
  EXPECT_EQ(RawQuery(path(),
                     "SELECT typeof(AnnualRevenue) FROM view_sf_org_Account "
                     "WHERE is_deleted"),
            "null");

  // A new declaration replaces the view; a bad one fails the transaction, naming the key.
  auto again = Begin("sf-org");
  ASSERT_TRUE(again->put("mirror-columns/Account", R"({"Name":"text"})").ok());
  ASSERT_TRUE(again->commit().ok());
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM pragma_table_info('view_sf_org_Account')"),
            "4");  // id, is_deleted, updated_at_ms, Name
  auto bad = Begin("sf-org");
  auto s = bad->put("mirror-columns/Account", R"({"Name":"varchar"})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("mirror-columns/Account"), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("varchar"), std::string::npos);
  bad.reset();  // rolled back
  auto quote = Begin("sf-org");
  EXPECT_FALSE(quote->put("mirror-columns/Account", R"({"Na'me":"text"})").ok());
  quote.reset();
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM pragma_table_info('view_sf_org_Account')"),
            "4");  // the failed writes left the view as it was

  // Deleting the namespace drops the view with the table.
  ASSERT_TRUE(store_->delete_namespace("sf-org").ok());
  EXPECT_EQ(RawQuery(path(), "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'view_%'"), "0");
}

}  // namespace
}  // namespace chost::store
