// PKCE (RFC 7636 appendix B vector), base64url, authorization URLs, token responses and the
// RFC 6749 error classification, plus RS256 JWT assertions verified with the public key.
#include <gtest/gtest.h>
#include <connector_host/sdk/oauth/pkce.hpp>
#include <connector_host/sdk/oauth/token.hpp>
#include <connector_host/sdk/salesforce/jwt.hpp>
#include <connector_host/sdk/salesforce/oauth.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>
#include <set>
#include <string>

namespace {

using chp::ErrorClass;

TEST(Pkce, Rfc7636AppendixBVector) {
  // The appendix's 32 random octets, their base64url verifier and its S256 challenge.
  const unsigned char octets[] = {116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                  125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                  191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  std::string verifier =
      chp::oauth::base64url_encode(std::string(reinterpret_cast<const char*>(octets), 32));
  EXPECT_EQ(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  EXPECT_EQ(chp::oauth::pkce_challenge_s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, Base64UrlMatchesRfc4648Vectors) {
  EXPECT_EQ(chp::oauth::base64url_encode(""), "");
  EXPECT_EQ(chp::oauth::base64url_encode("f"), "Zg");
  EXPECT_EQ(chp::oauth::base64url_encode("fo"), "Zm8");
  EXPECT_EQ(chp::oauth::base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(chp::oauth::base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(chp::oauth::base64url_encode(std::string("\xfb\xff\xfe", 3)), "-__-");
}

TEST(Pkce, FreshPairsAreUniqueAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    chp::oauth::PkcePair p = chp::oauth::make_pkce_pair();
    EXPECT_GE(p.code_verifier.size(), 43u);  // RFC 7636 §4.1 minimum length
    EXPECT_EQ(p.code_verifier.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
              std::string::npos);
    EXPECT_EQ(p.code_challenge, chp::oauth::pkce_challenge_s256(p.code_verifier));
    EXPECT_TRUE(seen.insert(p.code_verifier).second);
  }
}

TEST(OAuthUrl, AuthorizationUrlCarriesPkceAndEncodesValues) {
  chp::oauth::AuthorizationRequest r;
  r.authorize_endpoint = "https://login.example.com/services/oauth2/authorize";
  r.client_id = "key";
  r.redirect_uri = "http://127.0.0.1:8080/cb?x=1";
  r.scope = "api refresh_token";
  r.state = "st";
  r.code_challenge = "ch";
  EXPECT_EQ(chp::oauth::build_authorization_url(r),
            "https://login.example.com/services/oauth2/authorize?response_type=code&client_id=key"
            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb%3Fx%3D1&scope=api%20refresh_token"
            "&state=st&code_challenge=ch&code_challenge_method=S256");
}

TEST(TokenResponse, ParsesMembersAndKeepsRaw) {
  chp::oauth::TokenResponse t = chp::oauth::parse_token_response(
      R"({"access_token":"AT","refresh_token":"RT","token_type":"Bearer","scope":"api",
          "instance_url":"https://x.my.salesforce.com","expires_in":"3600"})");
  EXPECT_EQ(t.access_token, "AT");
  EXPECT_EQ(t.refresh_token, "RT");
  EXPECT_EQ(t.expires_in_s, 3600);
  EXPECT_EQ(t.raw.at("instance_url").as_string(), "https://x.my.salesforce.com");
  chp::oauth::TokenResponse no_rt = chp::oauth::parse_token_response(R"({"access_token":"A"})");
  EXPECT_FALSE(no_rt.refresh_token.has_value());
  EXPECT_EQ(no_rt.token_type, "Bearer");
  EXPECT_THROW(chp::oauth::parse_token_response(R"({"token_type":"Bearer"})"), chp::PermanentError);
  EXPECT_THROW(chp::oauth::parse_token_response("<html>"), chp::PermanentError);
}

TEST(TokenErrors, ClassifiedPerRfc6749) {
  EXPECT_EQ(chp::oauth::classify_oauth_error("invalid_grant", 400), ErrorClass::kAuthRevoked);
  EXPECT_EQ(chp::oauth::classify_oauth_error("invalid_client_id", 400), ErrorClass::kConfig);
  EXPECT_EQ(chp::oauth::classify_oauth_error("invalid_client", 401), ErrorClass::kConfig);
  EXPECT_EQ(chp::oauth::classify_oauth_error("unsupported_grant_type", 400), ErrorClass::kConfig);
  EXPECT_EQ(chp::oauth::classify_oauth_error("invalid_grant", 503), ErrorClass::kTransient);
  EXPECT_EQ(chp::oauth::classify_oauth_error("something_new", 400), ErrorClass::kPermanent);
}

TEST(TokenErrors, ThrownMessageKeepsProviderText) {
  chp::http::Response resp;
  resp.status = 400;
  resp.body = R"({"error":"invalid_grant","error_description":"expired access/refresh token"})";
  try {
    chp::oauth::throw_oauth_error("token refresh", resp);
    FAIL() << "no throw";
  } catch (const chp::AuthRevokedError& e) {
    EXPECT_STREQ(e.what(), "token refresh: invalid_grant: expired access/refresh token");
  }
  resp.status = 502;
  resp.body = "Bad Gateway";
  EXPECT_THROW(chp::oauth::throw_oauth_error("x", resp), chp::TransientError);
  resp.status = 400;
  resp.body = R"({"error":"invalid_client_id","error_description":"client identifier invalid"})";
  EXPECT_THROW(chp::oauth::throw_oauth_error("x", resp), chp::ConfigError);
}

// A fresh 2048-bit RSA key as PEM, and its public half for verification.
struct TestKey {
  std::string private_pem;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
};

TestKey make_rsa_key() {
  TestKey k;
  k.key.reset(EVP_RSA_gen(2048));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), k.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  k.private_pem.assign(data, static_cast<std::size_t>(len));
  return k;
}

std::optional<std::string> base64url_decode(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4 != 0) s.push_back('=');
  std::string out(s.size(), '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = s.size() - s.find_last_not_of('=') - 1;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

TEST(Jwt, Rs256AssertionVerifiesWithThePublicKey) {
  TestKey k = make_rsa_key();
  chp::salesforce::JwtClaims claims{"consumer", "integration@example.com",
                                    "https://login.salesforce.com", 1'900'000'000};
  std::string jwt = chp::salesforce::sign_jwt_rs256(claims, k.private_pem);
  std::size_t dot1 = jwt.find('.');
  std::size_t dot2 = jwt.rfind('.');
  ASSERT_NE(dot1, dot2);
  EXPECT_EQ(base64url_decode(jwt.substr(0, dot1)), R"({"alg":"RS256","typ":"JWT"})");
  boost::json::value payload =
      boost::json::parse(*base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(payload.at("iss").as_string(), "consumer");
  EXPECT_EQ(payload.at("sub").as_string(), "integration@example.com");
  EXPECT_EQ(payload.at("aud").as_string(), "https://login.salesforce.com");
  EXPECT_EQ(payload.at("exp").as_int64(), 1'900'000'000);

  std::string sig = *base64url_decode(jwt.substr(dot2 + 1));
  std::string input = jwt.substr(0, dot2);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, k.key.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()),
      1);
}

TEST(Jwt, AudienceForMyDomainIsTheLoginHost) {
  using chp::salesforce::default_jwt_audience;
  EXPECT_EQ(default_jwt_audience("https://acme.my.salesforce.com"), "https://login.salesforce.com");
  EXPECT_EQ(default_jwt_audience("https://acme--uat.sandbox.my.salesforce.com"),
            "https://test.salesforce.com");
  EXPECT_EQ(default_jwt_audience("https://test.salesforce.com"), "https://test.salesforce.com");
  EXPECT_EQ(default_jwt_audience("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
}

TEST(Jwt, UnreadableKeyIsConfigErrorWithoutKeyMaterial) {
  try {
    chp::salesforce::sign_jwt_rs256({"a", "b", "c", 1}, "-----BEGIN PRIVATE KEY-----\nnope\n");
    FAIL() << "no throw";
  } catch (const chp::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("nope"), std::string::npos);
  }
}

}  // namespace
