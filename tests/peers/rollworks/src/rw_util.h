// RollWorks-flavoured primitives private to the peer: the API's error envelope, ISO 8601
// times, domain/email normalisation, random ids and the opaque cursor encoding. Kept here
// rather than in tests/peers/common so the shared toolkit stays peer-neutral.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "chpeer/http_types.h"

namespace chpeer::rollworks {

// {"error":{"code","message","request_id"[,"details"]}} with the given status.
Response ApiError(int status, std::string_view code, std::string_view message,
                  const std::string& request_id, const boost::json::object& details = {});
// 200 (or `status`) with a JSON body.
Response JsonResponse(const boost::json::value& body, int status = 200);

// Field readers for JSON request/seed objects: the fallback when the key is missing or holds
// another type.
std::string StringField(const boost::json::object& o, const char* key,
                        const std::string& fallback = "");
std::optional<std::string> OptionalStringField(const boost::json::object& o, const char* key);
std::int64_t IntField(const boost::json::object& o, const char* key, std::int64_t fallback);
bool BoolField(const boost::json::object& o, const char* key, bool fallback);
// The object itself, or an empty object for any other JSON value.
const boost::json::object& ObjectOrEmpty(const boost::json::value& v);

// "2026-01-31T09:30:00Z"
std::string FormatTime(std::int64_t epoch_ms);

// Lower-case host name without scheme, userinfo, port, path, query, fragment, leading
// "www." and trailing "."; nullopt unless it is a dotted name of [a-z0-9-.] (API.md §3).
std::optional<std::string> NormalizeDomain(std::string_view input);
// local@host.tld with no spaces; the caller lower-cases for matching.
bool IsValidEmail(std::string_view email);
bool IsValidDate(std::string_view text);  // YYYY-MM-DD

// `bytes` random bytes as lower-case hex.
std::string RandomHex(std::size_t bytes);

// Opaque cursors: the parts joined and hex-encoded; Decode returns nullopt when malformed.
std::string EncodeCursor(const std::vector<std::string>& parts);
std::optional<std::vector<std::string>> DecodeCursor(std::string_view cursor);

}  // namespace chpeer::rollworks
