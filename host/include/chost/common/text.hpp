// Small text helpers the host's subsystems share (HTTP header names, bearer schemes,
// config values, query strings, UTF-8 checks of config files and log lines). One copy here so they
// cannot drift apart; the SDK keeps its own (sdk/include/connector_host/sdk/http/) because it is
// installed without the host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chost::text {

// ASCII case-insensitive equality: HTTP header names and auth schemes are case-insensitive, and
// locale-dependent folding would make "I" and "i" differ under a Turkish locale.
bool iequals(std::string_view a, std::string_view b) noexcept;

// ASCII lower-case copy (non-ASCII bytes unchanged).
std::string to_lower(std::string_view s);

// `s` without leading and trailing ASCII whitespace (space, tab, CR, LF). Covers both HTTP
// optional whitespace and the line endings of header lines and key files.
std::string_view trim(std::string_view s) noexcept;

// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), so the
// result is safe as a query value or a path segment.
std::string url_encode(std::string_view s);

// Decodes a query component: %XX escapes and '+' as space. Lenient: a '%' not followed by two
// hex digits is kept as is (the values come from browsers and are only compared, never trusted).
std::string url_decode(std::string_view s);

// Milliseconds since the Unix epoch as UTC ISO 8601 to the second: 2026-12-02T08:30:00Z.
std::string iso8601_utc(int64_t at_ms);

// Length of the valid UTF-8 sequence starting at s[i] (1 to 4), or 0 when it is invalid:
// truncated, overlong, a surrogate or beyond U+10FFFF. Requires i < s.size().
size_t utf8_sequence_length(std::string_view s, size_t i) noexcept;

// Offset of the first byte that does not start a valid UTF-8 sequence; npos when `s` is valid.
size_t find_invalid_utf8(std::string_view s) noexcept;

}  // namespace chost::text
