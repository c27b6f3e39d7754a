// check_schema(): is a plugin's JSON Schema usable by our validator? Every keyword must be one we
// know, with a value of the right type, so that a typo in a plugin's schema ("requried") fails
// loudly at load time instead of silently validating nothing.
#include <boost/json.hpp>

#include <regex>
#include <set>

#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "suggest.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

const std::vector<std::string>& known_keywords() {
  static const std::vector<std::string> k = {"type",
                                             "properties",
                                             "required",
                                             "additionalProperties",
                                             "enum",
                                             "const",
                                             "minimum",
                                             "maximum",
                                             "exclusiveMinimum",
                                             "exclusiveMaximum",
                                             "minLength",
                                             "maxLength",
                                             "pattern",
                                             "items",
                                             "minItems",
                                             "maxItems",
                                             "uniqueItems",
                                             "default",
                                             "allOf",
                                             "anyOf",
                                             "oneOf",
                                             "not",
                                             "if",
                                             "then",
                                             "else",
                                             "format",
                                             "title",
                                             "description",
                                             "examples",
                                             "$schema",
                                             "$id",
                                             "$comment",
                                             "deprecated",
                                             "readOnly",
                                             "writeOnly"};
  return k;
}

class SchemaChecker {
 public:
  std::vector<std::string> problems;

  void check(const json::value& schema, const std::string& at) {
    if (schema.is_bool()) return;
    if (!schema.is_object()) {
      fail(at, "a schema must be an object or a boolean, got " + describe_value(schema, false));
      return;
    }
    const json::object& s = schema.get_object();
    for (const auto& kv : s) {
      std::string_view key = kv.key();
      std::string here = pointer_append(at, key);
      const json::value& v = kv.value();
      if (key.starts_with("x-")) {
        if (key == "x-secret" && !v.is_bool()) fail(here, "'x-secret' must be a boolean");
        continue;
      }
      if (key == "type") {
        check_type(v, here);
      } else if (key == "properties") {
        if (!v.is_object()) {
          fail(here, "'properties' must be an object of schemas");
          continue;
        }
        for (const auto& p : v.get_object()) check(p.value(), pointer_append(here, p.key()));
      } else if (key == "required") {
        check_string_array(v, here, "required");
      } else if (key == "additionalProperties" || key == "items" || key == "not" || key == "if" ||
                 key == "then" || key == "else") {
        check(v, here);
      } else if (key == "enum") {
        if (!v.is_array() || v.get_array().empty()) fail(here, "'enum' must be a non-empty array");
      } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                 key == "exclusiveMaximum") {
        if (!v.is_number()) fail(here, "'" + std::string(key) + "' must be a number");
      } else if (key == "minLength" || key == "maxLength" || key == "minItems" ||
                 key == "maxItems") {
        bool ok = (v.is_int64() && v.get_int64() >= 0) || v.is_uint64();
        if (!ok) fail(here, "'" + std::string(key) + "' must be a non-negative integer");
      } else if (key == "pattern") {
        if (!v.is_string()) {
          fail(here, "'pattern' must be a string");
          continue;
        }
        try {
          std::regex re{std::string(v.get_string())};
        } catch (const std::regex_error& e) {
          fail(here, "'pattern' is not a valid regular expression: " + std::string(e.what()));
        }
      } else if (key == "uniqueItems" || key == "deprecated" || key == "readOnly" ||
                 key == "writeOnly") {
        if (!v.is_bool()) fail(here, "'" + std::string(key) + "' must be a boolean");
      } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
        if (!v.is_array() || v.get_array().empty()) {
          fail(here, "'" + std::string(key) + "' must be a non-empty array of schemas");
          continue;
        }
        size_t i = 0;
        for (const json::value& sub : v.get_array()) check(sub, pointer_append(here, i++));
      } else if (key == "format" || key == "title" || key == "description" || key == "$schema" ||
                 key == "$id" || key == "$comment") {
        if (!v.is_string()) fail(here, "'" + std::string(key) + "' must be a string");
      } else if (key == "const" || key == "default" || key == "examples") {
        // any JSON value
      } else {
        fail(here, "unknown or unsupported keyword '" + std::string(key) + "'" +
                       did_you_mean(key, known_keywords()));
      }
    }
  }

 private:
  void fail(const std::string& at, std::string what) {
    problems.push_back("at " + (at.empty() ? std::string("/") : at) + ": " + std::move(what));
  }

  void check_type(const json::value& v, const std::string& at) {
    static const std::set<std::string_view> kTypes = {"string", "integer", "number", "boolean",
                                                      "object", "array",   "null"};
    auto one = [&](const json::value& t) {
      if (!t.is_string() || !kTypes.count(t.get_string())) {
        fail(at, "'type' must name string, integer, number, boolean, object, array or null; got " +
                     json::serialize(t));
      }
    };
    if (v.is_array()) {
      if (v.get_array().empty()) fail(at, "'type' must not be an empty array");
      for (const json::value& t : v.get_array()) one(t);
    } else {
      one(v);
    }
  }

  void check_string_array(const json::value& v, const std::string& at, std::string_view name) {
    bool ok = v.is_array();
    if (ok) {
      for (const json::value& e : v.get_array()) ok = ok && e.is_string();
    }
    if (!ok) fail(at, "'" + std::string(name) + "' must be an array of strings");
  }
};

}  // namespace

std::vector<std::string> check_schema(const json::value& schema) {
  SchemaChecker checker;
  checker.check(schema, "");
  return std::move(checker.problems);
}

}  // namespace chost::config
