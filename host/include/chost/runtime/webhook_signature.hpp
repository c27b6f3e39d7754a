// Webhook signatures of host.notify deliveries. Every POST carries
//   X-Chost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// The timestamp is inside the signed bytes, so a receiver that checks both the MAC and that `t`
// is recent (e.g. within 5 minutes) refuses a replayed old delivery; the Idempotency-Key header
// (the event id) lets it drop a retried delivery it already processed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chost::runtime {

inline constexpr const char* kSignatureHeader = "X-Chost-Signature";

// Lower-case hex of HMAC-SHA256(key, message) (RFC 2104; any key length).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The header value for `body` signed at `unix_s`.
std::string webhook_signature(std::string_view secret, int64_t unix_s, std::string_view body);

// What a receiver does: parses t= and v1=, recomputes the MAC (constant-time compare) and
// accepts only when |now_s - t| <= tolerance_s.
bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, int64_t now_s, int64_t tolerance_s);

}  // namespace chost::runtime
