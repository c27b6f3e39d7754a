// OAuth behaviour of the Salesforce peer: every grant, the documented errors, PKCE, refresh
// token policies (expire after / if unused / rotation with reuse detection), the 5-grants cap,
// revoke, introspect, userinfo and the session timeout.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sf_test_client.h"
#include "sf_util.h"

namespace chpeer::sf::testing {
namespace {

namespace json = boost::json;

void ExpectOAuthError(const HttpResult& r, const std::string& error,
                      const std::string& description) {
  EXPECT_EQ(r.status, 400) << r.body;
  auto body = r.Json();
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.at("error").as_string(), error) << r.body;
  EXPECT_EQ(body.at("error_description").as_string(), description) << r.body;
}

class SfOAuthTest : public SfPeerTest {
 protected:
  HttpResult Refresh(const std::string& refresh_token) {
    return client_->PostForm("/services/oauth2/token", {{"grant_type", "refresh_token"},
                                                        {"refresh_token", refresh_token},
                                                        {"client_id", kClientId},
                                                        {"client_secret", kClientSecret}});
  }
  long ApiStatus(const std::string& token) {
    return client_->Get(std::string(kApi) + "/limits", token).status;
  }
  void SetPolicy(const json::object& policy) {
    client_->Control("POST", std::string("apps/") + kClientId + "/refresh_policy", policy);
  }
};

TEST_F(SfOAuthTest, AuthorizationCodeWithPkceReturnsDocumentedTokenResponse) {
  json::value body = AuthorizeAndExchange();
  const auto& o = body.as_object();
  EXPECT_FALSE(Str(body, "access_token").empty());
  EXPECT_FALSE(Str(body, "refresh_token").empty());
  EXPECT_EQ(Str(body, "instance_url"), peer_->base_url());
  EXPECT_EQ(Str(body, "token_type"), "Bearer");
  EXPECT_EQ(Str(body, "scope"), "api refresh_token");
  EXPECT_FALSE(o.contains("expires_in"));
  // The demo login user is alice.
  EXPECT_EQ(Str(body, "id"), peer_->base_url() + "/id/" + peer_->OrgIdForTest() + "/" +
                                 To18CharId("0055g00000ALICE"));
  std::string issued_at = Str(body, "issued_at");
  ASSERT_FALSE(issued_at.empty());
  EXPECT_GT(std::stoll(issued_at), 1600000000000LL);  // milliseconds, not seconds
  EXPECT_EQ(Str(body, "signature"),
            Base64Encode(HmacSha256(kClientSecret, Str(body, "id") + issued_at)));
  EXPECT_EQ(ApiStatus(Str(body, "access_token")), 200);
}

TEST_F(SfOAuthTest, LoginHintAndControlApiChooseTheUser) {
  json::value as_integration = AuthorizeAndExchange(kClientId, "integration@demo.peer");
  EXPECT_NE(Str(as_integration, "id").find(To18CharId("0055g00000INTEG")), std::string::npos);
  client_->Control("POST", "login_user", json::object{{"username", "integration@demo.peer"}});
  json::value chosen = AuthorizeAndExchange();
  EXPECT_NE(Str(chosen, "id").find(To18CharId("0055g00000INTEG")), std::string::npos);
}

TEST_F(SfOAuthTest, PkceVerifierMismatchIsInvalidGrant) {
  std::string challenge = Base64UrlEncode(Sha256("the-right-verifier-0123456789012345678901"));
  HttpResult auth = client_->Get("/services/oauth2/authorize?" +
                                 BuildUrlEncoded({{"response_type", "code"},
                                                  {"client_id", kClientId},
                                                  {"redirect_uri", kRedirectUri},
                                                  {"code_challenge", challenge},
                                                  {"code_challenge_method", "S256"}}));
  ASSERT_EQ(auth.status, 302);
  std::string location = auth.Header("Location");
  std::string code = ParseUrlEncoded(location.substr(location.find('?') + 1))["code"];
  HttpResult r = client_->PostForm("/services/oauth2/token", {{"grant_type", "authorization_code"},
                                                              {"code", code},
                                                              {"client_id", kClientId},
                                                              {"redirect_uri", kRedirectUri},
                                                              {"code_verifier", "wrong"}});
  ExpectOAuthError(r, "invalid_grant", "invalid code verifier");
  // Codes are single use even after a failed exchange.
  HttpResult again = client_->PostForm(
      "/services/oauth2/token", {{"grant_type", "authorization_code"},
                                 {"code", code},
                                 {"client_id", kClientId},
                                 {"redirect_uri", kRedirectUri},
                                 {"code_verifier", "the-right-verifier-0123456789012345678901"}});
  ExpectOAuthError(again, "invalid_grant", "invalid authorization code");
}

TEST_F(SfOAuthTest, AuthorizeRejectsUnknownClientAndForeignRedirect) {
  HttpResult unknown = client_->Get(
      "/services/oauth2/authorize?" +
      BuildUrlEncoded(
          {{"response_type", "code"}, {"client_id", "nope"}, {"redirect_uri", kRedirectUri}}));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("invalid_client_id"), std::string::npos);
  HttpResult foreign = client_->Get("/services/oauth2/authorize?" +
                                    BuildUrlEncoded({{"response_type", "code"},
                                                     {"client_id", kClientId},
                                                     {"redirect_uri", "http://evil.example/cb"}}));
  EXPECT_EQ(foreign.status, 400);
  EXPECT_TRUE(foreign.Header("Location").empty());
}

TEST_F(SfOAuthTest, TokenEndpointDocumentedErrors) {
  ExpectOAuthError(client_->PostForm("/services/oauth2/token", {{"grant_type", "magic"}}),
                   "unsupported_grant_type", "grant type not supported");
  ExpectOAuthError(
      client_->PostForm(
          "/services/oauth2/token",
          {{"grant_type", "client_credentials"}, {"client_id", "unknown"}, {"client_secret", "x"}}),
      "invalid_client_id", "client identifier invalid");
  ExpectOAuthError(
      client_->PostForm("/services/oauth2/token", {{"grant_type", "client_credentials"},
                                                   {"client_id", kClientId},
                                                   {"client_secret", "wrong"}}),
      "invalid_client", "invalid client credentials");
  ExpectOAuthError(client_->PostForm("/services/oauth2/token", {{"grant_type", "password"},
                                                                {"client_id", kClientId},
                                                                {"client_secret", kClientSecret},
                                                                {"username", "alice@demo.peer"},
                                                                {"password", "wrong"}}),
                   "invalid_grant", "authentication failure");
  ExpectOAuthError(client_->PostForm("/services/oauth2/token", {{"grant_type", "password"},
                                                                {"client_id", kClientId},
                                                                {"client_secret", kClientSecret},
                                                                {"username", "bob@demo.peer"},
                                                                {"password", "bob-pass"}}),
                   "invalid_grant", "inactive user");
  ExpectOAuthError(Refresh("5AepNotARealToken"), "invalid_grant", "expired access/refresh token");
}

TEST_F(SfOAuthTest, PasswordGrantIssuesNoRefreshToken) {
  HttpResult r = client_->PostForm("/services/oauth2/token", {{"grant_type", "password"},
                                                              {"client_id", kClientId},
                                                              {"client_secret", kClientSecret},
                                                              {"username", "alice@demo.peer"},
                                                              {"password", "alice-pass"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().as_object().contains("refresh_token"));
}

TEST_F(SfOAuthTest, ClientCredentialsRunsAsTheConfiguredUserWithoutRefreshToken) {
  HttpResult r = client_->PostForm("/services/oauth2/token", {{"grant_type", "client_credentials"},
                                                              {"client_id", kClientId},
                                                              {"client_secret", kClientSecret}});
  ASSERT_EQ(r.status, 200) << r.body;
  json::value body = r.Json();
  EXPECT_FALSE(body.as_object().contains("refresh_token"));
  HttpResult info = client_->Get("/services/oauth2/userinfo", Str(body, "access_token"));
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(Str(info.Json(), "preferred_username"), "integration@demo.peer");
  HttpResult id = client_->Get(Str(body, "id"), Str(body, "access_token"));
  ASSERT_EQ(id.status, 200) << id.body;
  EXPECT_EQ(Str(id.Json(), "username"), "integration@demo.peer");
  EXPECT_EQ(Str(id.Json(), "organization_id"), peer_->OrgIdForTest());

  client_->Control("POST", "apps",
                   json::object{{"client_id", "no-run-as"}, {"client_secret", "s"}});
  ExpectOAuthError(
      client_->PostForm("/services/oauth2/token", {{"grant_type", "client_credentials"},
                                                   {"client_id", "no-run-as"},
                                                   {"client_secret", "s"}}),
      "invalid_grant", "no client credentials user enabled");
}

TEST_F(SfOAuthTest, RefreshWithoutRotationKeepsTheRefreshToken) {
  SetPolicy(json::object{{"mode", "until_revoked"}, {"rotate", false}});
  json::value first = AuthorizeAndExchange();
  HttpResult r = Refresh(Str(first, "refresh_token"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().as_object().contains("refresh_token"));
  EXPECT_NE(Str(r.Json(), "access_token"), Str(first, "access_token"));
  EXPECT_EQ(Refresh(Str(first, "refresh_token")).status, 200);
}

TEST_F(SfOAuthTest, DeactivatedUserCannotRefreshOrUseSessions) {
  json::value tokens = AuthorizeAndExchange();
  std::string token = ServiceToken();
  HttpResult off = client_->SendJson(
      "PATCH", std::string(kApi) + "/sobjects/User/" + To18CharId("0055g00000ALICE"),
      json::object{{"IsActive", false}}, token);
  ASSERT_EQ(off.status, 204) << off.body;
  ExpectOAuthError(Refresh(Str(tokens, "refresh_token")), "invalid_grant", "inactive user");
  EXPECT_EQ(ApiStatus(Str(tokens, "access_token")), 401);
}

TEST_F(SfOAuthTest, RefreshPolicyExpireAfterSeconds) {
  SetPolicy(json::object{{"mode", "expire_after"}, {"seconds", 3600}, {"rotate", false}});
  json::value tokens = AuthorizeAndExchange();
  client_->Control("POST", "clock/advance", json::object{{"seconds", 3000}});
  EXPECT_EQ(Refresh(Str(tokens, "refresh_token")).status, 200);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 601}});
  ExpectOAuthError(Refresh(Str(tokens, "refresh_token")), "invalid_grant",
                   "expired access/refresh token");
}

TEST_F(SfOAuthTest, RefreshPolicyExpireIfUnused) {
  SetPolicy(json::object{{"mode", "expire_if_unused"}, {"seconds", 100}, {"rotate", false}});
  json::value tokens = AuthorizeAndExchange();
  for (int i = 0; i < 3; ++i) {
    client_->Control("POST", "clock/advance", json::object{{"seconds", 90}});
    EXPECT_EQ(Refresh(Str(tokens, "refresh_token")).status, 200) << "use " << i;
  }
  client_->Control("POST", "clock/advance", json::object{{"seconds", 101}});
  ExpectOAuthError(Refresh(Str(tokens, "refresh_token")), "invalid_grant",
                   "expired access/refresh token");
}

TEST_F(SfOAuthTest, RotationReuseOfOldRefreshTokenRevokesTheWholeGrant) {
  json::value first = AuthorizeAndExchange();  // demo app rotates
  HttpResult second = Refresh(Str(first, "refresh_token"));
  ASSERT_EQ(second.status, 200) << second.body;
  std::string rotated = Str(second.Json(), "refresh_token");
  std::string access2 = Str(second.Json(), "access_token");
  ASSERT_FALSE(rotated.empty());
  EXPECT_NE(rotated, Str(first, "refresh_token"));
  EXPECT_EQ(ApiStatus(access2), 200);

  ExpectOAuthError(Refresh(Str(first, "refresh_token")), "invalid_grant",
                   "expired access/refresh token");
  EXPECT_EQ(ApiStatus(access2), 401);
  EXPECT_EQ(ApiStatus(Str(first, "access_token")), 401);
  ExpectOAuthError(Refresh(rotated), "invalid_grant", "expired access/refresh token");
  json::value counters = client_->Control("GET", "counters");
  EXPECT_EQ(counters.at("events").at("reused_rotated_refresh_token").as_int64(), 1);
  EXPECT_EQ(counters.at("oauth").at("reused_rotated_refresh_tokens").as_int64(), 1);
}

// Winter '25: one token request per refresh token at a time; a second one while the first is
// processed answers 400 invalid_grant "token request is already being processed" and consumes
// nothing. The control API plays the other client's request in flight and its completion.
TEST_F(SfOAuthTest, ASecondRefreshWhileOneIsProcessedIsRefusedAsDocumented) {
  json::value first = AuthorizeAndExchange();  // demo app rotates
  const std::string rt = Str(first, "refresh_token");
  client_->Control("POST", "tokens/in_flight", json::object{{"token", rt}});
  ExpectOAuthError(Refresh(rt), "invalid_grant", "token request is already being processed");
  ExpectOAuthError(Refresh(rt), "invalid_grant", "token request is already being processed");
  json::value theirs =
      client_->Control("POST", "tokens/in_flight", json::object{{"token", rt}, {"finish", true}});
  const std::string rotated = Str(theirs, "refresh_token");
  ASSERT_FALSE(rotated.empty()) << json::serialize(theirs);
  EXPECT_NE(rotated, rt);
  // The refused requests were no reuse: the other client's new grant is alive.
  HttpResult next = Refresh(rotated);
  EXPECT_EQ(next.status, 200) << next.body;
  json::value counters = client_->Control("GET", "counters");
  EXPECT_EQ(counters.at("events").at("refresh_already_in_flight").as_int64(), 2);
  EXPECT_EQ(counters.at("oauth").at("reused_rotated_refresh_tokens").as_int64(), 0);
}

TEST_F(SfOAuthTest, SixthGrantRevokesTheOldest) {
  SetPolicy(json::object{{"mode", "until_revoked"}, {"rotate", false}});
  std::vector<json::value> grants;
  for (int i = 0; i < 6; ++i) grants.push_back(AuthorizeAndExchange());
  ExpectOAuthError(Refresh(Str(grants[0], "refresh_token")), "invalid_grant",
                   "expired access/refresh token");
  EXPECT_EQ(ApiStatus(Str(grants[0], "access_token")), 401);
  for (int i = 1; i < 6; ++i) {
    EXPECT_EQ(Refresh(Str(grants[i], "refresh_token")).status, 200) << "grant " << i;
  }
  // Another user's grants are counted separately.
  EXPECT_EQ(Refresh(Str(AuthorizeAndExchange(kClientId, "integration@demo.peer"), "refresh_token"))
                .status,
            200);
  EXPECT_EQ(Refresh(Str(grants[1], "refresh_token")).status, 200);
}

TEST_F(SfOAuthTest, SessionTimeoutExpiresAccessTokens) {
  std::string token = ServiceToken();
  client_->Control("POST", "clock/advance", json::object{{"seconds", 7199}});
  EXPECT_EQ(ApiStatus(token), 200);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 2}});
  HttpResult r = client_->Get(std::string(kApi) + "/limits", token);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json().at(0).at("errorCode").as_string(), "INVALID_SESSION_ID");
  EXPECT_EQ(r.Json().at(0).at("message").as_string(), "Session expired or invalid");
}

TEST_F(SfOAuthTest, RevokeAccessAndRefreshTokens) {
  json::value tokens = AuthorizeAndExchange();
  HttpResult other = Refresh(Str(tokens, "refresh_token"));
  ASSERT_EQ(other.status, 200);
  std::string access2 = Str(other.Json(), "access_token");
  // Revoking an access token ends only that session.
  EXPECT_EQ(
      client_->Get("/services/oauth2/revoke?token=" + PercentEncode(Str(tokens, "access_token")))
          .status,
      200);
  EXPECT_EQ(ApiStatus(Str(tokens, "access_token")), 401);
  EXPECT_EQ(ApiStatus(access2), 200);
  // Revoking the refresh token ends the grant and its sessions.
  std::string refresh = Str(other.Json(), "refresh_token");
  EXPECT_EQ(client_->PostForm("/services/oauth2/revoke", {{"token", refresh}}).status, 200);
  EXPECT_EQ(ApiStatus(access2), 401);
  EXPECT_EQ(Refresh(refresh).status, 400);
  HttpResult unknown = client_->PostForm("/services/oauth2/revoke", {{"token", "unknown"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.Json().at("error").as_string(), "invalid_token");
}

TEST_F(SfOAuthTest, IntrospectReportsActiveAndInactiveTokens) {
  json::value tokens = AuthorizeAndExchange();
  auto introspect = [&](const std::string& token) {
    HttpResult r = client_->PostForm(
        "/services/oauth2/introspect",
        {{"token", token}, {"client_id", kClientId}, {"client_secret", kClientSecret}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  };
  json::value active = introspect(Str(tokens, "access_token"));
  EXPECT_TRUE(active.at("active").as_bool());
  EXPECT_EQ(Str(active, "username"), "alice@demo.peer");
  EXPECT_EQ(Str(active, "client_id"), kClientId);
  EXPECT_GT(active.at("exp").as_int64(), active.at("iat").as_int64());
  EXPECT_TRUE(introspect(Str(tokens, "refresh_token")).at("active").as_bool());
  client_->Control("POST", "tokens/expire", json::object{{"token", Str(tokens, "access_token")}});
  EXPECT_FALSE(introspect(Str(tokens, "access_token")).at("active").as_bool());
  EXPECT_FALSE(introspect("garbage").at("active").as_bool());
}

// --- JWT bearer -------------------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey NewRsaKey() { return Pkey(EVP_RSA_gen(2048)); }

std::string PublicPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string SignJwt(EVP_PKEY* key, const json::object& claims) {
  std::string input =
      Base64UrlEncode(R"({"alg":"RS256"})") + "." + Base64UrlEncode(json::serialize(claims));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
  std::size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  return input + "." + Base64UrlEncode(sig);
}

class SfJwtTest : public SfOAuthTest {
 protected:
  void SetUp() override {
    SfOAuthTest::SetUp();
    key_ = NewRsaKey();
    ASSERT_TRUE(key_);
    client_->Control("POST", "apps",
                     json::object{{"client_id", "jwt-app"},
                                  {"client_secret", "jwt-secret"},
                                  {"certificate_pem", PublicPem(key_.get())},
                                  {"admin_approved_only", true},
                                  {"approved_usernames", json::array{"integration@demo.peer"}}});
  }
  json::object Claims(const std::string& sub, std::int64_t exp_offset_s = 120) {
    std::int64_t now_s = client_->Control("GET", "clock").at("now_ms").as_int64() / 1000;
    return json::object{{"iss", "jwt-app"},
                        {"sub", sub},
                        {"aud", peer_->base_url()},
                        {"exp", now_s + exp_offset_s}};
  }
  HttpResult Exchange(const std::string& assertion) {
    return client_->PostForm(
        "/services/oauth2/token",
        {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion}});
  }
  Pkey key_;
};

TEST_F(SfJwtTest, ValidAssertionIssuesAccessTokenOnly) {
  HttpResult r = Exchange(SignJwt(key_.get(), Claims("integration@demo.peer")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().as_object().contains("refresh_token"));
  EXPECT_EQ(ApiStatus(Str(r.Json(), "access_token")), 200);
}

TEST_F(SfJwtTest, InvalidAssertionsAreRejectedAsDocumented) {
  json::object wrong_aud = Claims("integration@demo.peer");
  wrong_aud["aud"] = "https://evil.example";
  ExpectOAuthError(Exchange(SignJwt(key_.get(), wrong_aud)), "invalid_grant",
                   "audience is invalid");
  Pkey other = NewRsaKey();
  ExpectOAuthError(Exchange(SignJwt(other.get(), Claims("integration@demo.peer"))), "invalid_grant",
                   "invalid assertion");
  ExpectOAuthError(Exchange(SignJwt(key_.get(), Claims("integration@demo.peer", 600))),
                   "invalid_grant", "invalid assertion");
  ExpectOAuthError(Exchange(SignJwt(key_.get(), Claims("integration@demo.peer", -10))),
                   "invalid_grant", "expired authorization code");
  ExpectOAuthError(Exchange(SignJwt(key_.get(), Claims("alice@demo.peer"))), "invalid_grant",
                   "user hasn't approved this consumer");
  json::object unknown_app = Claims("integration@demo.peer");
  unknown_app["iss"] = "nobody";
  ExpectOAuthError(Exchange(SignJwt(key_.get(), unknown_app)), "invalid_client_id",
                   "client identifier invalid");
}

}  // namespace
}  // namespace chpeer::sf::testing
