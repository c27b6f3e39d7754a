// The public face of the schema layer (chost/config/plugin_schema.hpp) that the plugin loader,
// the conformance runner and the plugins' tests use: a plugin schema is checked by valijson
// against the host's meta-schema with each problem at the JSON pointer of its keyword, and a
// config is validated and completed with the schema's defaults, $ref'd ones included.
#include "chost/config/plugin_schema.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace chost::config {
namespace {

namespace json = boost::json;
using Lines = std::vector<std::string>;

Lines sorted(Lines v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A third party's schema: $defs and definitions, $refs to both, dependentRequired, a oneOf.
constexpr const char* kThirdPartySchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": {
    "port": {"type": "integer", "minimum": 1, "maximum": 65535, "default": 443},
    "endpoint": {"type": "object", "additionalProperties": false, "required": ["host"],
                 "properties": {"host": {"type": "string"}, "port": {"$ref": "#/$defs/port"}}}
  },
  "definitions": {"timeout": {"type": "string", "format": "x-duration", "default": "30s"}},
  "type": "object", "additionalProperties": false, "required": ["primary"],
  "properties": {
    "primary": {"$ref": "#/$defs/endpoint"},
    "timeout": {"$ref": "#/definitions/timeout"},
    "proxy": {"type": "string"}, "proxy_user": {"type": "string"},
    "auth": {"oneOf": [
      {"title": "token", "type": "object", "required": ["token"],
       "properties": {"token": {"type": "string"}}},
      {"title": "mtls", "type": "object", "required": ["cert", "key"]}]}
  },
  "dependentRequired": {"proxy_user": ["proxy"]}
})";

TEST(PluginSchema, AThirdPartySchemaWithRefsIsUsableAndItsDefaultsAreFilled) {
  EXPECT_EQ(plugin_schema_problems(kThirdPartySchema), Lines{});
  const CompletedConfig c =
      complete_plugin_config(kThirdPartySchema, R"({"primary":{"host":"a"}})");
  ASSERT_TRUE(c.ok()) << c.problems[0];
  EXPECT_EQ(json::parse(c.json),
            json::parse(R"({"primary":{"host":"a","port":443},"timeout":"30s"})"));
}

TEST(PluginSchema, ACompletedConfigCarriesTheHostsMessages) {
  const CompletedConfig c = complete_plugin_config(kThirdPartySchema, R"({
      "primary": {"host": "a", "port": 0}, "timeout": "soon", "proxy_user": "u",
      "auth": {"cert": "c"}, "colour": 1})");
  EXPECT_EQ(c.problems,
            (Lines{"config: missing key 'proxy', required with 'proxy_user'",
                   "config.primary.port: must be at least 1, got integer 0",
                   "config.timeout: invalid duration \"soon\": use a whole number and a unit (ms, "
                   "s, m, h, d), e.g. 30s or 15m",
                   "config.auth: object matches none of the allowed forms (oneOf): form 1 (token): "
                   "missing required key 'token'; form 2 (mtls): missing required key 'key'",
                   "config.colour: unknown key 'colour'"}));
  EXPECT_EQ(complete_plugin_config(kThirdPartySchema, "{").problems.size(), 1u);
}

TEST(PluginSchema, EachMetaSchemaProblemIsWordedForItsKeyword) {
  Lines problems = sorted(plugin_schema_problems(R"({"properties":{
        "a": {"minimum": "one"}, "b": {"type": ["string", "strnig"]},
        "c": {"multipleOf": 0}, "d": {"deprecated": "yes"}, "e": {"$ref": 5},
        "f": {"patternProperties": {"(": {}}}, "g": {"dependencies": {"x": ["y", 1]}},
        "h": {"dependentRequire": {"x": ["y"]}}, "i": {"properties": 7}, "j": {"allOf": []}}})"));
  // The regular expression library words the reason; the host says where and what.
  ASSERT_EQ(problems.size(), 10u);
  const std::string regex_problem =
      "at /properties/f/patternProperties/(: the property name pattern is not a valid regular "
      "expression: ";
  EXPECT_EQ(problems[5].rfind(regex_problem, 0), 0u) << problems[5];
  problems[5] = regex_problem + "...";
  EXPECT_EQ(
      problems,
      (Lines{"at /properties/a/minimum: 'minimum' must be a number",
             "at /properties/b/type: 'type' must name string, integer, number, boolean, object, "
             "array or null; got \"strnig\"",
             "at /properties/c/multipleOf: 'multipleOf' must be a number greater than 0",
             "at /properties/d/deprecated: 'deprecated' must be a boolean",
             "at /properties/e/$ref: '$ref' must be a string",
             "at /properties/f/patternProperties/(: the property name pattern is not a valid "
             "regular expression: ...",
             "at /properties/g/dependencies/x: 'dependencies' must be an array of strings",
             "at /properties/h/dependentRequire: unknown or unsupported keyword "
             "'dependentRequire'; did you mean 'dependentRequired'?",
             "at /properties/i/properties: 'properties' must be an object of schemas",
             "at /properties/j/allOf: 'allOf' must be a non-empty array of schemas"}));
  EXPECT_EQ(plugin_schema_problems("{\"type\": \"object\",}").size(), 1u);
}

}  // namespace
}  // namespace chost::config
