// Connections, their transition history (with trimming), subjects and leases.
#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::TempDir;

class StoreHostTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions options;
    options.history_keep_per_connection = 5;
    store_ = OpenOrDie(dir_.file("state.db"), std::nullopt, options);
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(StoreHostTablesTest, ConnectionPutGetListReplace) {
  ConnectionRecord rec;
  rec.name = "sf-prod";
  rec.state = "connected";
  rec.reason = "authorized by admin";
  rec.identity_json = R"({"user_id":"005","org_id":"00D"})";
  rec.public_json = R"({"instance_url":"https://127.0.0.1:1"})";
  rec.access_expires_at_ms = 1000;
  rec.last_used_at_ms = 900;
  rec.updated_at_ms = 800;
  ASSERT_TRUE(store_->put_connection(rec).ok());
  auto got = store_->get_connection("sf-prod");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state, "connected");
  EXPECT_EQ((*got)->reason, "authorized by admin");
  EXPECT_EQ((*got)->identity_json, rec.identity_json);
  EXPECT_EQ((*got)->public_json, rec.public_json);
  EXPECT_EQ((*got)->access_expires_at_ms, 1000);
  EXPECT_EQ((*got)->last_used_at_ms, 900);
  EXPECT_EQ((*got)->updated_at_ms, 800);

  rec.state = "disconnected";
  rec.reason = "refresh token revoked";
  ASSERT_TRUE(store_->put_connection(rec).ok());
  ConnectionRecord other = rec;
  other.name = "graph";
  other.state = "unauthorized";
  ASSERT_TRUE(store_->put_connection(other).ok());
  auto all = store_->list_connections();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "graph");
  EXPECT_EQ((*all)[1].name, "sf-prod");
  EXPECT_EQ((*all)[1].state, "disconnected");
  EXPECT_FALSE(store_->get_connection("nope")->has_value());
}

TEST_F(StoreHostTablesTest, ConnectionRejectsUnknownState) {
  ConnectionRecord rec;
  rec.name = "sf";
  rec.state = "happy";
  Status s = store_->put_connection(rec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
  EXPECT_FALSE(store_->append_history("sf", "connected", "bogus", "", 1).ok());
}

TEST_F(StoreHostTablesTest, HistoryKeepsTheNewestNPerConnection) {
  const char* states[] = {"connected", "refreshing"};
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(store_
                    ->append_history("sf", i == 0 ? "" : states[(i + 1) % 2], states[i % 2],
                                     "step " + std::to_string(i), 100 + i)
                    .ok());
  }
  ASSERT_TRUE(store_->append_history("graph", "", "connected", "first", 5).ok());

  auto hist = store_->list_history("sf", 100);
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 5u);              // history_keep_per_connection
  EXPECT_EQ((*hist)[0].reason, "step 11");  // newest first
  EXPECT_EQ((*hist)[0].at_ms, 111);
  EXPECT_EQ((*hist)[0].to_state, "refreshing");
  EXPECT_EQ((*hist)[0].from_state, "connected");
  EXPECT_EQ((*hist)[4].reason, "step 7");
  auto limited = store_->list_history("sf", 2);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].reason, "step 10");
  // Trimming one connection does not touch another.
  auto graph = store_->list_history("graph", 10);
  ASSERT_EQ(graph->size(), 1u);
  EXPECT_EQ((*graph)[0].from_state, "");
}

TEST_F(StoreHostTablesTest, SubjectsUpsertGetList) {
  SubjectRecord alice{"u-alice", "Alice", "active", "", 10};
  SubjectRecord bob{"u-bob", "Bob", "disabled", "mailbox not found", 11};
  ASSERT_TRUE(store_->upsert_subject("graph-mail", bob).ok());
  ASSERT_TRUE(store_->upsert_subject("graph-mail", alice).ok());
  ASSERT_TRUE(store_->upsert_subject("other", alice).ok());
  auto disabled = store_->get_subject("graph-mail", "u-bob");
  ASSERT_TRUE(disabled.ok() && disabled->has_value());
  EXPECT_EQ((*disabled)->state, "disabled");
  EXPECT_EQ((*disabled)->detail, "mailbox not found");
  bob.state = "active";
  bob.detail = "";
  bob.updated_at_ms = 20;
  ASSERT_TRUE(store_->upsert_subject("graph-mail", bob).ok());

  auto list = store_->list_subjects("graph-mail");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].subject_id, "u-alice");
  EXPECT_EQ((*list)[1].state, "active");
  EXPECT_EQ((*list)[1].updated_at_ms, 20);
  auto got = store_->get_subject("graph-mail", "u-bob");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->display_name, "Bob");
  EXPECT_FALSE(store_->get_subject("graph-mail", "u-carol")->has_value());

  SubjectRecord bad{"u-x", "X", "sleepy", "", 1};
  EXPECT_FALSE(store_->upsert_subject("graph-mail", bad).ok());
  EXPECT_FALSE(store_->upsert_subject("bad ns", alice).ok());
}

TEST_F(StoreHostTablesTest, AnAdminsSubjectSwitchSurvivesThePluginsReports) {
  SubjectRecord ana{"ana@x.com", "Ana", "active", "synced 2 message(s)", 10};
  ASSERT_TRUE(store_->upsert_subject("rg-sync", ana).ok());
  ASSERT_TRUE(store_->set_subject_admin_disabled("rg-sync", "ana@x.com", true).ok());
  ana.detail = "synced 0 message(s)";
  ana.updated_at_ms = 20;
  ASSERT_TRUE(store_->upsert_subject("rg-sync", ana).ok());  // admin_disabled false in the record
  auto got = store_->get_subject("rg-sync", "ana@x.com");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->admin_disabled);
  EXPECT_EQ((*got)->detail, "synced 0 message(s)");
  ASSERT_TRUE(store_->set_subject_admin_disabled("rg-sync", "ana@x.com", false).ok());
  EXPECT_FALSE((*store_->list_subjects("rg-sync"))[0].admin_disabled);
  Status missing = store_->set_subject_admin_disabled("rg-sync", "nobody@x.com", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().cls, ErrorClass::kNotFound);
}

TEST_F(StoreHostTablesTest, LeaseIsExclusiveUntilExpiryOrRelease) {
  auto a = store_->try_acquire_lease("leader", "replica-a", 1000, 10'000);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(*a);
  EXPECT_FALSE(*store_->try_acquire_lease("leader", "replica-b", 1000, 10'500));
  EXPECT_TRUE(*store_->try_acquire_lease("leader", "replica-a", 1000, 10'600));   // renew
  EXPECT_FALSE(*store_->try_acquire_lease("leader", "replica-b", 1000, 11'500));  // renewed
  EXPECT_TRUE(*store_->try_acquire_lease("leader", "replica-b", 1000, 11'600));   // expired
  EXPECT_FALSE(*store_->try_acquire_lease("leader", "replica-a", 1000, 11'700));

  ASSERT_TRUE(store_->release_lease("leader", "replica-a").ok());  // not the holder: no-op
  EXPECT_FALSE(*store_->try_acquire_lease("leader", "replica-a", 1000, 11'800));
  ASSERT_TRUE(store_->release_lease("leader", "replica-b").ok());
  EXPECT_TRUE(*store_->try_acquire_lease("leader", "replica-a", 1000, 11'900));
  EXPECT_TRUE(*store_->try_acquire_lease("other-lease", "replica-b", 1000, 11'900));

  EXPECT_FALSE(store_->try_acquire_lease("leader", "", 1000, 1).ok());
  EXPECT_FALSE(store_->try_acquire_lease("leader", "x", 0, 1).ok());
}

}  // namespace
}  // namespace chost::store
