// Microsoft-flavoured primitives for the Graph peer: Graph and identity-platform error bodies,
// the date/time text Graph emits, Exchange-looking item IDs, and small JSON accessors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "chpeer/http_types.h"

namespace chpeer::graph {

// Identifies one Graph call for error bodies and response headers.
struct CallIds {
  std::string request_id;         // generated per call
  std::string client_request_id;  // echoed from the client-request-id header, else generated
  std::int64_t now_ms = 0;        // peer clock
};

// {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}, with
// the request-id / client-request-id response headers.
Response GraphError(int status, std::string_view code, std::string_view message,
                    const CallIds& ids);
// A JSON Graph response (OData content type, OData-Version, request ids).
Response GraphJson(int status, const boost::json::value& body, const CallIds& ids);

// The identity platform's error body: error, error_description (AADSTSnnn: text + trace,
// correlation and timestamp lines), error_codes, timestamp, trace_id, correlation_id,
// error_uri.
Response AadError(int status, std::string_view error, int aadsts, std::string_view text,
                  std::int64_t now_ms);

// "2024-01-01T10:00:00Z": messages' and events' *DateTime properties.
std::string GraphDateTime(std::int64_t epoch_ms);
// "2024-01-01T10:00:00.0000000": dateTimeTimeZone.dateTime of events.
std::string EventDateTime(std::int64_t epoch_ms);

// Exchange-looking, URL-safe IDs ("AAMkAD..." items, "AQMkAD..." folders).
std::string NewItemId();
std::string NewFolderId();
std::string NewChangeKey();

// An itemBody's content as plain text: HTML tags dropped, common entities decoded, runs of
// white space collapsed (bodyPreview, Prefer: outlook.body-content-type="text").
std::string BodyText(const boost::json::object& body);

// Reads a string / integer member; fallback when absent or of another type.
std::string Str(const boost::json::object& o, std::string_view key, std::string fallback = "");
std::int64_t Int(const boost::json::object& o, std::string_view key, std::int64_t fallback);
// "a,b , c" -> {"a","b","c"}
std::vector<std::string> SplitList(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace chpeer::graph
