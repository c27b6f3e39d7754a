// The JSON Schema subset: each keyword accepts and rejects, defaults are filled, x-secret values
// are never echoed, and check_schema() names what is wrong with a schema.
#include "json_schema.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chost::config {
namespace {

namespace json = boost::json;

// Validates `instance_text` against `schema_text`; returns "pointer: message" per issue.
std::vector<std::string> issues(const std::string& schema_text, const std::string& instance_text) {
  json::value schema = json::parse(schema_text);
  EXPECT_TRUE(check_schema(schema).empty()) << schema_text;
  json::value instance = json::parse(instance_text);
  std::vector<std::string> out;
  for (const SchemaIssue& i : validate_instance(schema, instance).issues) {
    out.push_back(i.pointer + ": " + i.message);
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(JsonSchema, TypeIncludingIntegerAndTypeArrays) {
  EXPECT_EQ(issues(R"({"type":"integer"})", "5"), Lines{});
  EXPECT_EQ(issues(R"({"type":"integer"})", "5.0"), Lines{});
  EXPECT_EQ(issues(R"({"type":"integer"})", "5.5"), Lines{": expected integer, got number 5.5"});
  EXPECT_EQ(issues(R"({"type":"integer"})", R"("abc")"),
            Lines{": expected integer, got string \"abc\""});
  EXPECT_EQ(issues(R"({"type":["string","null"]})", "null"), Lines{});
  EXPECT_EQ(issues(R"({"type":["string","integer","null"]})", "true"),
            Lines{": expected string, integer or null, got boolean true"});
}

TEST(JsonSchema, ObjectKeywords) {
  const std::string schema = R"({"type":"object","required":["name"],
      "properties":{"name":{"type":"string"},"schedule":{"type":"object"}},
      "additionalProperties":false})";
  EXPECT_EQ(issues(schema, R"({"name":"a"})"), Lines{});
  EXPECT_EQ(issues(schema, R"({"shedule":{}})"),
            (Lines{": missing required key 'name'",
                   "/shedule: unknown key 'shedule'; did you mean 'schedule'?"}));
  EXPECT_EQ(issues(schema, R"({"name":"a","zzzzzz":1})"), Lines{"/zzzzzz: unknown key 'zzzzzz'"});
  EXPECT_EQ(issues(R"({"additionalProperties":{"type":"integer"}})", R"({"a":1,"b":"x"})"),
            Lines{"/b: expected integer, got string \"x\""});
}

TEST(JsonSchema, EnumConstAndNumbers) {
  EXPECT_EQ(issues(R"({"enum":["text","json"]})", R"("jsno")"),
            Lines{R"(: must be one of "text", "json", got string "jsno"; did you mean 'json'?)"});
  EXPECT_EQ(issues(R"({"const":3})", "3.0"), Lines{});
  EXPECT_EQ(issues(R"({"const":"x"})", R"("y")"), Lines{R"(: must be "x", got string "y")"});
  EXPECT_EQ(issues(R"({"minimum":200,"maximum":2000})", "100"),
            Lines{": must be at least 200, got integer 100"});
  EXPECT_EQ(issues(R"({"minimum":200,"maximum":2000})", "2001"),
            Lines{": must be at most 2000, got integer 2001"});
  EXPECT_EQ(issues(R"({"exclusiveMinimum":0})", "0"),
            Lines{": must be greater than 0, got integer 0"});
}

TEST(JsonSchema, StringKeywordsAndFormats) {
  EXPECT_EQ(issues(R"({"minLength":2,"maxLength":3})", R"("é")"),
            Lines{": must be at least 2 characters long"});
  EXPECT_EQ(issues(R"({"maxLength":3})", R"("éééé")"),
            Lines{": must be at most 3 characters long"});
  EXPECT_EQ(issues(R"({"pattern":"^[a-z]+$"})", R"("Ab")"),
            Lines{R"(: "Ab" does not match pattern '^[a-z]+$')"});
  EXPECT_EQ(issues(R"({"format":"duration"})", R"("15m")"), Lines{});
  EXPECT_EQ(issues(R"({"format":"duration"})", R"("15 minutes")"),
            Lines{": invalid duration \"15 minutes\": use a whole number and a unit (ms, s, m, h, "
                  "d), e.g. 30s or 15m"});
  EXPECT_EQ(issues(R"({"format":"uri"})", R"("https://x.example/a")"), Lines{});
  EXPECT_EQ(
      issues(R"({"format":"uri"})", R"("not a uri")"),
      Lines{": invalid URI \"not a uri\": expected scheme:rest, e.g. https://example.com/path"});
  EXPECT_EQ(issues(R"({"format":"email"})", R"("anything")"), Lines{});  // annotation only
  EXPECT_EQ(issues(R"({"format":"uri"})", R"("1http:x")").size(), 1u);
  EXPECT_EQ(issues(R"({"format":"uri"})", R"("mailto:")").size(), 1u);
  EXPECT_EQ(issues(R"({"format":"uri"})", R"("urn:a:b")"), Lines{});
}

TEST(JsonSchema, LongValuesAreNotHandedToTheRegexMatcher) {
  // std::regex recursed once per character: a 100,000-character value overflowed the stack.
  const std::string long_value = "\"" + std::string(100'000, 'a') + "\"";
  EXPECT_EQ(issues(R"({"pattern":"^[a-z]+$"})", long_value),
            Lines{": value longer than 4096 bytes cannot be checked against pattern '^[a-z]+$'"});
  EXPECT_EQ(issues(R"({"pattern":"^[a-z]+$"})", "\"" + std::string(4096, 'a') + "\""), Lines{});
  EXPECT_EQ(issues(R"({"format":"uri"})", "\"https://x/" + std::string(100'000, 'a') + "\""),
            Lines{});
}

TEST(JsonSchema, ArrayKeywords) {
  const std::string schema =
      R"({"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3,"uniqueItems":true})";
  EXPECT_EQ(issues(schema, R"(["a","b"])"), Lines{});
  EXPECT_EQ(issues(schema, "[]"), Lines{": must have at least 1 items, got 0"});
  EXPECT_EQ(issues(schema, R"(["a","b","c","d"])"), Lines{": must have at most 3 items, got 4"});
  EXPECT_EQ(issues(schema, R"(["a",1,"a"])"),
            (Lines{"/2: duplicate item: same as item 0 of the list",
                   "/1: expected string, got integer 1"}));
}

TEST(JsonSchema, OneOfAnyOfAllOfNotIfThen) {
  const std::string one = R"({"oneOf":[{"type":"integer"},{"type":"number"}]})";
  EXPECT_EQ(issues(one, "1.5"), Lines{});
  EXPECT_EQ(issues(one, "1"),
            Lines{": integer 1 matches 2 of the allowed forms, exactly one is required (oneOf)"});
  EXPECT_EQ(issues(R"({"anyOf":[{"type":"integer"},{"type":"null"}]})", R"("x")"),
            Lines{": string \"x\" matches none of the allowed forms (anyOf)"});
  EXPECT_EQ(issues(R"({"allOf":[{"minimum":1},{"maximum":2}]})", "3"),
            Lines{": must be at most 2, got integer 3"});
  EXPECT_EQ(issues(R"({"not":{"type":"null"}})", "null"),
            Lines{": matches a form that is not allowed (not)"});
  const std::string cond = R"({"if":{"properties":{"kind":{"const":"pg"}}},
      "then":{"required":["url"]},"else":{"required":["path"]}})";
  EXPECT_EQ(issues(cond, R"({"kind":"pg"})"), Lines{": missing required key 'url'"});
  EXPECT_EQ(issues(cond, R"({"kind":"lite"})"), Lines{": missing required key 'path'"});
}

TEST(JsonSchema, DefaultsAreFilledRecursively) {
  json::value schema = json::parse(R"({"type":"object","properties":{
      "log":{"type":"object","default":{},"properties":{"level":{"type":"string","default":"info"}}},
      "n":{"type":"integer","default":5},
      "anyof":{"anyOf":[{"type":"object","properties":{"x":{"default":1}}}]}}})");
  json::value instance = json::parse(R"({"anyof":{}})");
  ValidationResult r = validate_instance(schema, instance);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(instance, json::parse(R"({"anyof":{"x":1},"log":{"level":"info"},"n":5})"));

  json::value untouched = json::parse("{}");
  ValidationOptions no_fill;
  no_fill.fill_defaults = false;
  EXPECT_TRUE(validate_instance(schema, untouched, no_fill).ok());
  EXPECT_EQ(untouched, json::parse("{}"));
}

TEST(JsonSchema, SecretValuesAreNeverEchoedAndAreReported) {
  json::value schema = json::parse(R"({"type":"object","properties":{
      "secret":{"type":"string","x-secret":true,"pattern":"^x","enum":["xa","xb"]},
      "n":{"type":"integer","x-secret":true}}})");
  json::value instance = json::parse(R"({"secret":"hunter2","n":"hunter3"})");
  ValidationResult r = validate_instance(schema, instance);
  ASSERT_EQ(r.issues.size(), 3u);
  for (const SchemaIssue& i : r.issues) {
    EXPECT_EQ(i.message.find("hunter"), std::string::npos) << i.message;
  }
  EXPECT_EQ(r.issues[0].message, R"(must be one of "xa", "xb", got string (value hidden))");
  EXPECT_EQ(r.issues[1].message, "value does not match pattern '^x'");
  EXPECT_EQ(r.issues[2].message, "expected integer, got string (value hidden)");
  EXPECT_EQ(r.secret_pointers, (std::vector<std::string>{"/secret", "/n"}));

  // Values named by the caller (resolved references) are hidden as well.
  json::value plain_schema = json::parse(R"({"properties":{"url":{"type":"integer"}}})");
  json::value with_ref = json::parse(R"({"url":"postgres://u:pw@h/db"})");
  std::unordered_set<std::string> hidden = {"/url"};
  ValidationOptions options;
  options.hidden_pointers = &hidden;
  ValidationResult r2 = validate_instance(plain_schema, with_ref, options);
  ASSERT_EQ(r2.issues.size(), 1u);
  EXPECT_EQ(r2.issues[0].message, "expected integer, got string (value hidden)");
}

TEST(JsonSchema, CheckSchemaNamesEveryProblem) {
  json::value bad = json::parse(R"({"type":"object","requried":["a"],"properties":{
      "a":{"type":"strnig"},"b":{"minLength":-1},"c":{"pattern":"("},"d":{"x-secret":"yes"},
      "e":{"enum":[]},"f":{"items":[7]}},"x-vendor":{"anything":1}})");
  std::vector<std::string> problems = check_schema(bad);
  std::sort(problems.begin(), problems.end());
  ASSERT_EQ(problems.size(), 7u);
  EXPECT_EQ(problems[0],
            "at /properties/a/type: 'type' must name string, integer, number, boolean, object, "
            "array or null; got \"strnig\"");
  EXPECT_EQ(problems[1], "at /properties/b/minLength: 'minLength' must be a non-negative integer");
  EXPECT_EQ(problems[2].rfind("at /properties/c/pattern: 'pattern' is not a valid regular", 0), 0u);
  EXPECT_EQ(problems[3], "at /properties/d/x-secret: 'x-secret' must be a boolean");
  EXPECT_EQ(problems[4], "at /properties/e/enum: 'enum' must be a non-empty array");
  // draft-07's tuple form of items is a list of schemas; 7 is none.
  EXPECT_EQ(problems[5],
            "at /properties/f/items/0: a schema must be an object or a boolean, got integer 7");
  EXPECT_EQ(problems[6],
            "at /requried: unknown or unsupported keyword 'requried'; did you mean 'required'?");
  EXPECT_EQ(check_schema(json::parse("[]")),
            std::vector<std::string>{"at /: a schema must be an object or a boolean, got array"});
}

TEST(JsonSchema, RefsToDefsAndDefinitionsValidateAndFillDefaults) {
  const std::string schema = R"({"$defs":{"port":{"type":"integer","minimum":1,"maximum":65535},
      "endpoint":{"type":"object","additionalProperties":false,
                  "properties":{"host":{"type":"string"},"port":{"$ref":"#/$defs/port","default":443}},
                  "required":["host"]}},
      "definitions":{"list":{"type":"array","items":{"$ref":"#/$defs/endpoint"}}},
      "type":"object","properties":{"primary":{"$ref":"#/$defs/endpoint"},
                                    "replicas":{"$ref":"#/definitions/list"}}})";
  EXPECT_EQ(issues(schema, R"({"primary":{"host":"a","port":8443},"replicas":[{"host":"b"}]})"),
            Lines{});
  EXPECT_EQ(issues(schema, R"({"primary":{"host":"a","port":"lots"},
                               "replicas":[{"host":"b","port":0},{"hots":"c"}]})"),
            (Lines{"/primary/port: expected integer, got string \"lots\"",
                   "/replicas/0/port: must be at least 1, got integer 0",
                   "/replicas/1: missing required key 'host'",
                   "/replicas/1/hots: unknown key 'hots'; did you mean 'host'?"}));
  // The default sits beside the $ref here, which draft-07 ignores; one inside the target counts.
  json::value with_default = json::parse(R"({"$defs":{"e":{"properties":{"port":{"default":443}}}},
      "properties":{"primary":{"$ref":"#/$defs/e"}}})");
  json::value instance = json::parse(R"({"primary":{}})");
  EXPECT_TRUE(validate_instance(with_default, instance).ok());
  EXPECT_EQ(instance, json::parse(R"({"primary":{"port":443}})"));
}

TEST(JsonSchema, OneOfSaysWhyTheFormsOfTheRightShapeFailed) {
  const std::string schema = R"({"type":"object","properties":{"auth":{"oneOf":[
      {"title":"password","type":"object","required":["user","password"]},
      {"title":"key file","type":"object","required":["key_file"],
       "properties":{"key_file":{"type":"string"}}},
      {"type":"string","enum":["none"]}]}}})";
  EXPECT_EQ(issues(schema, R"({"auth":{"user":"u","password":"p"}})"), Lines{});
  EXPECT_EQ(issues(schema, R"({"auth":"none"})"), Lines{});
  EXPECT_EQ(issues(schema, R"({"auth":{"user":"u","key_file":5}})"),
            Lines{"/auth: object matches none of the allowed forms (oneOf): form 1 (password): "
                  "missing required key 'password'; form 2 (key file): key_file: expected "
                  "string, got integer 5"});
  // Forms of another type say nothing new: the message stays short.
  EXPECT_EQ(issues(schema, R"({"auth":7})"),
            Lines{"/auth: integer 7 matches none of the allowed forms (oneOf)"});
  EXPECT_EQ(issues(schema, R"({"auth":{"user":"u","password":"p","key_file":"k"}})"),
            Lines{"/auth: object matches 2 of the allowed forms, exactly one is required (oneOf)"});
}

TEST(JsonSchema, DependenciesAndDependentRequiredNameBothKeys) {
  EXPECT_EQ(issues(R"({"dependencies":{"proxy_user":["proxy"],"tls":{"required":["ca_file"]}}})",
                   R"({"proxy_user":"u","tls":true})"),
            (Lines{": missing key 'proxy', required with 'proxy_user'",
                   ": missing required key 'ca_file'"}));
  // 2019-09's dependentRequired (what a third party wrote) means the same to the host.
  EXPECT_EQ(
      issues(R"({"dependentRequired":{"client_id":["client_secret"]}})", R"({"client_id":"x"})"),
      Lines{": missing key 'client_secret', required with 'client_id'"});
  EXPECT_EQ(issues(R"({"dependentRequired":{"client_id":["client_secret"]}})", R"({})"), Lines{});
}

TEST(JsonSchema, CheckSchemaFollowsRefsAndTheMetaSchema) {
  auto problems = [](const std::string& text) { return check_schema(json::parse(text)); };
  using Problems = std::vector<std::string>;
  EXPECT_EQ(
      problems(R"({"$defs":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}}})"),
      Problems{});
  EXPECT_EQ(problems(R"({"properties":{"x":{"$ref":"#/$defs/missing"}}})"),
            Problems{"at /properties/x/$ref: '$ref' \"#/$defs/missing\" names nothing in this "
                     "schema"});
  EXPECT_EQ(problems(R"({"properties":{"x":{"$ref":"https://example.com/s.json"}}})"),
            Problems{"at /properties/x/$ref: '$ref' \"https://example.com/s.json\" points "
                     "outside the schema: only \"#/...\" references are supported"});
  // What only the meta-schema says: "required" names each key once.
  EXPECT_EQ(problems(R"({"required":["a","a"]})"),
            Problems{"at /required/1: duplicate item: same as item 0 of the list (draft-07 "
                     "meta-schema)"});
  EXPECT_EQ(problems(R"({"$schema":"http://json-schema.org/draft-04/schema#"})"),
            Problems{"at /$schema: the host validates JSON Schema draft-07 "
                     "(\"http://json-schema.org/draft-07/schema#\"), not "
                     "\"http://json-schema.org/draft-04/schema#\""});
  EXPECT_EQ(problems(R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
                         "items":[{"type":"string"}]})")
                .size(),
            1u);
  EXPECT_EQ(problems(R"({"dependentRequired":{"a":"b"}})"),
            Problems{"at /dependentRequired/a: 'dependentRequired' must be an array of strings"});
}

TEST(JsonSchema, DurationParsing) {
  EXPECT_EQ(parse_duration_ms("500ms"), 500);
  EXPECT_EQ(parse_duration_ms("30s"), 30'000);
  EXPECT_EQ(parse_duration_ms("15m"), 900'000);
  EXPECT_EQ(parse_duration_ms("2h"), 7'200'000);
  EXPECT_EQ(parse_duration_ms("1d"), 86'400'000);
  EXPECT_EQ(parse_duration_ms("0s"), 0);
  EXPECT_FALSE(parse_duration_ms("1.5h"));
  EXPECT_FALSE(parse_duration_ms("m"));
  EXPECT_FALSE(parse_duration_ms("10"));
  EXPECT_FALSE(parse_duration_ms("-1s"));
  EXPECT_FALSE(parse_duration_ms("999999999999d"));  // overflows int64 milliseconds
}

}  // namespace
}  // namespace chost::config
