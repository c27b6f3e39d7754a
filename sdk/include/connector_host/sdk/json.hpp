// JSON helpers over Boost.JSON (the SDK's JSON type): non-throwing parsing into an object and
// typed field access that fails with a chp::Error naming the field, so input validation reads
// as one line per field.
//
// The default class of a field error is kPermanent (CHP_ERR_PERMANENT): hook input the host
// built and answers a remote API sent are not something an admin fixes in the YAML, and a
// retry would see the same bytes (plugin_api.h: CONFIG is "fix the YAML", PERMANENT "anything
// else that will not succeed on retry"). Config blocks are read with the config_* helpers of
// config.hpp, which fail with kConfig; pass `cls` to say otherwise.
#ifndef CONNECTOR_HOST_SDK_JSON_HPP_
#define CONNECTOR_HOST_SDK_JSON_HPP_

#include <connector_host/sdk/error.hpp>

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chp {

// Parses `text` as a JSON object. Throws an Error of class `cls` (e.g. ConfigError for a
// config block) saying which document (`what`) was bad; the text itself is never echoed
// because it may hold credentials.
inline boost::json::object parse_object(std::string_view text, ErrorClass cls,
                                        std::string_view what) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) {
    throw_error(cls, std::string(what) + " is not valid JSON: " + ec.message());
  }
  if (!value.is_object()) {
    throw_error(cls, std::string(what) + " must be a JSON object");
  }
  return std::move(value.as_object());
}

// Parses any JSON value; std::nullopt when `text` is not valid JSON.
inline std::optional<boost::json::value> try_parse(std::string_view text,
                                                   boost::json::storage_ptr storage = {}) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, std::move(storage));
  if (ec) return std::nullopt;
  return value;
}

namespace detail {
// "what: " when `what` names the document, so messages read "authorize input: 'code' ...".
inline std::string field_prefix(std::string_view what) {
  return what.empty() ? std::string() : std::string(what) + ": ";
}
}  // namespace detail

// A string member, or std::nullopt when absent or null. Throws `cls` when present with
// another type. `what`, when given, names the document in the message.
inline std::optional<std::string> optional_string(const boost::json::object& obj,
                                                  std::string_view key,
                                                  ErrorClass cls = ErrorClass::kPermanent,
                                                  std::string_view what = {}) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    throw_error(cls, detail::field_prefix(what) + "'" + std::string(key) + "' must be a string");
  }
  return std::string(v->as_string());
}

// A non-empty string member; throws `cls` naming the field otherwise.
inline std::string require_string(const boost::json::object& obj, std::string_view key,
                                  ErrorClass cls = ErrorClass::kPermanent,
                                  std::string_view what = {}) {
  std::optional<std::string> s = optional_string(obj, key, cls, what);
  if (!s || s->empty()) {
    throw_error(cls, detail::field_prefix(what) + "'" + std::string(key) +
                         "' is required and must be a non-empty string");
  }
  return *s;
}

// An integer member (JSON numbers with an integral value), or `fallback` when absent.
inline std::int64_t optional_int(const boost::json::object& obj, std::string_view key,
                                 std::int64_t fallback, ErrorClass cls = ErrorClass::kPermanent,
                                 std::string_view what = {}) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  if (v->is_double()) {
    // In range before the conversion: casting 1e78 to int64 is undefined behaviour.
    const double d = v->as_double();
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) {
      return static_cast<std::int64_t>(d);
    }
  }
  throw_error(cls, detail::field_prefix(what) + "'" + std::string(key) + "' must be an integer");
}

// A boolean member, or `fallback` when absent or null. Throws `cls` for another type.
inline bool optional_bool(const boost::json::object& obj, std::string_view key, bool fallback,
                          ErrorClass cls = ErrorClass::kPermanent, std::string_view what = {}) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_bool()) return v->as_bool();
  throw_error(cls, detail::field_prefix(what) + "'" + std::string(key) + "' must be a boolean");
}

// A number member (integer or not), or `fallback` when absent or null. Throws `cls` for
// another type.
inline double optional_number(const boost::json::object& obj, std::string_view key, double fallback,
                              ErrorClass cls = ErrorClass::kPermanent, std::string_view what = {}) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_number()) return v->to_number<double>();
  throw_error(cls, detail::field_prefix(what) + "'" + std::string(key) + "' must be a number");
}

// An object member, or std::nullopt when absent or null.
inline std::optional<boost::json::object> optional_object(const boost::json::object& obj,
                                                          std::string_view key,
                                                          ErrorClass cls = ErrorClass::kPermanent,
                                                          std::string_view what = {}) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_object()) {
    throw_error(cls, detail::field_prefix(what) + "'" + std::string(key) + "' must be an object");
  }
  return v->as_object();
}

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_JSON_HPP_
