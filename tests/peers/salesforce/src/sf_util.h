// Salesforce-flavoured primitives for the peer: 18-character record IDs with key prefixes,
// ISO 8601 date/time formatting as the REST API emits it, random tokens and the JSON error
// bodies the REST API returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chpeer/http_types.h"

namespace chpeer::sf {

// Appends the 3-character case-safety suffix to a 15-character ID.
std::string To18CharId(std::string_view id15);
// Normalises a 15- or 18-character ID to 18 characters; nullopt when it is not an ID.
std::optional<std::string> NormalizeId(std::string_view id);
// A fresh 18-character ID with the given 3-character key prefix.
std::string NewId(std::string_view key_prefix);

// "2024-01-01T00:00:00.000+0000"
std::string FormatDateTime(std::int64_t epoch_ms);
// RFC 9110 IMF-fixdate for the HTTP Date header: "Wed, 01 May 2024 12:00:00 GMT"
std::string FormatHttpDate(std::int64_t epoch_ms);
// "2024-01-01"
std::string FormatDate(std::int64_t epoch_ms);
// Accepts 2024-01-01T00:00:00Z, ...00.000Z, ...+0000, ...+00:00; nullopt when malformed.
std::optional<std::int64_t> ParseDateTime(std::string_view text);
// Accepts YYYY-MM-DD; returns midnight UTC in ms.
std::optional<std::int64_t> ParseDate(std::string_view text);

// URL-safe random token of `bytes` random bytes (base64url, no padding).
std::string RandomToken(std::size_t bytes);
std::string Base64Encode(std::string_view data);
std::string Base64UrlEncode(std::string_view data);
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// 4xx/5xx REST error: [{"message":..,"errorCode":..}] (plus "fields" when given).
Response RestError(int status, std::string_view error_code, std::string_view message);
// OAuth endpoint error: {"error":..,"error_description":..}
Response OAuthError(int status, std::string_view error, std::string_view description);

}  // namespace chpeer::sf
