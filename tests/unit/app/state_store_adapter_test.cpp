// StateStoreAdapter over a real SQLite store: every RuntimeStore method reaches the store and
// comes back translated (kv through transactions, records, outbox, secret CAS, connections,
// history, subjects).
#include "chost/app/state_store_adapter.hpp"

#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "chost/store/sqlite_store.hpp"

namespace chost::app {
namespace {

class StateStoreAdapterTest : public ::testing::Test {
 protected:
  StateStoreAdapterTest() {
    auto st = store::open_sqlite_store((dir_.path() / "s.db").string(), store::MasterKey::random());
    EXPECT_TRUE(st) << st.error().message;
    store_ = std::move(*st);
    adapter_ = std::make_unique<StateStoreAdapter>(*store_);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<StateStoreAdapter> adapter_;
};

TEST_F(StateStoreAdapterTest, TransactionWritesAreVisibleAfterCommitOnly) {
  auto txn = adapter_->begin("ns1");
  ASSERT_TRUE(txn);
  ASSERT_TRUE((*txn)->put("k", "v1"));
  ASSERT_TRUE((*txn)->upsert_record("accounts", "a1", R"({"x":1})", false));
  auto entry = (*txn)->outbox_add("accounts", "a1", R"({"x":2})");
  ASSERT_TRUE(entry);
  ASSERT_TRUE((*txn)->commit());

  auto v = adapter_->get("ns1", "k");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value_or(""), "v1");
  auto rec = adapter_->record_get("ns1", "accounts", "a1");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->value_or(""), R"({"x":1})");
  auto pending = adapter_->outbox_pending("ns1", 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].entry_id, *entry);
  EXPECT_EQ((*pending)[0].id, "a1");
  EXPECT_EQ((*pending)[0].json, R"({"x":2})");
}

TEST_F(StateStoreAdapterTest, RolledBackTransactionLeavesNothing) {
  {
    auto txn = adapter_->begin("ns1");
    ASSERT_TRUE(txn);
    ASSERT_TRUE((*txn)->put("k", "v"));
    (*txn)->rollback();
  }
  auto v = adapter_->get("ns1", "k");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->has_value());
  auto rec = adapter_->record_get("ns1", "accounts", "nope");
  ASSERT_TRUE(rec);
  EXPECT_FALSE(rec->has_value());
}

TEST_F(StateStoreAdapterTest, SecretCompareAndSwap) {
  auto v1 = adapter_->secret_put("ns1", "s", "first-value", 0);
  ASSERT_TRUE(v1);
  EXPECT_EQ(*v1, 1u);
  auto stale = adapter_->secret_put("ns1", "s", "other", 0);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().cls, ErrorClass::kConflict);
  auto got = adapter_->secret_get("ns1", "s");
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->value, "first-value");
  EXPECT_EQ((*got)->version, 1u);
  auto missing = adapter_->secret_get("ns1", "absent");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StateStoreAdapterTest, ConnectionRowHistoryAndSubjectRoundTrip) {
  runtime::ConnectionRow row;
  row.name = "conn";
  row.state = "connected";
  row.reason = "authorized";
  row.identity_json = R"({"user_id":"u"})";
  row.public_json = R"({"instance_url":"https://x"})";
  row.access_expires_at_ms = 123;
  row.last_used_at_ms = 45;
  row.updated_at_ms = 67;
  ASSERT_TRUE(adapter_->put_connection(row));
  auto back = adapter_->get_connection("conn");
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->state, "connected");
  EXPECT_EQ((*back)->reason, "authorized");
  EXPECT_EQ((*back)->identity_json, row.identity_json);
  EXPECT_EQ((*back)->public_json, row.public_json);
  EXPECT_EQ((*back)->access_expires_at_ms, 123);
  auto none = adapter_->get_connection("other");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(adapter_->append_history("conn", "unauthorized", "connected", "authorized", 99));
  auto hist = store_->list_history("conn", 10);
  ASSERT_TRUE(hist);
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].to_state, "connected");
  EXPECT_EQ((*hist)[0].at_ms, 99);

  ASSERT_TRUE(adapter_->upsert_subject("ns1", {"u1", "Ann", "disabled", "token revoked", 5}));
  auto subs = store_->list_subjects("ns1");
  ASSERT_TRUE(subs);
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].display_name, "Ann");
  EXPECT_EQ((*subs)[0].state, "disabled");
  EXPECT_EQ((*subs)[0].detail, "token revoked");
}

}  // namespace
}  // namespace chost::app
