// chp::salesforce::Client against FakeHost with scripted HTTP: pagination through
// nextRecordsUrl, Collections chunking by 200 with per-record results, the API-usage
// threshold, 401 → refresh → retry once, and REST error classification.
#include <gtest/gtest.h>
#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/testing/fake_call.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <string>
#include <vector>

namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;

constexpr const char* kToken =
    R"({"access_token":"AT1","instance_url":"https://org.example.com","token_type":"Bearer"})";

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() { host_.set_connection_token(kToken); }
  chp::salesforce::Client client(chp::salesforce::ClientOptions opts = {}) {
    return chp::salesforce::Client(ctx_, call_, chp::salesforce::host_token_source(ctx_, call_),
                                   opts);
  }
  static FakeHttpResponse json(std::uint32_t status, std::string body,
                               std::string usage = "api-usage=10/1000") {
    return FakeHttpResponse{CHP_OK, status, {{"Sforce-Limit-Info", usage}}, std::move(body)};
  }

  FakeHost host_;
  FakeCall fake_call_;
  chp::Context ctx_{FakeHost::table(), host_.ctx()};
  chp::Call call_{FakeHost::table(), fake_call_.get()};
};

std::string page_json(int first, int count, int total, const std::string& next) {
  boost::json::array records;
  for (int i = first; i < first + count; ++i) {
    records.push_back(boost::json::object{{"attributes", boost::json::object{{"type", "Account"}}},
                                          {"Id", std::to_string(i)}});
  }
  boost::json::object o{{"totalSize", total}, {"done", next.empty()}, {"records", records}};
  if (!next.empty()) o["nextRecordsUrl"] = next;
  return boost::json::serialize(o);
}

TEST_F(ClientTest, QueryFollowsNextRecordsUrlPageByPage) {
  host_.set_http_handler([](const FakeHttpRequest& req) {
    if (req.url.find("/query/cur-2") != std::string::npos) return json(200, page_json(4, 2, 6, ""));
    if (req.url.find("/query/cur-1") != std::string::npos) {
      return json(200, page_json(2, 2, 6, "/services/data/v59.0/query/cur-2"));
    }
    return json(200, page_json(0, 2, 6, "/services/data/v59.0/query/cur-1"));
  });
  auto c = client({.api_version = "59.0", .page_size_records = 500});
  std::vector<std::size_t> page_sizes;
  std::vector<std::string> ids;
  c.query("SELECT Id FROM Account", [&](chp::salesforce::QueryPage& page) {
    page_sizes.push_back(page.records.size());
    EXPECT_EQ(page.total_size, 6);
    for (auto& r : page.records) ids.emplace_back(r.at("Id").as_string());
  });
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{2, 2, 2}));
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  auto reqs = host_.http_requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].url,
            "https://org.example.com/services/data/v59.0/query?q=SELECT%20Id%20FROM%20Account");
  EXPECT_EQ(reqs[1].url, "https://org.example.com/services/data/v59.0/query/cur-1");
  bool saw_batch = false, saw_auth = false;
  for (const auto& [k, v] : reqs[0].headers) {
    if (k == "Sforce-Query-Options") saw_batch = v == "batchSize=500";
    if (k == "Authorization") saw_auth = v == "Bearer AT1";
  }
  EXPECT_TRUE(saw_batch);
  EXPECT_TRUE(saw_auth);
  EXPECT_EQ(c.api_calls(), 3u);
}

TEST_F(ClientTest, QueryAllUsesQueryAllResourceAndStopsWhenCancelled) {
  int calls = 0;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    ++calls;
    EXPECT_NE(req.url.find("/queryAll"), std::string::npos);
    return json(200,
                page_json(0, 1, 100, "/services/data/v59.0/queryAll/c-" + std::to_string(calls)));
  });
  auto c = client();
  fake_call_.cancel(4);  // two checks per page (loop + transport): two pages get through
  EXPECT_THROW(c.query_all("SELECT Id FROM Account", [](chp::salesforce::QueryPage&) {}),
               chp::CancelledError);
  EXPECT_EQ(calls, 2);
}

TEST_F(ClientTest, CompositeUpdateChunksBy200WithPerRecordResults) {
  std::vector<std::size_t> chunk_sizes;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    EXPECT_EQ(req.method, "PATCH");
    EXPECT_EQ(req.url, "https://org.example.com/services/data/v59.0/composite/sobjects");
    EXPECT_EQ(req.flags & CHP_HTTP_NO_RETRY, CHP_HTTP_NO_RETRY);
    boost::json::object body = boost::json::parse(req.body).as_object();
    EXPECT_FALSE(body.at("allOrNone").as_bool());
    boost::json::array results;
    for (const auto& r : body.at("records").as_array()) {
      EXPECT_EQ(r.at("attributes").at("type").as_string(), "Account");
      std::string id(r.at("Id").as_string());
      if (id == "7") {
        results.push_back(boost::json::parse(
            R"({"success":false,"errors":[{"statusCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "message":"Name is bad","fields":["Name"]}]})"));
      } else {
        results.push_back(
            boost::json::object{{"id", id}, {"success", true}, {"errors", boost::json::array{}}});
      }
    }
    chunk_sizes.push_back(results.size());
    return json(200, boost::json::serialize(results));
  });
  boost::json::array records;
  for (int i = 0; i < 450; ++i) records.push_back(boost::json::object{{"Id", std::to_string(i)}});
  auto results = client().composite_update("Account", records, false);
  EXPECT_EQ(chunk_sizes, (std::vector<std::size_t>{200, 200, 50}));
  ASSERT_EQ(results.size(), 450u);
  EXPECT_TRUE(results[0].success);
  EXPECT_EQ(results[449].id, "449");
  EXPECT_FALSE(results[7].success);
  EXPECT_EQ(results[7].error_text(),
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: Name is bad (fields: Name)");
}

TEST_F(ClientTest, CompositeUpsertTargetsExternalIdField) {
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    EXPECT_EQ(req.url,
              "https://org.example.com/services/data/v59.0/composite/sobjects/Account/Ext__c");
    return json(200, R"([{"id":"001","success":true,"created":true,"errors":[]}])");
  });
  boost::json::array records{boost::json::object{{"Ext__c", "E-1"}, {"Name", "n"}}};
  auto results = client().composite_upsert("Account", "Ext__c", records, true);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].created);
}

TEST_F(ClientTest, ApiUsageThresholdStopsBeforeQuotaIsGone) {
  int calls = 0;
  host_.set_http_handler([&](const FakeHttpRequest&) {
    ++calls;
    return json(200, page_json(0, 1, 10, "/services/data/v59.0/query/next"),
                "api-usage=" + std::to_string(88 + calls) + "/100");
  });
  auto c = client({.api_usage_threshold_percent = 90.0});
  try {
    c.query("SELECT Id FROM Account", [](chp::salesforce::QueryPage&) {});
    FAIL() << "no throw";
  } catch (const chp::TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("API quota threshold reached: 90/100"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(calls, 2);  // 89/100 then 90/100; the third call is never made
  EXPECT_EQ(c.usage().last()->used_calls, 90);
}

TEST(LimitInfo, ParsesApiUsageEntryOnly) {
  auto u =
      chp::salesforce::parse_limit_info("per-app-api-usage=2/250(appName=x), api-usage=18/5000");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->used_calls, 18);
  EXPECT_EQ(u->max_calls, 5000);
  EXPECT_FALSE(chp::salesforce::parse_limit_info("per-app-api-usage=2/250"));
  EXPECT_FALSE(chp::salesforce::parse_limit_info("api-usage=x/5"));
}

// Found by the sdk_json fuzzer: usage far beyond the maximum made the quota message convert a
// percentage of about 1.5e20 to int64 (undefined behaviour; a negative number in practice).
TEST(LimitInfo, UsageFarBeyondTheMaximumIsReportedAsItIs) {
  chp::salesforce::ApiUsageGuard guard(90.0);
  chp::http::Response resp;
  resp.status = 200;
  resp.headers.emplace_back("Sforce-Limit-Info", "api-usage=7522222222222222828/5");
  guard.observe(resp);
  ASSERT_TRUE(guard.last());
  EXPECT_EQ(guard.last()->used_calls, 7522222222222222828);
  try {
    guard.check_before_call();
    FAIL() << "no throw";
  } catch (const chp::TransientError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("7522222222222222828/5 daily API calls used (150444444444444"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("%, threshold 90.0%)"), std::string::npos) << message;
  }
}

TEST_F(ClientTest, Unauthorized401RefreshesOnceAndRetries) {
  int calls = 0;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    ++calls;
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization" && v == "Bearer AT2")
        return json(200, R"({"DailyApiRequests":{"Max":1000,"Remaining":990}})");
    }
    // The host hands out the new token once told the old one was rejected.
    host_.set_connection_token(
        R"({"access_token":"AT2","instance_url":"https://org.example.com"})");
    return json(401,
                R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  });
  auto limits = client().limits();
  EXPECT_EQ(limits.at("DailyApiRequests").at("Max").as_int64(), 1000);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
}

TEST_F(ClientTest, Unauthorized401TwiceIsAuthRevoked) {
  int calls = 0;
  host_.set_http_handler([&](const FakeHttpRequest&) {
    ++calls;
    return json(401,
                R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  });
  EXPECT_THROW(client().limits(), chp::AuthRevokedError);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
}

TEST_F(ClientTest, RestErrorsAreClassified) {
  struct Case {
    std::uint32_t status;
    std::string body;
    chp::ErrorClass cls;
    std::string fragment;
  };
  std::vector<Case> cases = {
      {400,
       R"([{"message":"No such column 'Foo' on entity 'Account'","errorCode":"INVALID_FIELD"}])",
       chp::ErrorClass::kConfig, "INVALID_FIELD: No such column 'Foo' on entity 'Account'"},
      {400, R"([{"message":"unexpected token: FORM","errorCode":"MALFORMED_QUERY"}])",
       chp::ErrorClass::kConfig, "MALFORMED_QUERY"},
      {403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])",
       chp::ErrorClass::kTransient, "REQUEST_LIMIT_EXCEEDED"},
      {503, "Service Unavailable", chp::ErrorClass::kTransient, "HTTP 503"},
      {400, R"([{"message":"weird","errorCode":"SOMETHING_ELSE"}])", chp::ErrorClass::kPermanent,
       "SOMETHING_ELSE"},
  };
  for (const Case& tc : cases) {
    host_.set_http_handler([&](const FakeHttpRequest&) { return json(tc.status, tc.body); });
    try {
      client().query("SELECT Foo FROM Account", [](chp::salesforce::QueryPage&) {});
      ADD_FAILURE() << "no throw for " << tc.body;
    } catch (const chp::Error& e) {
      EXPECT_EQ(e.cls(), tc.cls) << tc.body;
      EXPECT_NE(std::string(e.what()).find(tc.fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("(Account)"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ClientTest, TransportFailureIsTransient) {
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_ERR_TRANSIENT, 0, {}, {}};
  });
  EXPECT_THROW(client().limits(), chp::TransientError);
}

}  // namespace
