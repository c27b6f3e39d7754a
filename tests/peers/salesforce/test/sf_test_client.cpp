// Helpers for the Salesforce peer tests, on the peers' shared test client.
#include "sf_test_client.h"

#include "sf_util.h"

namespace chpeer::sf::testing {

namespace json = boost::json;

json::value HttpResult::Json() const {
  try {
    return json::parse(body);
  } catch (const std::exception&) {
    ADD_FAILURE() << "response is not JSON: " << body;
    return nullptr;
  }
}

HttpResult FakeSalesforceClient::Request(const std::string& method, const std::string& path,
                                         const std::string& body,
                                         const std::vector<std::string>& headers) const {
  HttpResult result;
  static_cast<chpeer::testing::HttpResult&>(result) = http_.Request(method, path, body, headers);
  return result;
}

HttpResult FakeSalesforceClient::Get(const std::string& path, const std::string& token,
                                     const std::vector<std::string>& extra) const {
  std::vector<std::string> headers = extra;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  return Request("GET", path, "", headers);
}

HttpResult FakeSalesforceClient::PostForm(const std::string& path, const Params& params) const {
  return Request("POST", path, BuildUrlEncoded(params),
                 {"Content-Type: application/x-www-form-urlencoded"});
}

HttpResult FakeSalesforceClient::SendJson(const std::string& method, const std::string& path,
                                          const json::value& body, const std::string& token) const {
  std::vector<std::string> headers{"Content-Type: application/json"};
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  return Request(method, path, json::serialize(body), headers);
}

json::value FakeSalesforceClient::Control(const std::string& method, const std::string& path,
                                          const json::value& body) const {
  HttpResult r =
      Request(method, "/__peer/" + path, json::serialize(body), {"Content-Type: application/json"});
  EXPECT_EQ(r.status, 200) << method << " /__peer/" << path << ": " << r.body;
  return r.status == 200 ? r.Json() : json::value(nullptr);
}

std::string Q(const std::string& soql) {
  return std::string(kApi) + "/query?q=" + PercentEncode(soql);
}

void SfPeerTest::SetUp() {
  SalesforcePeerOptions options;
  options.seed_path = SF_PEER_DEMO_SEED;
  std::string error;
  peer_ = SalesforcePeer::Start(options, &error);
  ASSERT_TRUE(peer_) << error;
  client_ = std::make_unique<FakeSalesforceClient>(peer_->base_url());
}

void SfPeerTest::TearDown() {
  if (peer_) peer_->Stop();
}

std::string SfPeerTest::Str(const json::value& v, const char* key) const {
  const auto* o = v.if_object();
  const json::value* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

std::string SfPeerTest::ServiceToken() {
  HttpResult r = client_->PostForm("/services/oauth2/token", {{"grant_type", "client_credentials"},
                                                              {"client_id", kClientId},
                                                              {"client_secret", kClientSecret}});
  EXPECT_EQ(r.status, 200) << r.body;
  return Str(r.Json(), "access_token");
}

json::value SfPeerTest::AuthorizeAndExchange(const std::string& client_id,
                                             const std::string& login_hint) {
  std::string verifier = RandomToken(40);
  std::string challenge = Base64UrlEncode(Sha256(verifier));
  Params q{{"response_type", "code"},      {"client_id", client_id},
           {"redirect_uri", kRedirectUri}, {"state", "xyz"},
           {"code_challenge", challenge},  {"code_challenge_method", "S256"}};
  if (!login_hint.empty()) q.emplace_back("login_hint", login_hint);
  HttpResult auth = client_->Get("/services/oauth2/authorize?" + BuildUrlEncoded(q));
  EXPECT_EQ(auth.status, 302) << auth.body;
  std::string location = auth.Header("Location");
  auto query = ParseUrlEncoded(location.substr(location.find('?') + 1));
  EXPECT_EQ(query["state"], "xyz");
  HttpResult token =
      client_->PostForm("/services/oauth2/token", {{"grant_type", "authorization_code"},
                                                   {"code", query["code"]},
                                                   {"client_id", client_id},
                                                   {"client_secret", kClientSecret},
                                                   {"redirect_uri", kRedirectUri},
                                                   {"code_verifier", verifier}});
  EXPECT_EQ(token.status, 200) << token.body;
  return token.Json();
}

}  // namespace chpeer::sf::testing
