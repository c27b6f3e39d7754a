// The salesforce plugin's Bulk API 2.0 full load (plugins/salesforce/src/bulk_query.cpp)
// against the local Salesforce peer: large full loads go through a query job and mirror the
// very records a REST load gives; incrementals stay on REST; a failure between result sets
// resumes at the saved locator with the same job; an expired job restarts cleanly.
#include <chpeer/salesforce/sf_peer.h>
#include <gtest/gtest.h>
#include <connector_host/sdk/salesforce/bulk_query.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "peer_transport.hpp"
#include "salesforce_connector.hpp"
#include "sf_config.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::HookResult;
using chp::testing::PluginUnderTest;
using sfplugin::SalesforceConnector;
using sfplugin::testing::peer_request;

TEST(CsvTest, QuotesNullsDelimitersAndLineBreaks) {
  auto rows = chp::salesforce::parse_csv(
      "\"Id\",\"Name\",\"N\"\n\"1\",\"a \"\"b\"\", c\",\n"
      "\"2\",\"two\nlines\",\"\"\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], std::optional<std::string>("a \"b\", c"));
  EXPECT_EQ(rows[1][2], std::nullopt);  // unquoted empty: null
  EXPECT_EQ(rows[2][1], std::optional<std::string>("two\nlines"));
  EXPECT_EQ(rows[2][2], std::optional<std::string>(""));
  EXPECT_THROW(chp::salesforce::parse_csv("\"open\n"), chp::PermanentError);
  EXPECT_THROW(chp::salesforce::parse_csv("\"a\"b\n"), chp::PermanentError);
}

class BulkLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chpeer::sf::SalesforcePeerOptions options;
    options.seed_path = SF_PEER_DEMO_SEED;
    std::string error;
    peer_ = chpeer::sf::SalesforcePeer::Start(options, &error);
    ASSERT_TRUE(peer_) << error;
    control("POST", "generate",
            R"({"sobject":"Account","count":4500,"fields":{"Name":"Acct \"{n}\", Ltd",
                "Industry":"Energy","AnnualRevenue":1234.5,"NumberOfEmployees":12}})");
    // One soft-deleted row: a full load mirrors it as deleted (queryAll), REST or Bulk.
    control("POST", "clock/advance", R"({"seconds":5})");
    std::string token = service_token();
    auto del = peer_request(
        "DELETE", peer_->base_url() + "/services/data/v59.0/sobjects/Account/0015g00000GLOBX",
        {{"Authorization", "Bearer " + token}}, "");
    ASSERT_EQ(del.status, 204);
    // Fail the n-th request whose URL contains `fail_on_` (0: never), once.
    host_.set_http_handler([this](const chp::testing::FakeHttpRequest& req) {
      if (!fail_on_.empty() && req.url.find(fail_on_) != std::string::npos && ++seen_ == fail_at_) {
        return chp::testing::FakeHttpResponse{CHP_ERR_TRANSIENT, 0, {}, {}};
      }
      auto r = peer_request(req.method, req.url, req.headers, req.body);
      if (r.status == 0) return chp::testing::FakeHttpResponse{CHP_ERR_TRANSIENT, 0, {}, {}};
      return chp::testing::FakeHttpResponse{CHP_OK, static_cast<std::uint32_t>(r.status),
                                            std::move(r.headers), std::move(r.body)};
    });
    set_token(host_, token);
  }

  void set_token(FakeHost& host, const std::string& token) {
    host.set_connection_token(R"({"access_token":")" + token + R"(","instance_url":")" +
                              peer_->base_url() + R"(","token_type":"Bearer"})");
  }

  std::string service_token() {
    auto r = peer_request("POST", peer_->base_url() + "/services/oauth2/token",
                          {{"Content-Type", "application/x-www-form-urlencoded"}},
                          "grant_type=client_credentials&client_id=demo-consumer-key&"
                          "client_secret=demo-consumer-secret");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(boost::json::parse(r.body).at("access_token").as_string());
  }

  std::string config(int bulk_threshold_records = 2000) const {
    return R"({"login_url":")" + peer_->base_url() +
           R"(","client_id":"demo-consumer-key",
              "objects":[{"name":"Account","fields":["Name","Industry","AnnualRevenue",
                                                     "NumberOfEmployees","CreatedDate"]}],
              "bulk_page_records":1000,"bulk_threshold_records":)" +
           std::to_string(bulk_threshold_records) + "}";
  }

  boost::json::value control(const std::string& method, const std::string& path,
                             const std::string& body = "{}") {
    auto r = peer_request(method, peer_->base_url() + "/__peer/" + path,
                          {{"Content-Type", "application/json"}}, body);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body.empty() ? boost::json::value() : boost::json::parse(r.body);
  }
  std::int64_t path_count(const std::string& prefix) {
    std::int64_t n = 0;
    boost::json::value counters = control("GET", "counters");
    for (const auto& [path, count] : counters.at("paths").as_object()) {
      if (path.starts_with(prefix)) n += count.as_int64();
    }
    return n;
  }

  std::unique_ptr<chpeer::sf::SalesforcePeer> peer_;
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<SalesforceConnector>(), host_};
  std::string fail_on_;
  int fail_at_ = 0;
  std::atomic<int> seen_{0};
};

TEST_F(BulkLoadTest, AFullLoadAboveTheThresholdUsesBulkAndMirrorsWhatRestWould) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config())).ok());
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output).at("objects").at("Account");
  EXPECT_EQ(summary.at("mode").as_string(), "bulk");
  EXPECT_EQ(summary.at("upserted").as_int64(), 4501);
  EXPECT_EQ(summary.at("deleted").as_int64(), 1);
  EXPECT_EQ(summary.at("bulk_result_sets").as_int64(), 5);              // 4,502 rows, 1,000 per set
  EXPECT_EQ(path_count("/services/data/v59.0/jobs/query"), 1 + 2 + 5);  // create, 2 polls, sets
  EXPECT_EQ(path_count("/services/data/v59.0/queryAll"), 1);  // the page that told the size
  // The job id, one per result set, then the reconcile start point with the view's columns.
  EXPECT_EQ(host_.commits(), 1u + 5u + 1u);
  EXPECT_FALSE(host_.state_value("bulk/Account"));
  ASSERT_TRUE(host_.state_value("checkpoint/Account"));

  // The same org through REST pages only: every mirrored record is byte-identical.
  FakeHost rest_host;
  sfplugin::testing::forward_http_to_network(rest_host);
  set_token(rest_host, service_token());
  PluginUnderTest rest_plugin{chp::testing::descriptor_for_test<SalesforceConnector>(), rest_host};
  ASSERT_TRUE(rest_plugin.create(sfplugin::sf_config(config(0))).ok());
  HookResult rest = rest_plugin.sync("{}");
  ASSERT_TRUE(rest.ok()) << rest.error;
  EXPECT_FALSE(
      boost::json::parse(rest.output).at("objects").at("Account").as_object().contains("mode"));
  auto bulk_records = host_.records();
  auto rest_records = rest_host.records();
  ASSERT_EQ(bulk_records.size(), rest_records.size());
  for (const auto& [key, rec] : rest_records) {
    ASSERT_TRUE(bulk_records.count(key)) << key.second;
    EXPECT_EQ(boost::json::parse(bulk_records.at(key).json), boost::json::parse(rec.json))
        << key.second;
    EXPECT_EQ(bulk_records.at(key).deleted, rec.deleted);
  }

  // The next run is an incremental: REST, from the job's snapshot time.
  control("POST", "clock/advance", R"({"seconds":60})");
  auto upd = peer_request(
      "PATCH", peer_->base_url() + "/services/data/v59.0/sobjects/Account/0015g00000ACME1",
      {{"Authorization", "Bearer " + service_token()}, {"Content-Type", "application/json"}},
      R"({"Industry":"Banking"})");
  ASSERT_EQ(upd.status, 204) << upd.body;
  std::int64_t jobs_before = path_count("/services/data/v59.0/jobs/query");
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(path_count("/services/data/v59.0/jobs/query"), jobs_before);
  EXPECT_FALSE(
      boost::json::parse(r.output).at("objects").at("Account").as_object().contains("mode"));
  std::string industry;
  for (const auto& [key, rec] : host_.records()) {
    if (key.second.starts_with("0015g00000ACME1")) {
      industry = boost::json::parse(rec.json).at("Industry").as_string();
    }
  }
  EXPECT_EQ(industry, "Banking");
}

TEST_F(BulkLoadTest, AFailureBetweenResultSetsResumesAtTheSavedLocatorOfTheSameJob) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config())).ok());
  fail_on_ = "/results";
  fail_at_ = 3;  // the third result set
  HookResult first = plugin_.sync("{}");
  EXPECT_EQ(first.status, static_cast<chp_status_code>(CHP_ERR_TRANSIENT)) << first.error;
  EXPECT_EQ(host_.records().size(), 2000u);  // two sets committed
  auto saved = boost::json::parse(*host_.state_value("bulk/Account"));
  EXPECT_FALSE(saved.at("locator").as_string().empty());
  EXPECT_FALSE(host_.state_value("checkpoint/Account"));  // not an incremental yet

  HookResult second = plugin_.sync("{}");
  ASSERT_TRUE(second.ok()) << second.error;
  auto summary = boost::json::parse(second.output).at("objects").at("Account");
  EXPECT_EQ(summary.at("bulk_job"), saved.at("job"));  // no second job
  EXPECT_EQ(summary.at("bulk_result_sets").as_int64(), 3);
  EXPECT_EQ(host_.records().size(), 4502u);
  EXPECT_EQ(control("GET", "counters").at("bulk_jobs").as_int64(), 1);
  EXPECT_FALSE(host_.state_value("bulk/Account"));
}

TEST_F(BulkLoadTest, AJobThatExpiredMeanwhileRestartsCleanly) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config())).ok());
  fail_on_ = "/results";
  fail_at_ = 2;
  ASSERT_FALSE(plugin_.sync("{}").ok());
  std::string old_job(boost::json::parse(*host_.state_value("bulk/Account")).at("job").as_string());
  // A week later Salesforce has deleted the job (and the session is long expired).
  control("POST", "clock/advance", R"({"seconds":604800})");
  set_token(host_, service_token());
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output).at("objects").at("Account");
  EXPECT_NE(summary.at("bulk_job").as_string(), old_job);
  EXPECT_EQ(summary.at("bulk_result_sets").as_int64(), 5);  // all of it, again
  EXPECT_EQ(host_.records().size(), 4502u);                 // upserted by Id: no duplicates
  EXPECT_FALSE(host_.state_value("bulk/Account"));
  EXPECT_TRUE(host_.state_value("checkpoint/Account"));
}

}  // namespace
