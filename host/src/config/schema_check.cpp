// check_schema(): is a plugin's JSON Schema usable? valijson decides, validating the schema
// against the host's meta-schema (draft-07's with the host's rules, metaschema.cpp), then
// compiling it. What stays here is what the meta-schema cannot say and the wording:
//  - keywords the host does not know ("requried", "strnig" is the meta-schema's): draft-07
//    allows any keyword, which would silently validate nothing; each gets a did-you-mean;
//  - a "$ref" that names nothing and a patternProperties name that is no regular expression,
//    at the pointer of the keyword (valijson says neither where), and draft-07's tuple "items"
//    in a schema that declares a later draft;
//  - each meta-schema error worded for the keyword whose value it refuses ("'minLength' must be a
//    non-negative integer"), at the JSON pointer of that keyword.
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

const json::value& host_metaschema() {
  static const json::value schema = json::parse(host_metaschema_json());
  return schema;
}

// The keywords the host knows: the meta-schema's, and annotations it does not describe.
const std::vector<std::string>& known_keywords() {
  static const std::vector<std::string> known = [] {
    std::vector<std::string> k;
    for (const auto& kv : host_metaschema().at("properties").as_object()) {
      k.emplace_back(kv.key());
    }
    return k;
  }();
  return known;
}

bool is_later_draft(const json::value& schema) {
  const json::value* declared =
      schema.is_object() ? schema.get_object().if_contains("$schema") : nullptr;
  return declared && declared->is_string() &&
         (declared->get_string().find("/draft/2019-09/") != json::string::npos ||
          declared->get_string().find("/draft/2020-12/") != json::string::npos);
}

std::string regex_problem(std::string_view pattern) {
  try {
    std::regex re{std::string(pattern)};
  } catch (const std::regex_error& e) {
    return e.what();
  }
  return "";
}

class SchemaChecker {
 public:
  explicit SchemaChecker(const json::value& root)
      : root_(root), later_draft_(is_later_draft(root)) {}

  std::vector<std::string> problems;

  // Notes every schema position, and what the host refuses there beyond the meta-schema.
  void walk(const json::value& schema, const std::string& at) {
    positions_.insert(at);
    if (const json::object* s = schema.if_object()) {
      for (const auto& kv : *s) {
        const std::string_view key = kv.key();
        const std::string here = pointer_append(at, key);
        if (key.starts_with("x-")) continue;
        const auto& known = known_keywords();
        if (std::find(known.begin(), known.end(), key) == known.end()) {
          fail(here, "unknown or unsupported keyword '" + std::string(key) + "'" +
                         did_you_mean(key, known));
        } else if (key == "$ref" && kv.value().is_string() &&
                   kv.value().get_string().starts_with("#") &&
                   resolve_local_ref(root_, kv.value().get_string()) == nullptr) {
          fail(here, "'$ref' " + json::serialize(kv.value()) + " names nothing in this schema");
        } else if (key == "items" && kv.value().is_array() && later_draft_) {
          fail(here,
               "'items' as an array is draft-07's tuple form, which 2019-09/2020-12 spell "
               "'prefixItems': declare \"$schema\": \"" +
                   std::string(kDraft07Uri) + "\" or use one schema");
        } else if (key == "patternProperties" && kv.value().is_object()) {
          for (const auto& p : kv.value().get_object()) {
            if (std::string why = regex_problem(p.key()); !why.empty()) {
              fail(pointer_append(here, p.key()),
                   "the property name pattern is not a valid regular expression: " + why);
            }
          }
        }
      }
    }
    for_each_subschema(schema, at,
                       [&](const json::value& child, const std::string& ptr) { walk(child, ptr); });
  }

  // One meta-schema error, worded for the keyword whose value it refuses.
  void add(const SchemaIssue& issue) {
    if (positions_.count(issue.pointer)) {
      if (issue.message.starts_with("expected ")) {
        const json::value* v = pointer_find(root_, issue.pointer);
        fail(issue.pointer,
             "a schema must be an object or a boolean, got " + describe_value(*v, false));
      } else {
        generic(issue);
      }
      return;
    }
    // The keyword: the token right below the nearest schema position above the error.
    std::string schema_at = issue.pointer;
    std::string below;
    while (!schema_at.empty() && !positions_.count(schema_at)) {
      below = schema_at;
      schema_at = pointer_parent(schema_at);
    }
    if (below.empty()) return generic(issue);
    const std::string keyword = pointer_tokens(below).back();
    const json::value& value = *pointer_find(root_, below);
    const bool own = issue.pointer == below;  // the keyword's value itself, not a member of it
    const bool member_type = !own && (issue.message.starts_with("expected ") ||
                                      issue.message.starts_with("must be one of "));
    auto word = [&](std::string what, const std::string& at) {
      fail(at, "'" + keyword + "' " + what);
    };
    if (keyword == "type" && (own || member_type)) {
      if (value.is_array() && value.get_array().empty()) {
        word("must not be an empty array", below);
      } else {
        word("must name string, integer, number, boolean, object, array or null; got " +
                 json::serialize(*pointer_find(root_, issue.pointer)),
             below);
      }
    } else if ((keyword == "dependencies" || keyword == "dependentRequired") && !own) {
      const std::string dependency =
          pointer_append(below, pointer_tokens(issue.pointer).at(pointer_tokens(below).size()));
      if (member_type || dependency == issue.pointer) {
        word("must be an array of strings", dependency);
      } else {
        generic(issue);
      }
    } else if (keyword == "$schema" && own && value.is_string()) {
      fail(below, "the host validates JSON Schema draft-07 (\"" + std::string(kDraft07Uri) +
                      "\"), not " + json::serialize(value));
    } else if (keyword == "$ref" && own && value.is_string()) {
      fail(below, "'$ref' " + json::serialize(value) +
                      " points outside the schema: only \"#/...\" references are supported");
    } else if (keyword == "pattern" && own && value.is_string()) {
      word("is not a valid regular expression: " + regex_problem(value.get_string()), below);
    } else if (std::string what = requirement(keyword); !what.empty() && (own || member_type)) {
      word(what, below);
    } else {
      generic(issue);
    }
  }

 private:
  // What the meta-schema asks of a keyword's value, in words.
  static std::string requirement(std::string_view keyword) {
    static const std::vector<std::pair<std::vector<std::string_view>, const char*>> kWords = {
        {{"properties", "definitions", "$defs", "patternProperties"},
         "must be an object of schemas"},
        {{"required"}, "must be an array of strings"},
        {{"dependencies", "dependentRequired"}, "must be an object"},
        {{"multipleOf"}, "must be a number greater than 0"},
        {{"enum"}, "must be a non-empty array"},
        {{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}, "must be a number"},
        {{"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"},
         "must be a non-negative integer"},
        {{"uniqueItems", "deprecated", "readOnly", "writeOnly", "x-secret"}, "must be a boolean"},
        {{"allOf", "anyOf", "oneOf"}, "must be a non-empty array of schemas"},
        {{"format", "title", "description", "$schema", "$id", "$comment", "contentMediaType",
          "contentEncoding", "pattern", "$ref"},
         "must be a string"}};
    for (const auto& [keywords, words] : kWords) {
      if (std::find(keywords.begin(), keywords.end(), keyword) != keywords.end()) return words;
    }
    return "";
  }

  void generic(const SchemaIssue& issue) {
    fail(issue.pointer, issue.message + " (draft-07 meta-schema)");
  }

  void fail(const std::string& at, std::string what) {
    std::string line = "at " + (at.empty() ? std::string("/") : at) + ": " + std::move(what);
    if (std::find(problems.begin(), problems.end(), line) == problems.end()) {
      problems.push_back(std::move(line));
    }
  }

  const json::value& root_;
  const bool later_draft_;  // 2019-09 / 2020-12: "items" is one schema
  std::set<std::string> positions_;
};

}  // namespace

std::vector<std::string> check_schema(const json::value& schema) {
  SchemaChecker checker(schema);
  checker.walk(schema, "");
  SchemaSet meta(host_metaschema());
  std::vector<RawError> raw;
  meta.validate("", schema, &raw);
  json::value copy = schema;
  for (const SchemaIssue& issue : translate_errors(meta, {&host_metaschema(), ""}, copy, raw,
                                                   [](const std::string&) { return false; })) {
    checker.add(issue);
  }
  if (!checker.problems.empty()) return std::move(checker.problems);
  if (std::string problem = compile_problem(schema); !problem.empty()) {
    checker.problems.push_back("at /: " + problem);
  }
  return std::move(checker.problems);
}

}  // namespace chost::config
