// Salesforce REST error bodies and their error classes. The REST API answers failures with
// `[{"message":"...","errorCode":"...","fields":[...]}]`; this file parses that shape and
// maps it onto the SDK's classes so every Salesforce connector reacts the same way:
//   5xx, REQUEST_LIMIT_EXCEEDED, SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, 429 → TransientError
//   INVALID_SESSION_ID (after one refresh + retry, see client.hpp)         → AuthRevokedError
//   MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR,
//   API_DISABLED_FOR_ORG, INSUFFICIENT_ACCESS*, NOT_FOUND on a configured object → ConfigError
//   anything else                                                           → PermanentError
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_ERRORS_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_ERRORS_HPP_

#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/json.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chp::salesforce {

struct ApiError {
  std::string error_code;  // "errorCode" (REST) or "statusCode" (per-record results)
  std::string message;
  std::vector<std::string> fields;

  // "INVALID_FIELD: No such column 'Foo' on entity 'Account' (fields: Foo)"
  std::string to_string() const {
    std::string out = error_code.empty() ? std::string("UNKNOWN_ERROR") : error_code;
    if (!message.empty()) out += ": " + message;
    if (!fields.empty()) {
      out += " (fields: ";
      for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i];
      out += ")";
    }
    return out;
  }
};

// One error object; accepts both "errorCode" (REST errors) and "statusCode" (Collections).
inline ApiError parse_api_error_object(const boost::json::object& o) {
  ApiError e;
  auto str = [&](std::string_view k) -> std::string {
    const boost::json::value* v = o.if_contains(k);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  e.error_code = str("errorCode");
  if (e.error_code.empty()) e.error_code = str("statusCode");
  e.message = str("message");
  if (const boost::json::value* f = o.if_contains("fields"); f && f->is_array()) {
    for (const boost::json::value& x : f->as_array()) {
      if (x.is_string()) e.fields.emplace_back(x.as_string());
    }
  }
  return e;
}

// The errors of a failed REST response: the documented array, a single object, or (for
// bodies that are not JSON) one error carrying the HTTP status only.
inline std::vector<ApiError> parse_api_errors(std::string_view body) {
  std::vector<ApiError> out;
  std::optional<boost::json::value> v = try_parse(body);
  if (v && v->is_array()) {
    for (const boost::json::value& item : v->as_array()) {
      if (item.is_object()) out.push_back(parse_api_error_object(item.as_object()));
    }
  } else if (v && v->is_object()) {
    out.push_back(parse_api_error_object(v->as_object()));
  }
  return out;
}

inline ErrorClass classify_api_error(std::uint32_t http_status, std::string_view error_code) {
  if (error_code == "REQUEST_LIMIT_EXCEEDED" || error_code == "SERVER_UNAVAILABLE" ||
      error_code == "UNABLE_TO_LOCK_ROW" || error_code == "QUERY_TIMEOUT" || http_status >= 500 ||
      http_status == 429) {
    return ErrorClass::kTransient;
  }
  if (error_code == "INVALID_SESSION_ID" || http_status == 401) return ErrorClass::kAuthRevoked;
  if (error_code == "MALFORMED_QUERY" || error_code == "INVALID_FIELD" ||
      error_code == "INVALID_TYPE" || error_code == "INVALID_QUERY_FILTER_OPERATOR" ||
      error_code == "API_DISABLED_FOR_ORG" || error_code == "API_CURRENTLY_DISABLED" ||
      error_code.starts_with("INSUFFICIENT_ACCESS") ||
      error_code == "INVALID_FIELD_FOR_INSERT_UPDATE" || error_code == "NOT_FOUND") {
    return ErrorClass::kConfig;
  }
  return ErrorClass::kPermanent;
}

// Throws the classified error of a non-2xx REST response. `what` says what was attempted,
// e.g. "query Account"; the message then reads "query Account: HTTP 400 INVALID_FIELD: ...".
[[noreturn]] inline void throw_api_error(std::string_view what, const http::Response& resp) {
  std::vector<ApiError> errors = parse_api_errors(resp.body);
  std::string msg = std::string(what) + ": HTTP " + std::to_string(resp.status);
  std::string code;
  for (const ApiError& e : errors) {
    msg += " " + e.to_string();
    if (code.empty()) code = e.error_code;
  }
  switch (classify_api_error(resp.status, code)) {
    case ErrorClass::kTransient:
      throw TransientError(msg);
    case ErrorClass::kAuthRevoked:
      throw AuthRevokedError(msg);
    case ErrorClass::kConfig:
      throw ConfigError(msg);
    default:
      throw PermanentError(msg);
  }
}

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_ERRORS_HPP_
