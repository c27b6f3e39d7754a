// The salesforce plugin's sync hook: incremental queryAll with checkpoint + overlap, records
// and checkpoint committed per page, deletes, summary/metrics, and write-back with per-record
// failures kept in the outbox. Scripted HTTP on FakeHost.
#include <gtest/gtest.h>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "salesforce_connector.hpp"
#include "sf_config.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::PluginUnderTest;
using sfplugin::SalesforceConnector;

constexpr const char* kConfig =
    R"({"login_url":"https://login.example.com","client_id":"ck",
        "objects":[{"name":"Account","fields":["Name"]}],"overlap_seconds":300,
        "write_back":true})";

FakeHttpResponse json(std::uint32_t status, std::string body) {
  return FakeHttpResponse{
      CHP_OK, status, {{"Sforce-Limit-Info", "api-usage=42/1000"}}, std::move(body)};
}

std::string soql_of(const std::string& url) {
  std::size_t q = url.find("?q=");
  return q == std::string::npos ? "" : *chp::http::url_decode(url.substr(q + 3));
}

class SyncTest : public ::testing::Test {
 protected:
  SyncTest() {
    host_.set_connection_token(
        R"({"access_token":"AT","instance_url":"https://org.example.com","token_type":"Bearer"})");
  }
  // Scripted Salesforce; the describe each object's read plan starts with is answered here
  // (Account as Salesforce describes it, the fields these tests read) and counted.
  void set_handler(std::function<FakeHttpResponse(const FakeHttpRequest&)> handler) {
    host_.set_http_handler([this, handler = std::move(handler)](const FakeHttpRequest& req) {
      if (req.url.ends_with("/sobjects/Account/describe")) {
        ++describes_;
        return json(200, R"({"name":"Account","fields":[{"name":"Id","type":"id"},
          {"name":"IsDeleted","type":"boolean"},{"name":"Name","type":"string"},
          {"name":"CreatedDate","type":"datetime"},{"name":"LastModifiedDate","type":"datetime"},
          {"name":"SystemModstamp","type":"datetime"}]})");
      }
      return handler(req);
    });
  }
  // From checkpoint 2024-05-01T12:00:00: one sync that reads nothing, its answer dated `date`;
  // the checkpoint it leaves.
  std::optional<std::string> checkpoint_after_an_empty_sync_answered_at(std::string date) {
    host_.seed_state("checkpoint/Account", "2024-05-01T12:00:00.000+0000");
    set_handler([date](const FakeHttpRequest&) {
      FakeHttpResponse r = json(200, R"({"totalSize":0,"done":true,"records":[]})");
      r.headers.emplace_back("Date", date);
      return r;
    });
    EXPECT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
    EXPECT_TRUE(plugin_.sync("{}").ok());
    return host_.state_value("checkpoint/Account");
  }
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<SalesforceConnector>(), host_};
  int describes_ = 0;
};

TEST_F(SyncTest, MirrorsPagesWithCheckpointAndDeletes) {
  set_handler([](const FakeHttpRequest& req) {
    if (req.url.find("/queryAll/next") != std::string::npos) {
      return json(200, R"({"totalSize":3,"done":true,"records":[
        {"attributes":{"type":"Account"},"Id":"003","Name":"C","IsDeleted":true,
         "SystemModstamp":"2024-05-02T00:00:00.000+0000"}]})");
    }
    EXPECT_EQ(soql_of(req.url),
              "SELECT Id, SystemModstamp, IsDeleted, Name FROM Account "
              "ORDER BY SystemModstamp ASC, Id ASC");
    return json(200, R"({"totalSize":3,"done":false,
      "nextRecordsUrl":"/services/data/v59.0/queryAll/next","records":[
        {"attributes":{"type":"Account"},"Id":"001","Name":"A","IsDeleted":false,
         "SystemModstamp":"2024-05-01T00:00:00.000+0000"},
        {"attributes":{"type":"Account"},"Id":"002","Name":"B","IsDeleted":false,
         "SystemModstamp":"2024-05-01T10:00:00.000+0000"}]})");
  });
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;

  auto records = host_.records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_FALSE((records.at({"Account", "001"}).deleted));
  EXPECT_TRUE((records.at({"Account", "003"}).deleted));
  EXPECT_EQ((records.at({"Account", "001"}).json.find("attributes")), std::string::npos);
  EXPECT_EQ(host_.state_value("checkpoint/Account"), "2024-05-02T00:00:00.000+0000");
  // One per page (records + checkpoint together), then one for the reconcile start point and
  // the typed view's columns.
  EXPECT_EQ(host_.commits(), 3u);

  auto summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("objects").at("Account").at("upserted").as_int64(), 2);
  EXPECT_EQ(summary.at("objects").at("Account").at("deleted").as_int64(), 1);
  // describe (the read plan, then kept in the state with the first page) and two pages
  EXPECT_EQ(summary.at("api_calls").as_int64(), 3);
  EXPECT_EQ(describes_, 1);
  EXPECT_TRUE(host_.state_value("plan/Account"));
  EXPECT_EQ(summary.at("api_usage").at("used").as_int64(), 42);
  EXPECT_EQ(host_.metrics()["records_synced_total"], 3.0);
  EXPECT_EQ(host_.metrics()["api_calls_total"], 3.0);
  // The status line a CLI shows live: the object, records of totalSize, the rate, API calls.
  bool progress = false;
  for (const std::string& line : host_.statuses()) {
    if (line.starts_with("Account: 3 of 3 records read, 3 changed, ") &&
        line.ends_with(" records/s, 3 API call(s)")) {
      progress = true;
    }
  }
  EXPECT_TRUE(progress);
}

TEST_F(SyncTest, NextRunQueriesFromCheckpointMinusOverlapAndDedupsById) {
  host_.seed_state("checkpoint/Account", "2024-05-01T12:00:00.000+0000");
  set_handler([](const FakeHttpRequest& req) {
    EXPECT_EQ(soql_of(req.url),
              "SELECT Id, SystemModstamp, IsDeleted, Name FROM Account WHERE SystemModstamp >= "
              "2024-05-01T11:55:00Z ORDER BY SystemModstamp ASC, Id ASC");
    // A record from inside the overlap window, seen before: upserted again, not duplicated.
    return json(200, R"({"totalSize":1,"done":true,"records":[
        {"Id":"001","Name":"A2","IsDeleted":false,"SystemModstamp":"2024-05-01T11:58:00.000+0000"}]})");
  });
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(host_.records().size(), 1u);
  // The overlap never moves the checkpoint backwards.
  EXPECT_EQ(host_.state_value("checkpoint/Account"), "2024-05-01T12:00:00.000+0000");
}

// The finished run's checkpoint is the server's clock when the query was answered (page 0's
// Date), not the newest record: the next run's overlap is relative to when this one looked.
TEST_F(SyncTest, AFinishedRunCheckpointsTheServerTimeAndRereadsCountAsUnchanged) {
  std::vector<std::string> soqls;
  std::string date = "Wed, 01 May 2024 13:00:00 GMT";
  set_handler([&](const FakeHttpRequest& req) {
    soqls.push_back(soql_of(req.url));
    FakeHttpResponse r = json(200, R"({"totalSize":2,"done":true,"records":[
        {"Id":"001","Name":"A","IsDeleted":false,"SystemModstamp":"2024-05-01T10:00:00.000+0000"},
        {"Id":"002","Name":"B","IsDeleted":true,"SystemModstamp":"2024-05-01T12:59:00.000+0000"}]})");
    r.headers.emplace_back("Date", date);
    return r;
  });
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  auto first = plugin_.sync("{}");
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_EQ(host_.state_value("checkpoint/Account"), "2024-05-01T13:00:00Z");
  auto summary = boost::json::parse(first.output).at("objects").at("Account");
  EXPECT_EQ(summary.at("upserted").as_int64(), 1);
  EXPECT_EQ(summary.at("deleted").as_int64(), 1);
  EXPECT_EQ(summary.at("unchanged").as_int64(), 0);

  // The same two records again (the overlap): nothing is written, nothing counted as changed,
  // and the checkpoint moves to this run's server time.
  date = "Wed, 01 May 2024 13:15:00 GMT";
  std::size_t commits = host_.commits();
  auto second = plugin_.sync("{}");
  ASSERT_TRUE(second.ok()) << second.error;
  ASSERT_EQ(soqls.size(), 2u);
  EXPECT_NE(soqls[1].find("WHERE SystemModstamp >= 2024-05-01T12:55:00Z"), std::string::npos)
      << soqls[1];
  summary = boost::json::parse(second.output).at("objects").at("Account");
  EXPECT_EQ(summary.at("upserted").as_int64(), 0);
  EXPECT_EQ(summary.at("deleted").as_int64(), 0);
  EXPECT_EQ(summary.at("unchanged").as_int64(), 2);
  EXPECT_EQ(host_.commits(), commits + 1);  // the checkpoint only
  EXPECT_EQ(host_.state_value("checkpoint/Account"), "2024-05-01T13:15:00Z");
  EXPECT_EQ(host_.metrics()["records_synced_total"], 2.0);  // the first run's two only
}

// No record at all still advances the checkpoint to the server time, so the overlap does not
// keep re-reading the same late records run after run.
TEST_F(SyncTest, AnEmptyIncrementalAdvancesTheCheckpointToTheServerTime) {
  EXPECT_EQ(checkpoint_after_an_empty_sync_answered_at("Wed, 01 May 2024 14:00:00 GMT"),
            "2024-05-01T14:00:00Z");
}

// A server clock behind the checkpoint (skew) never moves it backwards.
TEST_F(SyncTest, AServerTimeBeforeTheCheckpointLeavesItAlone) {
  EXPECT_EQ(checkpoint_after_an_empty_sync_answered_at("Wed, 01 May 2024 11:00:00 GMT"),
            "2024-05-01T12:00:00.000+0000");
}

// A saved plan that Salesforce refuses (a field deleted since) is described again once, and
// the object is read with what it has now; the missing field is reported.
TEST_F(SyncTest, ASavedPlanThatSalesforceRefusesIsDescribedAgain) {
  host_.seed_state("checkpoint/Account", "2024-05-01T12:00:00.000+0000");
  ASSERT_TRUE(
      plugin_
          .create(sfplugin::sf_config(R"({"login_url":"https://login.example.com","client_id":"ck",
        "objects":[{"name":"Account","fields":["Name","Region__c"]}],"overlap_seconds":300})"))
          .ok());
  bool region_exists = true;
  std::vector<std::string> soqls;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    if (req.url.ends_with("/describe")) {
      ++describes_;
      return json(200, std::string(R"({"fields":[{"name":"Id"},{"name":"IsDeleted"},)") +
                           (region_exists ? R"({"name":"Region__c"},)" : "") +
                           R"({"name":"Name"},{"name":"SystemModstamp"}]})");
    }
    soqls.push_back(soql_of(req.url));
    if (!region_exists && soqls.back().find("Region__c") != std::string::npos) {
      return json(400, R"([{"message":"No such column 'Region__c' on entity 'Account'.",
                            "errorCode":"INVALID_FIELD"}])");
    }
    return json(200, R"({"totalSize":0,"done":true,"records":[]})");
  });
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(describes_, 1);
  region_exists = false;  // an admin deleted the field at Salesforce
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(describes_, 2);
  ASSERT_EQ(soqls.size(), 3u);
  EXPECT_EQ(soqls[2].find("Region__c"), std::string::npos) << soqls[2];
  EXPECT_EQ(boost::json::parse(r.output).at("objects").at("Account").at("missing_fields"),
            boost::json::array{"Region__c"});
}

TEST_F(SyncTest, FailureOnSecondPageKeepsFirstPageAndItsCheckpoint) {
  set_handler([](const FakeHttpRequest& req) {
    if (req.url.find("/queryAll/next") != std::string::npos) {
      return json(503, R"([{"message":"down","errorCode":"SERVER_UNAVAILABLE"}])");
    }
    return json(
        200, R"({"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v59.0/queryAll/next",
      "records":[{"Id":"001","IsDeleted":false,"SystemModstamp":"2024-05-01T00:00:00.000+0000"}]})");
  });
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_TRANSIENT));
  EXPECT_EQ(host_.records().size(), 1u);
  EXPECT_EQ(host_.state_value("checkpoint/Account"), "2024-05-01T00:00:00.000+0000");
  EXPECT_EQ(host_.open_transactions(), 0u);
}

TEST_F(SyncTest, WriteBackPushesInChunksAndParksPerRecordFailures) {
  std::vector<std::size_t> chunk_sizes;
  set_handler([&](const FakeHttpRequest& req) {
    if (req.method == "GET") return json(200, R"({"totalSize":0,"done":true,"records":[]})");
    boost::json::object body = boost::json::parse(req.body).as_object();
    boost::json::array results;
    for (const auto& rec : body.at("records").as_array()) {
      EXPECT_FALSE(rec.as_object().contains("SystemModstamp"));
      std::string id(rec.at("Id").as_string());
      if (id == "ID5") {
        results.push_back(boost::json::parse(
            R"({"success":false,"errors":[{"statusCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]})"));
      } else {
        results.push_back(
            boost::json::object{{"id", id}, {"success", true}, {"errors", boost::json::array{}}});
      }
    }
    chunk_sizes.push_back(results.size());
    return json(200, boost::json::serialize(results));
  });
  std::int64_t failing_entry = 0;
  for (int i = 0; i < 250; ++i) {
    std::int64_t e = host_.seed_outbox("Account", "ID" + std::to_string(i),
                                       R"({"Name":"n","SystemModstamp":"x"})");
    if (i == 5) failing_entry = e;
  }
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(chunk_sizes, (std::vector<std::size_t>{200, 50}));
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->first, failing_entry);
  EXPECT_EQ(outbox.begin()->second.error, "Account: ENTITY_IS_DELETED: entity is deleted");
  auto summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("write_back").at("pushed").as_int64(), 249);
  EXPECT_EQ(summary.at("write_back").at("failed").as_int64(), 1);
}

TEST_F(SyncTest, WriteBackCallFailureLeavesEntriesPending) {
  set_handler([](const FakeHttpRequest& req) {
    if (req.method == "GET") return json(200, R"({"totalSize":0,"done":true,"records":[]})");
    return json(500, R"([{"message":"oops","errorCode":"UNKNOWN_EXCEPTION"}])");
  });
  host_.seed_outbox("Account", "", R"({"Name":"new"})");
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_TRANSIENT));
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_TRUE(outbox.begin()->second.error.empty());
}

TEST_F(SyncTest, NotConnectedIsAuthRevoked) {
  host_.set_connection_token(std::nullopt);
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kConfig)).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED));
  EXPECT_TRUE(host_.http_requests().empty());
}

}  // namespace
