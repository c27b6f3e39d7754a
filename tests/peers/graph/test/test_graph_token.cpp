// The v2.0 token endpoint (client credentials) and Graph's token check: the happy path, the
// identity platform's AADSTS error bodies, expiry on the peer clock and the 401 challenge.
#include "graph_test_fixture.h"

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

void ExpectAadError(const HttpResult& r, long status, const char* error, std::int64_t code) {
  EXPECT_EQ(r.status, status) << r.body;
  json::value body = r.Json();
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(Str(body, "error"), error);
  EXPECT_EQ(body.at("error_codes").at(0).as_int64(), code);
  std::string description = Str(body, "error_description");
  EXPECT_EQ(description.rfind("AADSTS" + std::to_string(code) + ": ", 0), 0u) << description;
  EXPECT_NE(description.find("\r\nTrace ID: " + Str(body, "trace_id")), std::string::npos);
  EXPECT_NE(description.find("\r\nCorrelation ID: " + Str(body, "correlation_id")),
            std::string::npos);
  EXPECT_EQ(Str(body, "trace_id").size(), 36u);
  EXPECT_EQ(Str(body, "correlation_id").size(), 36u);
  // "2016-01-09 02:02:12Z"
  EXPECT_EQ(Str(body, "timestamp").size(), 20u);
  EXPECT_EQ(Str(body, "timestamp")[10], ' ');
  EXPECT_EQ(Str(body, "error_uri"),
            "https://login.microsoftonline.com/error?code=" + std::to_string(code));
}

TEST_F(GraphPeerTest, ClientCredentialsIssuesABearerTokenWithoutRefreshToken) {
  HttpResult r = RequestToken(kAppId, kAppSecret);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("Content-Type").find("application/json"), std::string::npos);
  json::value body = r.Json();
  EXPECT_EQ(Str(body, "token_type"), "Bearer");
  EXPECT_EQ(body.at("expires_in").as_int64(), 3599);
  EXPECT_EQ(body.at("ext_expires_in").as_int64(), 3599);
  EXPECT_FALSE(Str(body, "access_token").empty());
  EXPECT_FALSE(body.as_object().contains("refresh_token"));
  EXPECT_EQ(Get("/v1.0/users/alice@contoso.example", Str(body, "access_token")).status, 200);
}

TEST_F(GraphPeerTest, TenantDomainAndHttpBasicClientAuthenticationWork) {
  std::string basic =
      "MTExMTExMTEtMjIyMi00MzMzLTg0NDQtNTU1NTU1NTU1NTU1OnJnLXN5bmMtc2VjcmV0fmRlbW8=";
  HttpResult r = client_->Request(
      "POST", "/contoso.example/oauth2/v2.0/token",
      "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
      {"Content-Type: application/x-www-form-urlencoded", "Authorization: Basic " + basic});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(GraphPeerTest, WrongSecretIsInvalidClient7000215) {
  HttpResult r = RequestToken(kAppId, "not-the-secret");
  ExpectAadError(r, 401, "invalid_client", 7000215);
  EXPECT_NE(Str(r.Json(), "error_description").find(kAppId), std::string::npos);
}

TEST_F(GraphPeerTest, UnknownClientScopeResourceAndTenantErrors) {
  ExpectAadError(RequestToken("00000000-0000-4000-8000-00000000dead", "x"), 400,
                 "unauthorized_client", 700016);
  ExpectAadError(RequestToken(kAppId, kAppSecret, "Mail.Read"), 400, "invalid_scope", 1002012);
  ExpectAadError(RequestToken(kAppId, kAppSecret, "https://example.invalid/.default"), 400,
                 "invalid_resource", 500011);
  ExpectAadError(RequestToken(kAppId, kAppSecret, kGraphScope, "fabrikam.example"), 400,
                 "invalid_request", 90002);
  ExpectAadError(client_->PostForm("/" + std::string(kTenant) + "/oauth2/v2.0/token",
                                   {{"grant_type", "password"}}),
                 400, "unsupported_grant_type", 70003);
  ExpectAadError(
      client_->PostForm("/" + std::string(kTenant) + "/oauth2/v2.0/token", {{"client_id", kAppId}}),
      400, "invalid_request", 900144);
  ExpectAadError(client_->PostForm("/" + std::string(kTenant) + "/oauth2/v2.0/token",
                                   {{"grant_type", "client_credentials"}, {"client_id", kAppId}}),
                 401, "invalid_client", 7000218);
}

TEST_F(GraphPeerTest, TokenExpiresAfterItsLifetimeOnThePeerClock) {
  std::string token = Token();
  Control("POST", "clock/advance", json::object{{"seconds", 3598}});
  EXPECT_EQ(Get("/v1.0/users/" + std::string(kAlice), token).status, 200);
  Control("POST", "clock/advance", json::object{{"seconds", 1}});
  HttpResult r = Get("/v1.0/users/" + std::string(kAlice), token, {"client-request-id: abc-123"});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("WWW-Authenticate").rfind("Bearer ", 0), 0u) << r.Header("WWW-Authenticate");
  json::value error = r.Json().at("error");
  EXPECT_EQ(Str(error, "code"), "InvalidAuthenticationToken");
  EXPECT_EQ(Str(error, "message"), "Lifetime validation failed, the token is expired.");
  EXPECT_EQ(Str(error.at("innerError"), "client-request-id"), "abc-123");
  EXPECT_EQ(Str(error.at("innerError"), "request-id"), r.Header("request-id"));
  EXPECT_EQ(Str(error.at("innerError"), "date").size(), 19u);
  EXPECT_FALSE(Token().empty());
}

TEST_F(GraphPeerTest, MissingOrUnknownTokenIsInvalidAuthenticationToken) {
  HttpResult none = client_->Get("/v1.0/users/" + std::string(kAlice));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Str(none.Json().at("error"), "message"), "Access token is empty.");
  HttpResult bad = Get("/v1.0/users/" + std::string(kAlice), "forged");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(Str(bad.Json().at("error"), "code"), "InvalidAuthenticationToken");
}

TEST_F(GraphPeerTest, OpenIdConfigurationPointsAtThePeersTokenEndpoint) {
  HttpResult r =
      client_->Get("/" + std::string(kTenant) + "/v2.0/.well-known/openid-configuration");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.Json(), "token_endpoint"),
            peer_->base_url() + "/" + kTenant + "/oauth2/v2.0/token");
  HttpResult discovery = client_->Get("/common/discovery/instance?api-version=1.1");
  ASSERT_EQ(discovery.status, 200);
  EXPECT_EQ(Str(discovery.Json(), "api-version"), "1.1");
}

}  // namespace
}  // namespace chpeer::graph::testing
