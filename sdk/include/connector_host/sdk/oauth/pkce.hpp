// OAuth 2.0 building blocks shared by every connector: base64url (RFC 4648 §5), random
// tokens from the OS, and PKCE S256 code verifier/challenge pairs (RFC 7636). Uses OpenSSL
// (SHA-256, RAND_bytes): link OpenSSL::Crypto next to ConnectorHost::sdk.
#ifndef CONNECTOR_HOST_SDK_OAUTH_PKCE_HPP_
#define CONNECTOR_HOST_SDK_OAUTH_PKCE_HPP_

#include <connector_host/sdk/error.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chp::oauth {

// base64url without padding: the encoding of PKCE challenges and JWT segments.
inline std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t n = byte(i) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
  } else if (rest == 2) {
    std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

// SHA-256 digest (32 raw bytes).
inline std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw PermanentError("SHA-256 failed (OpenSSL)");
  }
  return std::string(reinterpret_cast<const char*>(digest), len);
}

// `byte_count` bytes from the OS CSPRNG, base64url-encoded: OAuth `state` values and PKCE
// verifiers must be unguessable, so std::mt19937 and friends are not acceptable here.
inline std::string random_token(std::size_t byte_count = 32) {
  std::string raw(byte_count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
    throw TransientError("random source unavailable (OpenSSL RAND_bytes)");
  }
  return base64url_encode(raw);
}

// The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2).
inline std::string pkce_challenge_s256(std::string_view code_verifier) {
  return base64url_encode(sha256(code_verifier));
}

struct PkcePair {
  std::string code_verifier;   // secret: kept by the client until the code exchange
  std::string code_challenge;  // sent on the authorization URL
  static constexpr std::string_view kMethod = "S256";
};

// A fresh verifier (32 random bytes → 43 characters, the RFC's recommended minimum entropy)
// and its S256 challenge.
inline PkcePair make_pkce_pair() {
  PkcePair pair;
  pair.code_verifier = random_token(32);
  pair.code_challenge = pkce_challenge_s256(pair.code_verifier);
  return pair;
}

}  // namespace chp::oauth

#endif  // CONNECTOR_HOST_SDK_OAUTH_PKCE_HPP_
