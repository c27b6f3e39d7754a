// POST /v1.0/$batch: mixed per-request statuses (200, 403, 404, 429 with Retry-After), the
// 20-request limit, dependsOn with a failed dependency (424) and malformed payloads.
#include "graph_test_fixture.h"

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

json::object Step(const std::string& id, const std::string& url) {
  return json::object{{"id", id}, {"method", "GET"}, {"url", url}};
}

HttpResult PostBatch(PeerHttpClient& client, const std::string& token, const json::array& steps) {
  return client.SendJson("POST", "/v1.0/$batch", json::object{{"requests", steps}},
                         {"Authorization: Bearer " + token});
}

const json::value* Find(const json::value& batch, const std::string& id) {
  for (const auto& r : batch.at("responses").as_array()) {
    if (Str(r, "id") == id) return &r;
  }
  return nullptr;
}

TEST_F(GraphPeerTest, BatchCarriesEachRequestsOwnStatusHeadersAndBody) {
  std::string token = Token();
  Control("POST", "throttle", json::object{{"mailbox", kBob}, {"retry_after_s", 12}, {"next", 1}});
  json::array steps{
      Step("1", "/users/alice@contoso.example?$select=displayName"),
      Step("2", "/users/" + std::string(kAlice) + "/mailFolders/inbox/messages/delta"),
      Step("3", "/users/" + std::string(kCarol) + "/mailFolders/inbox/messages/delta"),
      Step("4", "/users/nobody@contoso.example"),
      Step("5", "users/" + std::string(kBob) + "/mailFolders/inbox/messages/delta")};
  HttpResult r = PostBatch(*client_, token, steps);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value batch = r.Json();
  ASSERT_EQ(batch.at("responses").as_array().size(), 5u);
  const json::value* user = Find(batch, "1");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->at("status").as_int64(), 200);
  EXPECT_EQ(Str(user->at("body"), "displayName"), "Alice Adams");
  EXPECT_NE(Str(user->at("headers"), "Content-Type").find("application/json"), std::string::npos);
  EXPECT_EQ(Find(batch, "2")->at("body").at("value").as_array().size(), 5u);
  EXPECT_EQ(Find(batch, "3")->at("status").as_int64(), 403);
  EXPECT_EQ(Str(Find(batch, "3")->at("body").at("error"), "code"), "ErrorAccessDenied");
  EXPECT_EQ(Find(batch, "4")->at("status").as_int64(), 404);
  EXPECT_EQ(Str(Find(batch, "4")->at("body").at("error"), "code"), "Request_ResourceNotFound");
  const json::value* throttled = Find(batch, "5");
  EXPECT_EQ(throttled->at("status").as_int64(), 429);
  EXPECT_EQ(Str(throttled->at("headers"), "Retry-After"), "12");
  EXPECT_EQ(Str(throttled->at("body").at("error"), "code"), "ApplicationThrottled");
  json::value counters = Control("GET", "counters");
  EXPECT_EQ(counters.at("paths").at("/v1.0/$batch").as_int64(), 1);
  EXPECT_EQ(counters.at("mailboxes").at(kAlice).as_int64(), 1);
}

TEST_F(GraphPeerTest, BatchAcceptsTwentyRequestsAndRejectsTwentyOne) {
  std::string token = Token();
  json::array steps;
  for (int i = 1; i <= 20; ++i)
    steps.push_back(Step(std::to_string(i), "/users/" + std::string(kBob)));
  HttpResult ok = PostBatch(*client_, token, steps);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("responses").as_array().size(), 20u);
  steps.push_back(Step("21", "/users/" + std::string(kBob)));
  HttpResult over = PostBatch(*client_, token, steps);
  EXPECT_EQ(over.status, 400);
  json::value error = over.Json().at("error");
  EXPECT_EQ(Str(error, "code"), "BadRequest");
  EXPECT_NE(Str(error, "message").find("20"), std::string::npos);
}

TEST_F(GraphPeerTest, BatchDependsOnAFailedRequestAnswers424) {
  std::string token = Token();
  json::object second = Step("2", "/users/" + std::string(kBob));
  second["dependsOn"] = json::array{"1"};
  json::array steps{Step("1", "/users/ghost@contoso.example"), second};
  HttpResult r = PostBatch(*client_, token, steps);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Find(r.Json(), "1")->at("status").as_int64(), 404);
  EXPECT_EQ(Find(r.Json(), "2")->at("status").as_int64(), 424);
}

TEST_F(GraphPeerTest, MalformedBatchesAre400) {
  std::string token = Token();
  HttpResult not_json =
      client_->Request("POST", "/v1.0/$batch", "{nope",
                       {"Content-Type: application/json", "Authorization: Bearer " + token});
  EXPECT_EQ(not_json.status, 400);
  json::array duplicate{Step("a", "/users/" + std::string(kBob)),
                        Step("A", "/users/" + std::string(kBob))};
  EXPECT_EQ(PostBatch(*client_, token, duplicate).status, 400);
  json::object unknown_dep = Step("1", "/users/" + std::string(kBob));
  unknown_dep["dependsOn"] = json::array{"9"};
  EXPECT_EQ(PostBatch(*client_, token, json::array{unknown_dep}).status, 400);
  // The batch itself needs a valid token.
  EXPECT_EQ(PostBatch(*client_, "forged", json::array{Step("1", "/users")}).status, 401);
}

}  // namespace
}  // namespace chpeer::graph::testing
