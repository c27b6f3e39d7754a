// HMAC-SHA256 webhook signatures (libsodium's crypto_auth_hmacsha256 streaming API, which takes
// keys of any length as RFC 2104 says).
#include "chost/runtime/webhook_signature.hpp"

#include <sodium.h>

#include <charconv>
#include <string>

namespace chost::runtime {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, crypto_auth_hmacsha256_BYTES * 2);
}

std::string webhook_signature(std::string_view secret, int64_t unix_s, std::string_view body) {
  const std::string t = std::to_string(unix_s);
  std::string signed_bytes = t;
  signed_bytes += '.';
  signed_bytes += body;
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, signed_bytes);
}

bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, int64_t now_s, int64_t tolerance_s) {
  std::string_view t;
  std::string_view v1;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.starts_with("t=")) t = part.substr(2);
    if (part.starts_with("v1=")) v1 = part.substr(3);
  }
  int64_t at = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), at);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return false;
  if (now_s - at > tolerance_s || at - now_s > tolerance_s) return false;
  std::string signed_bytes(t);
  signed_bytes += '.';
  signed_bytes += body;
  const std::string want = hmac_sha256_hex(secret, signed_bytes);
  return v1.size() == want.size() && sodium_memcmp(v1.data(), want.data(), want.size()) == 0;
}

}  // namespace chost::runtime
