// Instance status (last sync of each connector instance): round trip, replace, order, reopen,
// upgrade of a schema-1 database and validation.
#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::RawQuery;
using testing::TempDir;

InstanceStatusRecord FailedSync(std::string name) {
  InstanceStatusRecord r;
  r.name = std::move(name);
  r.last_outcome = "transient";
  r.last_error_class = "transient";
  r.last_error = "HTTP 503 from https://127.0.0.1:1/services/data";
  r.last_sync_at_ms = 2000;
  r.last_success_at_ms = 1000;
  r.last_summary_json = R"({"records":{"Account":12,"Contact":3},"api_calls":4})";
  r.next_run_at_ms = 3000;
  r.status_line = "retrying in 1s after HTTP 503";
  r.updated_at_ms = 2001;
  return r;
}

void ExpectSame(const InstanceStatusRecord& got, const InstanceStatusRecord& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.last_outcome, want.last_outcome);
  EXPECT_EQ(got.last_error_class, want.last_error_class);
  EXPECT_EQ(got.last_error, want.last_error);
  EXPECT_EQ(got.last_sync_at_ms, want.last_sync_at_ms);
  EXPECT_EQ(got.last_success_at_ms, want.last_success_at_ms);
  EXPECT_EQ(got.last_summary_json, want.last_summary_json);
  EXPECT_EQ(got.next_run_at_ms, want.next_run_at_ms);
  EXPECT_EQ(got.status_line, want.status_line);
  EXPECT_EQ(got.updated_at_ms, want.updated_at_ms);
}

class StoreInstanceStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  const std::string path_ = dir_.file("state.db");
  std::unique_ptr<StateStore> store_;
};

TEST_F(StoreInstanceStatusTest, RoundTripKeepsEveryField) {
  const InstanceStatusRecord rec = FailedSync("sf-prod");
  ASSERT_TRUE(store_->put_instance_status(rec).ok());
  auto got = store_->get_instance_status("sf-prod");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSame(**got, rec);

  auto none = store_->get_instance_status("graph");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(StoreInstanceStatusTest, DefaultRecordIsAccepted) {
  InstanceStatusRecord rec;
  rec.name = "never-synced";
  ASSERT_TRUE(store_->put_instance_status(rec).ok());
  auto got = store_->get_instance_status("never-synced");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->last_outcome, "");
  EXPECT_EQ((*got)->last_summary_json, "{}");
  EXPECT_EQ((*got)->last_sync_at_ms, 0);
}

TEST_F(StoreInstanceStatusTest, PutReplacesTheWholeRecord) {
  ASSERT_TRUE(store_->put_instance_status(FailedSync("sf-prod")).ok());
  InstanceStatusRecord ok;
  ok.name = "sf-prod";
  ok.last_outcome = "ok";
  ok.last_sync_at_ms = 5000;
  ok.last_success_at_ms = 5000;
  ok.last_summary_json = R"({"records":{"Account":1},"api_calls":2})";
  ok.next_run_at_ms = 6000;
  ok.status_line = "synced 1 record";
  ok.updated_at_ms = 5001;
  ASSERT_TRUE(store_->put_instance_status(ok).ok());

  auto got = store_->get_instance_status("sf-prod");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSame(**got, ok);  // the old error is gone, not merged
  auto all = store_->list_instance_statuses();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(StoreInstanceStatusTest, ListIsSortedByName) {
  for (const char* name : {"sf-prod", "Graph", "a_first", "graph-mail", "zeta"}) {
    ASSERT_TRUE(store_->put_instance_status(FailedSync(name)).ok()) << name;
  }
  auto all = store_->list_instance_statuses();
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (const InstanceStatusRecord& r : *all) names.push_back(r.name);
  // Binary collation, like the other lists: upper case before lower case.
  EXPECT_EQ(names, (std::vector<std::string>{"Graph", "a_first", "graph-mail", "sf-prod", "zeta"}));
  EXPECT_EQ((*all)[3].last_error, FailedSync("x").last_error);
}

TEST_F(StoreInstanceStatusTest, SurvivesReopeningTheFile) {
  const InstanceStatusRecord rec = FailedSync("sf-prod");
  ASSERT_TRUE(store_->put_instance_status(rec).ok());
  store_.reset();

  auto reopened = OpenOrDie(path_);
  ASSERT_NE(reopened, nullptr);
  auto got = reopened->get_instance_status("sf-prod");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSame(**got, rec);
}

TEST_F(StoreInstanceStatusTest, Version1DatabaseIsUpgraded) {
  // Make the file look like one written by a host that knew only schema 1.
  store_.reset();
  RawQuery(path_, "DROP TABLE instance_status");
  RawQuery(path_, "DROP TABLE notifications");
  RawQuery(path_, "ALTER TABLE subjects DROP COLUMN admin_disabled");
  RawQuery(path_, "ALTER TABLE outbox DROP COLUMN attempts");
  RawQuery(path_, "DELETE FROM schema_version WHERE version >= 2");
  ASSERT_EQ(RawQuery(path_, "SELECT MAX(version) FROM schema_version"), "1");

  auto reopened = OpenOrDie(path_);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(RawQuery(path_, "SELECT MAX(version) FROM schema_version"),
            std::to_string(sqlite_store_schema_version()));
  EXPECT_EQ(RawQuery(path_,
                     "SELECT COUNT(*) FROM pragma_table_info('subjects') "
                     "WHERE name = 'admin_disabled'"),
            "1");
  EXPECT_EQ(
      RawQuery(path_, "SELECT COUNT(*) FROM pragma_table_info('outbox') WHERE name = 'attempts'"),
      "1");
  ASSERT_TRUE(reopened->put_instance_status(FailedSync("sf-prod")).ok());
  auto got = reopened->get_instance_status("sf-prod");
  ASSERT_TRUE(got.ok() && got->has_value());
}

TEST_F(StoreInstanceStatusTest, RejectsSummaryThatIsNotJson) {
  for (const char* bad : {"", "{", "records: 3", R"({"a":1,})", "{} {}"}) {
    InstanceStatusRecord rec = FailedSync("sf-prod");
    rec.last_summary_json = bad;
    Status s = store_->put_instance_status(rec);
    ASSERT_FALSE(s.ok()) << "'" << bad << "'";
    EXPECT_EQ(s.error().cls, ErrorClass::kPermanent);
    EXPECT_NE(s.error().message.find("status summary of instance 'sf-prod' is not valid JSON"),
              std::string::npos)
        << s.error().message;
  }
  auto got = store_->get_instance_status("sf-prod");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(StoreInstanceStatusTest, RejectsInvalidName) {
  for (const char* bad : {"", "bad name", "x'; DROP TABLE instance_status; --"}) {
    InstanceStatusRecord rec = FailedSync(bad);
    Status s = store_->put_instance_status(rec);
    ASSERT_FALSE(s.ok()) << "'" << bad << "'";
    EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
    EXPECT_NE(s.error().message.find("instance name"), std::string::npos) << s.error().message;
  }
  EXPECT_FALSE(store_->put_instance_status(FailedSync(std::string(65, 'a'))).ok());
  EXPECT_TRUE(store_->put_instance_status(FailedSync(std::string(64, 'a'))).ok());
  EXPECT_FALSE(store_->delete_instance_status("bad name").ok());
}

TEST_F(StoreInstanceStatusTest, RejectsUnknownOutcome) {
  for (const char* good :
       {"", "ok", "transient", "auth_revoked", "config", "permanent", "cancelled"}) {
    InstanceStatusRecord rec = FailedSync("sf-prod");
    rec.last_outcome = good;
    EXPECT_TRUE(store_->put_instance_status(rec).ok()) << good;
  }
  for (const char* bad : {"OK", "not_found", "conflict", "failed"}) {
    InstanceStatusRecord rec = FailedSync("sf-prod");
    rec.last_outcome = bad;
    Status s = store_->put_instance_status(rec);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
    EXPECT_EQ(s.error().message, std::string("invalid sync outcome '") + bad + "'");
  }
}

TEST_F(StoreInstanceStatusTest, DeleteIsIdempotent) {
  ASSERT_TRUE(store_->put_instance_status(FailedSync("sf-prod")).ok());
  ASSERT_TRUE(store_->put_instance_status(FailedSync("graph")).ok());
  ASSERT_TRUE(store_->delete_instance_status("sf-prod").ok());
  EXPECT_TRUE(store_->delete_instance_status("sf-prod").ok());
  EXPECT_TRUE(store_->delete_instance_status("never-existed").ok());

  auto gone = store_->get_instance_status("sf-prod");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto all = store_->list_instance_statuses();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "graph");
}

}  // namespace
}  // namespace chost::store
