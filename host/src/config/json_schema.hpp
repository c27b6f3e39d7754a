// JSON Schema (draft-07) for the host: validate_instance() checks a value with valijson
// (schema_compile.hpp), fills the schema's defaults into it first and words every problem the way
// the host always has (schema_messages.hpp); check_schema() tells a plugin author what is wrong
// with a schema before any instance is validated against it (schema_check.cpp).
//
// Keywords: all of draft-07's validation keywords with local "$ref"s (#/$defs/..,
// #/definitions/..), plus 2019-09's dependentRequired; sdk/README.md lists them. Formats "uri"
// and "x-duration" (also "duration": "15m", "30s") are checked, others are annotations. Host
// keywords: "x-secret": true, whose values are never echoed and are reported back for
// redaction; other vendor keywords starting with "x-" are ignored.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace chost::config {

// `pattern` is matched with std::regex, which recurses about once per character of the value: a
// longer value is reported as too long for its pattern instead of being matched.
inline constexpr size_t kMaxPatternInputBytes = 4096;

struct SchemaIssue {
  std::string pointer;  // where in the instance (JSON Pointer)
  bool at_key = false;  // report the position of the key (unknown keys), not of the value
  std::string message;
};

struct ValidationOptions {
  bool fill_defaults = true;
  // Instance pointers whose values must never be echoed in messages (resolved secret refs).
  const std::unordered_set<std::string>* hidden_pointers = nullptr;
};

struct ValidationResult {
  std::vector<SchemaIssue> issues;
  std::vector<std::string> secret_pointers;  // present values whose schema says x-secret: true

  bool ok() const { return issues.empty(); }
};

// Validates `instance` in place (defaults are filled into it). `schema` must have passed
// check_schema(); the pointers in the result are relative to `instance`.
ValidationResult validate_instance(const boost::json::value& schema, boost::json::value& instance,
                                   const ValidationOptions& options = {});

// Problems that make `schema` unusable, each "at <schema pointer>: <what>". Empty = usable.
std::vector<std::string> check_schema(const boost::json::value& schema);

// "integer 5", "string \"abc\"", "object"... for messages; hidden values are not shown.
std::string describe_value(const boost::json::value& v, bool hidden);

// Parses "500ms", "30s", "15m", "2h", "1d" into milliseconds; nullopt when malformed or too big.
std::optional<int64_t> parse_duration_ms(std::string_view text);

}  // namespace chost::config
