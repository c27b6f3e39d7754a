// Reading the config a connector's create() receives. The host has validated it against the
// plugin's JSON Schema and filled in the schema's defaults (sdk/README.md, "The config schema"),
// so a key the schema gives a default is always present with the declared type: read it with
// these, and keep in code only what a schema cannot say (cross-field rules, API names). A key
// that is absent or of another type means the schema lacks that default or the caller skipped
// the host's validation (a test): chp::ConfigError names the key.
#ifndef CONNECTOR_HOST_SDK_CONFIG_HPP_
#define CONNECTOR_HOST_SDK_CONFIG_HPP_

#include <boost/json.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chp {

// The member `key` of a validated config (`what` names a nested object in messages).
inline const boost::json::value& config_value(const boost::json::object& config,
                                              std::string_view key, std::string_view what = {}) {
  const boost::json::value* v = config.if_contains(key);
  if (v == nullptr) {
    throw ConfigError(detail::field_prefix(what) + "'" + std::string(key) +
                      "' is missing: the host fills it from the schema's default");
  }
  return *v;
}

inline std::string config_string(const boost::json::object& config, std::string_view key,
                                 std::string_view what = {}) {
  const boost::json::value& v = config_value(config, key, what);
  if (!v.is_string()) {
    throw ConfigError(detail::field_prefix(what) + "'" + std::string(key) + "' must be a string");
  }
  return std::string(v.get_string());
}

inline std::int64_t config_int(const boost::json::object& config, std::string_view key,
                               std::string_view what = {}) {
  config_value(config, key, what);  // present
  return optional_int(config, key, 0, ErrorClass::kConfig, what);
}

inline bool config_bool(const boost::json::object& config, std::string_view key,
                        std::string_view what = {}) {
  const boost::json::value& v = config_value(config, key, what);
  if (!v.is_bool()) {
    throw ConfigError(detail::field_prefix(what) + "'" + std::string(key) + "' must be a boolean");
  }
  return v.get_bool();
}

inline const boost::json::array& config_array(const boost::json::object& config,
                                              std::string_view key, std::string_view what = {}) {
  const boost::json::value& v = config_value(config, key, what);
  if (!v.is_array()) {
    throw ConfigError(detail::field_prefix(what) + "'" + std::string(key) + "' must be an array");
  }
  return v.get_array();
}

// Keys the schema gives no default (optional ones, or required ones whose presence the
// schema already enforces): json.hpp's helpers with the class a config problem has.
inline std::optional<std::string> config_optional_string(const boost::json::object& config,
                                                         std::string_view key,
                                                         std::string_view what = {}) {
  return optional_string(config, key, ErrorClass::kConfig, what);
}

inline std::string config_require_string(const boost::json::object& config, std::string_view key,
                                         std::string_view what = {}) {
  return require_string(config, key, ErrorClass::kConfig, what);
}

inline std::int64_t config_optional_int(const boost::json::object& config, std::string_view key,
                                        std::int64_t fallback, std::string_view what = {}) {
  return optional_int(config, key, fallback, ErrorClass::kConfig, what);
}

inline bool config_optional_bool(const boost::json::object& config, std::string_view key,
                                 bool fallback, std::string_view what = {}) {
  return optional_bool(config, key, fallback, ErrorClass::kConfig, what);
}

inline double config_optional_number(const boost::json::object& config, std::string_view key,
                                     double fallback, std::string_view what = {}) {
  return optional_number(config, key, fallback, ErrorClass::kConfig, what);
}

inline std::optional<boost::json::object> config_optional_object(const boost::json::object& config,
                                                                 std::string_view key,
                                                                 std::string_view what = {}) {
  return optional_object(config, key, ErrorClass::kConfig, what);
}

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_CONFIG_HPP_
