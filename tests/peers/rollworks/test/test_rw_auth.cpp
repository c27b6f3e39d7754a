// Authentication of the RollWorks peer (API.md §2): API keys, OAuth client credentials, the
// 401/403/404 bodies and advertiser scoping, the authorise check.
#include "rw_test_client.h"

namespace chpeer::rollworks::testing {
namespace {

namespace json = boost::json;

using RwAuthTest = RwPeerTest;

TEST_F(RwAuthTest, ApiKeyReadsTheAdvertiserForTheAuthoriseCheck) {
  HttpResult r = Get(kBase);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = r.Json();
  EXPECT_EQ(v.at("id").as_string(), kAdvertiser);
  EXPECT_EQ(v.at("name").as_string(), "Demo Audience");
  EXPECT_EQ(v.at("status").as_string(), "active");
  EXPECT_EQ(r.Header("X-Request-Id").rfind("req_", 0), 0u);
}

TEST_F(RwAuthTest, MissingBearerIs401UnauthorizedWithTheEnvelope) {
  HttpResult r = client_->Get(kBase, "");
  EXPECT_EQ(r.status, 401);
  json::value v = r.Json();
  EXPECT_EQ(v.at("error").at("code").as_string(), "unauthorized");
  EXPECT_FALSE(v.at("error").at("message").as_string().empty());
  EXPECT_EQ(v.at("error").at("request_id").as_string(), r.Header("X-Request-Id"));
  EXPECT_EQ(r.Header("WWW-Authenticate"), R"(Bearer realm="rollworks")");
  HttpResult basic = client_->Request("GET", kBase, "", {"Authorization: Basic Zm9vOmJhcg=="});
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(basic.ErrorCode(), "unauthorized");
}

TEST_F(RwAuthTest, UnknownOrInactiveKeyIs401InvalidToken) {
  for (const char* key : {"rwk_nope", kInactiveKey}) {
    HttpResult r = client_->Get(kBase, key);
    EXPECT_EQ(r.status, 401) << key;
    EXPECT_EQ(r.ErrorCode(), "invalid_token") << key;
    EXPECT_EQ(r.Header("WWW-Authenticate"), R"(Bearer error="invalid_token")");
  }
  EXPECT_EQ(Counter("events", "invalid_token"), 2);
}

TEST_F(RwAuthTest, DeactivatedKeyStopsWorkingAndCanBeReactivated) {
  EXPECT_EQ(Get(kBase).status, 200);
  client_->Control("POST", "api_keys/deactivate", json::object{{"key", kApiKey}});
  EXPECT_EQ(Get(kBase).ErrorCode(), "invalid_token");
  client_->Control("POST", "api_keys/activate", json::object{{"key", kApiKey}});
  EXPECT_EQ(Get(kBase).status, 200);
}

TEST_F(RwAuthTest, ClientCredentialsIssueABearerTokenThatReadsTheAdvertiser) {
  HttpResult r = client_->PostForm("/oauth/token", {{"grant_type", "client_credentials"},
                                                    {"client_id", kClientId},
                                                    {"client_secret", kClientSecret}});
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = r.Json();
  EXPECT_EQ(v.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(v.at("expires_in").as_int64(), 3600);
  std::string token(v.at("access_token").as_string());
  EXPECT_EQ(client_->Get(kBase, token).status, 200);
  EXPECT_EQ(Counter("grant_type", "client_credentials"), 1);
}

TEST_F(RwAuthTest, ClientMayAuthenticateWithHttpBasic) {
  // base64("demo-rollworks-client:demo-rollworks-secret")
  HttpResult r = client_->PostForm(
      "/oauth/token", {{"grant_type", "client_credentials"}},
      {"Authorization: Basic ZGVtby1yb2xsd29ya3MtY2xpZW50OmRlbW8tcm9sbHdvcmtzLXNlY3JldA=="});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("token_type").as_string(), "Bearer");
}

TEST_F(RwAuthTest, TokenEndpointErrorsUseTheEnvelope) {
  HttpResult wrong = client_->PostForm(
      "/oauth/token",
      {{"grant_type", "client_credentials"}, {"client_id", kClientId}, {"client_secret", "wrong"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.ErrorCode(), "invalid_client");
  HttpResult grant = client_->PostForm("/oauth/token", {{"grant_type", "password"}});
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(grant.ErrorCode(), "unsupported_grant_type");
  HttpResult missing = client_->PostForm("/oauth/token", {{"grant_type", "client_credentials"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.ErrorCode(), "invalid_request");
  HttpResult get = client_->Get("/oauth/token", "");
  EXPECT_EQ(get.status, 405);
}

TEST_F(RwAuthTest, AccessTokenExpiresAfterExpiresInOnThePeerClock) {
  std::string token = OAuthToken();
  peer_->AdvanceClockForTest(3599 * 1000);
  EXPECT_EQ(client_->Get(kBase, token).status, 200);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 2}});
  HttpResult r = client_->Get(kBase, token);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.ErrorCode(), "invalid_token");
  EXPECT_EQ(client_->Get(kBase, OAuthToken()).status, 200);  // a fresh token works
}

TEST_F(RwAuthTest, RevokedClientLosesItsTokensAndCannotGetNewOnes) {
  std::string token = OAuthToken();
  client_->Control("POST", "oauth_clients/revoke", json::object{{"client_id", kClientId}});
  EXPECT_EQ(client_->Get(kBase, token).ErrorCode(), "invalid_token");
  HttpResult r = client_->PostForm("/oauth/token", {{"grant_type", "client_credentials"},
                                                    {"client_id", kClientId},
                                                    {"client_secret", kClientSecret}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.ErrorCode(), "invalid_client");
}

TEST_F(RwAuthTest, ExpireTokensControlExpiresEveryAccessToken) {
  std::string token = OAuthToken();
  client_->Control("POST", "tokens/expire");
  EXPECT_EQ(client_->Get(kBase, token).ErrorCode(), "invalid_token");
  EXPECT_EQ(Get(kBase).status, 200);  // API keys do not expire
}

TEST_F(RwAuthTest, CredentialIsScopedToItsAdvertisers) {
  HttpResult other = Get(std::string("/api/v1/advertisers/") + kOtherAdvertiser);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.ErrorCode(), "forbidden");
  HttpResult feed =
      Get(std::string("/api/v1/advertisers/") + kOtherAdvertiser + "/accounts/changes");
  EXPECT_EQ(feed.status, 403);
  HttpResult unknown = Get("/api/v1/advertisers/adv_missing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.ErrorCode(), "not_found");
  // A key granted both advertisers reads both.
  client_->Control("POST", "api_keys",
                   json::object{{"key", "rwk_both"},
                                {"advertiser_ids", json::array{kAdvertiser, kOtherAdvertiser}}});
  EXPECT_EQ(client_->Get(std::string("/api/v1/advertisers/") + kOtherAdvertiser, "rwk_both")
                .Json()
                .at("name")
                .as_string(),
            "Another Company's Audience");
}

TEST_F(RwAuthTest, UnknownPathsAndMethodsAreEnveloped) {
  HttpResult path = Get(std::string(kBase) + "/nope");
  EXPECT_EQ(path.status, 404);
  EXPECT_EQ(path.ErrorCode(), "not_found");
  HttpResult method = client_->PostJson(kBase, json::object{}, kApiKey);
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.ErrorCode(), "method_not_allowed");
  HttpResult root = client_->Get("/", "");
  EXPECT_EQ(root.status, 404);
}

}  // namespace
}  // namespace chpeer::rollworks::testing
