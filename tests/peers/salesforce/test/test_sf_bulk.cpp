// Bulk API 2.0 query jobs of the peer: create, poll through the states, CSV result sets with
// Sforce-Locator / Sforce-NumberOfRecords and maxRecords, queryAll, abort/delete, the API
// version rule, and jobs that are gone after 7 days.
#include <regex>

#include "sf_test_client.h"
#include "sf_util.h"

namespace chpeer::sf::testing {
namespace {

namespace json = boost::json;

class SfBulkTest : public SfPeerTest {
 protected:
  void SetUp() override {
    SfPeerTest::SetUp();
    token_ = ServiceToken();
  }
  HttpResult Send(const std::string& method, const std::string& path, const json::value& body) {
    return client_->SendJson(method, std::string(kApi) + path, body, token_);
  }
  HttpResult Get(const std::string& path) { return client_->Get(std::string(kApi) + path, token_); }
  std::string CreateJob(const std::string& soql, const std::string& operation = "query") {
    HttpResult r =
        Send("POST", "/jobs/query", json::object{{"operation", operation}, {"query", soql}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json().at("state").as_string(), "UploadComplete");
    return std::string(r.Json().at("id").as_string());
  }
  // Polls until JobComplete (bounded); returns the number of polls.
  int WaitComplete(const std::string& id) {
    for (int polls = 1; polls <= 10; ++polls) {
      std::string state(Get("/jobs/query/" + id).Json().at("state").as_string());
      if (state == "JobComplete") return polls;
      EXPECT_EQ(state, "InProgress");
    }
    ADD_FAILURE() << "job never completed";
    return -1;
  }
  std::string token_;
};

TEST_F(SfBulkTest, AJobGoesThroughItsStatesAndPagesCsvWithLocators) {
  client_->Control(
      "POST", "generate",
      json::object{{"sobject", "Account"},
                   {"count", 25},
                   {"fields", {{"Name", "Bulk \"{n}\", Inc"}, {"Industry", "Energy"}}}});
  client_->Control("POST", "bulk", json::object{{"polls_to_complete", 2}});
  std::string id = CreateJob("SELECT Id, Name, AnnualRevenue, SystemModstamp FROM Account");
  EXPECT_EQ(id.substr(0, 3), "750");
  HttpResult early = Get("/jobs/query/" + id + "/results");
  EXPECT_EQ(early.status, 412);
  EXPECT_EQ(early.Json().at(0).at("errorCode").as_string(), "JOB_NOT_COMPLETE");
  EXPECT_EQ(WaitComplete(id), 3);  // InProgress twice, then JobComplete
  json::value info = Get("/jobs/query/" + id).Json();
  EXPECT_EQ(info.at("numberRecordsProcessed").as_int64(), 27);
  EXPECT_EQ(info.at("object").as_string(), "Account");
  EXPECT_EQ(info.at("jobType").as_string(), "V2Query");
  EXPECT_EQ(info.at("apiVersion").as_double(), 59.0);

  std::size_t rows = 0;
  std::string locator;
  int sets = 0;
  for (; sets < 10; ++sets) {
    std::string path = "/jobs/query/" + id + "/results?maxRecords=10";
    if (!locator.empty()) path += "&locator=" + locator;
    HttpResult set = Get(path);
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(set.headers.at("content-type"), "text/csv");
    // Each set is a whole CSV document with its header row.
    EXPECT_TRUE(set.body.starts_with("\"Id\",\"Name\",\"AnnualRevenue\",\"SystemModstamp\"\n"))
        << set.body;
    std::size_t lines =
        static_cast<std::size_t>(std::count(set.body.begin(), set.body.end(), '\n'));
    std::size_t n = std::stoul(set.headers.at("sforce-numberofrecords"));
    EXPECT_EQ(lines, n + 1);
    rows += n;
    locator = set.headers.at("sforce-locator");
    if (locator == "null") break;
  }
  EXPECT_EQ(sets, 2);  // 10 + 10 + 7
  EXPECT_EQ(rows, 27u);

  HttpResult first = Get("/jobs/query/" + id + "/results?maxRecords=30");
  // Quotes doubled, null empty and unquoted, datetimes in UTC with Z.
  EXPECT_NE(first.body.find("\"Bulk \"\"1\"\", Inc\",,\""), std::string::npos) << first.body;
  EXPECT_NE(first.body.find("\"Acme Corp\",\"1250000\",\""), std::string::npos) << first.body;
  EXPECT_TRUE(std::regex_search(first.body, std::regex(R"(\.\d{3}Z"\n)"))) << first.body;
  EXPECT_EQ(first.body.find("+0000"), std::string::npos);
  EXPECT_EQ(first.headers.at("sforce-locator"), "null");
}

TEST_F(SfBulkTest, QueryAllIncludesDeletedRowsAndResultsNeedTheJobsApiVersion) {
  std::string path = std::string(kApi) + "/sobjects/Account/0015g00000GLOBX";
  ASSERT_EQ(client_->Request("DELETE", path, "", {"Authorization: Bearer " + token_}).status, 204);
  std::string live = CreateJob("SELECT Id FROM Account");
  std::string all = CreateJob("SELECT Id, IsDeleted FROM Account", "queryAll");
  WaitComplete(live);
  WaitComplete(all);
  EXPECT_EQ(Get("/jobs/query/" + live + "/results").headers.at("sforce-numberofrecords"), "1");
  HttpResult with_deleted = Get("/jobs/query/" + all + "/results");
  EXPECT_EQ(with_deleted.headers.at("sforce-numberofrecords"), "2");
  EXPECT_NE(with_deleted.body.find("\"true\""), std::string::npos);
  HttpResult other_version =
      client_->Get("/services/data/v60.0/jobs/query/" + all + "/results", token_);
  EXPECT_EQ(other_version.status, 409);
}

TEST_F(SfBulkTest, BadQueriesAbortDeleteListAndSevenDayExpiry) {
  HttpResult bad =
      Send("POST", "/jobs/query",
           json::object{{"operation", "query"}, {"query", "SELECT Nope FROM Account"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json().at(0).at("errorCode").as_string(), "INVALID_FIELD");

  client_->Control("POST", "bulk", json::object{{"polls_to_complete", 5}});
  std::string running = CreateJob("SELECT Id FROM Account");
  HttpResult aborted = Send("PATCH", "/jobs/query/" + running, json::object{{"state", "Aborted"}});
  ASSERT_EQ(aborted.status, 200) << aborted.body;
  EXPECT_EQ(aborted.Json().at("state").as_string(), "Aborted");
  EXPECT_EQ(client_
                ->Request("DELETE", std::string(kApi) + "/jobs/query/" + running, "",
                          {"Authorization: Bearer " + token_})
                .status,
            204);
  EXPECT_EQ(Get("/jobs/query/" + running).status, 404);

  std::string kept = CreateJob("SELECT Id FROM Account");
  json::value list = Get("/jobs/query").Json();
  ASSERT_EQ(list.at("records").as_array().size(), 1u);
  EXPECT_EQ(list.at("records").at(0).at("id").as_string(), kept);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 7 * 24 * 3600}});
  token_ = ServiceToken();  // the session expired too
  HttpResult expired = Get("/jobs/query/" + kept + "/results");
  EXPECT_EQ(expired.status, 404);
  EXPECT_EQ(expired.Json().at(0).at("errorCode").as_string(), "NOT_FOUND");
}

}  // namespace
}  // namespace chpeer::sf::testing
