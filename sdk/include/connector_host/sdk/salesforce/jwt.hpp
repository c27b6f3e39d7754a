// RS256 JWT assertions for the OAuth 2.0 JWT bearer flow (RFC 7523), as Salesforce's
// "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration" expects them:
// header {"alg":"RS256"}, claims iss = consumer key, sub = username, aud = login URL,
// exp = now + at most 3 minutes. Signed with OpenSSL EVP; link OpenSSL::Crypto.
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_JWT_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_JWT_HPP_

#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/oauth/pkce.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace chp::salesforce {

struct JwtClaims {
  std::string issuer;    // the connected app's consumer key (client_id)
  std::string subject;   // the Salesforce username the token is issued for
  std::string audience;  // https://login.salesforce.com, https://test.salesforce.com or the site
  std::int64_t expires_at_s = 0;  // seconds since the epoch
};

// Signs `claims` with the PEM private key (PKCS#8 or PKCS#1 RSA). ConfigError when the key
// cannot be read (the message never contains key material).
inline std::string sign_jwt_rs256(const JwtClaims& claims, std::string_view private_key_pem) {
  struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
  };
  struct KeyFree {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
  };
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  if (!bio) throw PermanentError("JWT signing: out of memory");
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw ConfigError("JWT signing: the private key is not a readable PEM private key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    throw ConfigError("JWT signing: RS256 needs an RSA private key");
  }

  boost::json::object payload{{"iss", claims.issuer},
                              {"sub", claims.subject},
                              {"aud", claims.audience},
                              {"exp", claims.expires_at_s}};
  std::string signing_input = oauth::base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." +
                              oauth::base64url_encode(boost::json::serialize(payload));

  std::unique_ptr<EVP_MD_CTX, CtxFree> md(EVP_MD_CTX_new());
  std::size_t sig_len = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &sig_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    throw PermanentError("JWT signing: OpenSSL could not initialise RS256");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    throw PermanentError("JWT signing: RS256 signature failed");
  }
  sig.resize(sig_len);
  return signing_input + "." + oauth::base64url_encode(sig);
}

// Claims expiring `lifetime_s` from now (Salesforce accepts at most 3 minutes).
inline JwtClaims make_jwt_claims(std::string issuer, std::string subject, std::string audience,
                                 std::int64_t lifetime_s = 170) {
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return JwtClaims{std::move(issuer), std::move(subject), std::move(audience),
                   static_cast<std::int64_t>(now_s) + lifetime_s};
}

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_JWT_HPP_
