// check_schema(): is a plugin's JSON Schema usable? Three steps, each naming the JSON pointer of
// the bad keyword: every keyword must be a draft-07 one (or an "x-" extension), with a value of
// the right type, so that a typo ("requried", "strnig") fails loudly at load time instead of
// silently validating nothing; then the schema must validate against the draft-07 meta-schema;
// then valijson must compile it (a "$ref" that resolves, a pattern it can use).
#include <boost/json.hpp>

#include <regex>
#include <set>

#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "metaschema.hpp"
#include "schema_compile.hpp"
#include "schema_messages.hpp"
#include "schema_walk.hpp"
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
                                             "writeOnly",
                                             "$ref",
                                             "definitions",
                                             "$defs",
                                             "dependencies",
                                             "dependentRequired",
                                             "patternProperties",
                                             "propertyNames",
                                             "contains",
                                             "additionalItems",
                                             "multipleOf",
                                             "minProperties",
                                             "maxProperties",
                                             "contentMediaType",
                                             "contentEncoding"};
  return k;
}

// "$schema" values whose keywords the host validates as draft-07 does. 2019-09 and 2020-12 share
// every keyword the host accepts except the array form of "items" (draft-07's tuples).
bool is_draft07(std::string_view uri) {
  return uri == kDraft07Uri || uri == "http://json-schema.org/draft-07/schema" ||
         uri == "https://json-schema.org/draft-07/schema#" ||
         uri == "https://json-schema.org/draft-07/schema";
}
bool is_later_draft(std::string_view uri) {
  return uri.find("json-schema.org/draft/2019-09/schema") != std::string_view::npos ||
         uri.find("json-schema.org/draft/2020-12/schema") != std::string_view::npos;
}

class SchemaChecker {
 public:
  explicit SchemaChecker(const json::value& root) : root_(root) {
    const json::value* declared =
        root.is_object() ? root.get_object().if_contains("$schema") : nullptr;
    later_draft_ = declared && declared->is_string() && is_later_draft(declared->get_string());
  }

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
      } else if (key == "items" && v.is_array()) {
        if (later_draft_) {
          fail(here,
               "'items' as an array is draft-07's tuple form, which 2019-09/2020-12 spell "
               "'prefixItems': declare \"$schema\": \"" +
                   std::string(kDraft07Uri) + "\" or use one schema");
          continue;
        }
        size_t i = 0;
        for (const json::value& sub : v.get_array()) check(sub, pointer_append(here, i++));
      } else if (key == "additionalProperties" || key == "items" || key == "not" || key == "if" ||
                 key == "then" || key == "else" || key == "propertyNames" || key == "contains" ||
                 key == "additionalItems") {
        check(v, here);
      } else if (key == "definitions" || key == "$defs" || key == "patternProperties") {
        if (!v.is_object()) {
          fail(here, "'" + std::string(key) + "' must be an object of schemas");
          continue;
        }
        for (const auto& p : v.get_object()) {
          if (key == "patternProperties") check_regex(p.key(), pointer_append(here, p.key()));
          check(p.value(), pointer_append(here, p.key()));
        }
      } else if (key == "dependencies" || key == "dependentRequired") {
        if (!v.is_object()) {
          fail(here, "'" + std::string(key) + "' must be an object");
          continue;
        }
        for (const auto& p : v.get_object()) {
          const std::string at_dep = pointer_append(here, p.key());
          if (p.value().is_array() || key == "dependentRequired") {
            check_string_array(p.value(), at_dep, key);
          } else {
            check(p.value(), at_dep);
          }
        }
      } else if (key == "$ref") {
        check_ref(v, here);
      } else if (key == "multipleOf") {
        if (!v.is_number() || !(v.is_double() ? v.get_double() > 0 : v.to_number<double>() > 0)) {
          fail(here, "'multipleOf' must be a number greater than 0");
        }
      } else if (key == "enum") {
        if (!v.is_array() || v.get_array().empty()) fail(here, "'enum' must be a non-empty array");
      } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                 key == "exclusiveMaximum") {
        if (!v.is_number()) fail(here, "'" + std::string(key) + "' must be a number");
      } else if (key == "minLength" || key == "maxLength" || key == "minItems" ||
                 key == "maxItems" || key == "minProperties" || key == "maxProperties") {
        bool ok = (v.is_int64() && v.get_int64() >= 0) || v.is_uint64();
        if (!ok) fail(here, "'" + std::string(key) + "' must be a non-negative integer");
      } else if (key == "pattern") {
        if (!v.is_string()) {
          fail(here, "'pattern' must be a string");
          continue;
        }
        check_regex(v.get_string(), here, "'pattern' is");
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
                 key == "$id" || key == "$comment" || key == "contentMediaType" ||
                 key == "contentEncoding") {
        if (!v.is_string()) {
          fail(here, "'" + std::string(key) + "' must be a string");
        } else if (key == "$schema" && !is_draft07(v.get_string()) &&
                   !is_later_draft(v.get_string())) {
          fail(here, "the host validates JSON Schema draft-07 (\"" + std::string(kDraft07Uri) +
                         "\"), not " + json::serialize(v));
        }
      } else if (key == "const" || key == "default" || key == "examples") {
        // any JSON value
      } else {
        fail(here, "unknown or unsupported keyword '" + std::string(key) + "'" +
                       did_you_mean(key, known_keywords()));
      }
    }
  }

 private:
  void check_regex(std::string_view pattern, const std::string& at,
                   std::string_view what = "the property name pattern is") {
    try {
      std::regex re{std::string(pattern)};
    } catch (const std::regex_error& e) {
      fail(at, std::string(what) + " not a valid regular expression: " + std::string(e.what()));
    }
  }

  // Only references inside the schema: the host fetches nothing at load time.
  void check_ref(const json::value& v, const std::string& at) {
    if (!v.is_string()) {
      fail(at, "'$ref' must be a string");
    } else if (!v.get_string().starts_with("#")) {
      fail(at, "'$ref' " + json::serialize(v) +
                   " points outside the schema: only \"#/...\" references are supported");
    } else if (resolve_local_ref(root_, v.get_string()) == nullptr) {
      fail(at, "'$ref' " + json::serialize(v) + " names nothing in this schema");
    }
  }

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

  const json::value& root_;
  bool later_draft_ = false;
};

const json::value& metaschema() {
  // Without its "$id", whose URI valijson would resolve the "#/definitions/..." references
  // against (fetching the published copy); the text is the same document.
  static const json::value schema = [] {
    json::value v = json::parse(draft07_metaschema_json());
    v.as_object().erase("$id");
    return v;
  }();
  return schema;
}

}  // namespace

std::vector<std::string> check_schema(const json::value& schema) {
  SchemaChecker checker(schema);
  checker.check(schema, "");
  if (!checker.problems.empty()) return std::move(checker.problems);
  // What the keyword walk does not look at (e.g. "required" naming a key twice) the
  // meta-schema says; its errors point into the plugin's schema.
  SchemaSet meta(metaschema());
  std::vector<RawError> raw;
  meta.validate("", schema, &raw);
  json::value copy = schema;
  for (const SchemaIssue& issue : translate_errors(meta, {&metaschema(), ""}, copy, raw,
                                                   [](const std::string&) { return false; })) {
    checker.problems.push_back("at " + (issue.pointer.empty() ? std::string("/") : issue.pointer) +
                               ": " + issue.message + " (draft-07 meta-schema)");
  }
  if (!checker.problems.empty()) return std::move(checker.problems);
  if (std::string problem = compile_problem(schema); !problem.empty()) {
    checker.problems.push_back("at /: " + problem);
  }
  return std::move(checker.problems);
}

}  // namespace chost::config
