// Helpers for the RollWorks peer tests, on the peers' shared test client.
#include "rw_test_client.h"

namespace chpeer::rollworks::testing {

namespace json = boost::json;

json::value HttpResult::Json() const {
  try {
    return json::parse(body);
  } catch (const std::exception&) {
    ADD_FAILURE() << "response is not JSON: " << body;
    return nullptr;
  }
}

std::string HttpResult::ErrorCode() const {
  try {
    json::value v = json::parse(body);
    const json::value* code = v.as_object().at("error").as_object().if_contains("code");
    return code && code->is_string() ? std::string(code->as_string()) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

HttpResult FakeRollWorksClient::Request(const std::string& method, const std::string& path,
                                        const std::string& body,
                                        const std::vector<std::string>& headers) const {
  HttpResult result;
  static_cast<chpeer::testing::HttpResult&>(result) = http_.Request(method, path, body, headers);
  return result;
}

HttpResult FakeRollWorksClient::Get(const std::string& path, const std::string& token) const {
  std::vector<std::string> headers;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  return Request("GET", path, "", headers);
}

HttpResult FakeRollWorksClient::PostForm(const std::string& path, const Params& params,
                                         const std::vector<std::string>& extra) const {
  std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded"};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return Request("POST", path, BuildUrlEncoded(params), headers);
}

HttpResult FakeRollWorksClient::PostJson(const std::string& path, const json::value& body,
                                         const std::string& token,
                                         const std::vector<std::string>& extra) const {
  std::vector<std::string> headers{"Content-Type: application/json"};
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return Request("POST", path, json::serialize(body), headers);
}

json::value FakeRollWorksClient::Control(const std::string& method, const std::string& path,
                                         const json::value& body) const {
  HttpResult r =
      Request(method, "/__peer/" + path, json::serialize(body), {"Content-Type: application/json"});
  EXPECT_EQ(r.status, 200) << method << " /__peer/" << path << ": " << r.body;
  return r.status == 200 ? r.Json() : json::value(nullptr);
}

void RwPeerTest::SetUp() {
  RollWorksPeerOptions options;
  options.seed_path = RW_PEER_DEMO_SEED;
  std::string error;
  peer_ = RollWorksPeer::Start(options, &error);
  ASSERT_TRUE(peer_) << error;
  client_ = std::make_unique<FakeRollWorksClient>(peer_->base_url());
}

void RwPeerTest::TearDown() {
  if (peer_) peer_->Stop();
}

std::string RwPeerTest::OAuthToken() {
  HttpResult r = client_->PostForm("/oauth/token", {{"grant_type", "client_credentials"},
                                                    {"client_id", kClientId},
                                                    {"client_secret", kClientSecret}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return std::string(r.Json().at("access_token").as_string());
}

HttpResult RwPeerTest::Upsert(const std::string& object, const json::array& records,
                              const std::vector<std::string>& extra) {
  return client_->PostJson(std::string(kBase) + "/crm/" + object + ":batchUpsert",
                           json::object{{"records", records}}, kApiKey, extra);
}

std::int64_t RwPeerTest::Counter(const char* group, const std::string& key) {
  json::value c = client_->Control("GET", "counters");
  const json::object* g =
      c.is_object()
          ? c.as_object().if_contains(group) ? &c.as_object().at(group).as_object() : nullptr
          : nullptr;
  const json::value* v = g ? g->if_contains(key) : nullptr;
  return v ? v->to_number<std::int64_t>() : 0;
}

}  // namespace chpeer::rollworks::testing
