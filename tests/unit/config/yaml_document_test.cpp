// YAML -> JSON conversion: YAML 1.2 core scalar typing and 1-based positions per JSON Pointer.
#include "yaml_document.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chost::config {
namespace {

namespace json = boost::json;

TEST(YamlDocument, PlainScalarsFollowYaml12CoreSchema) {
  YamlDocument doc = parse_yaml_string(
      "a: true\nb: False\nc: 42\nd: -7\ne: 0x1f\nf: 0o17\ng: 1.5\nh: ~\ni:\nj: yes\nk: 015\n"
      "l: 1e3\nm: .inf\n");
  ASSERT_TRUE(doc.parsed);
  const json::object& o = doc.root.as_object();
  EXPECT_EQ(o.at("a"), json::value(true));
  EXPECT_EQ(o.at("b"), json::value(false));
  EXPECT_EQ(o.at("c"), json::value(42));
  EXPECT_EQ(o.at("d"), json::value(-7));
  EXPECT_EQ(o.at("e"), json::value(31));
  EXPECT_EQ(o.at("f"), json::value(15));
  EXPECT_EQ(o.at("g"), json::value(1.5));
  EXPECT_TRUE(o.at("h").is_null());
  EXPECT_TRUE(o.at("i").is_null());
  EXPECT_EQ(o.at("j"), json::value("yes"));  // YAML 1.1 booleans are strings in 1.2
  EXPECT_EQ(o.at("k"), json::value(15));     // decimal, not octal, in 1.2
  EXPECT_EQ(o.at("l"), json::value(1000.0));
  EXPECT_EQ(o.at("m"), json::value(".inf"));  // no JSON form: left for the schema to reject
}

TEST(YamlDocument, QuotedAndBlockScalarsStayStrings) {
  YamlDocument doc = parse_yaml_string("a: \"true\"\nb: '42'\nc: \"\"\nd: |\n  7\n");
  ASSERT_TRUE(doc.parsed);
  const json::object& o = doc.root.as_object();
  EXPECT_EQ(o.at("a"), json::value("true"));
  EXPECT_EQ(o.at("b"), json::value("42"));
  EXPECT_EQ(o.at("c"), json::value(""));
  EXPECT_EQ(o.at("d"), json::value("7\n"));
}

TEST(YamlDocument, HugeIntegersDoNotOverflow) {
  YamlDocument doc = parse_yaml_string("a: 18446744073709551615\nb: 99999999999999999999\n");
  ASSERT_TRUE(doc.parsed);
  EXPECT_EQ(doc.root.at("a"), json::value(18446744073709551615ull));
  EXPECT_EQ(doc.root.at("b"), json::value("99999999999999999999"));
}

TEST(YamlDocument, PositionsAreOneBasedForValuesAndKeys) {
  YamlDocument doc = parse_yaml_string("host:\n  log: {format: json}\nlist:\n  - x\n  - y: 1\n");
  ASSERT_TRUE(doc.parsed);
  EXPECT_EQ(doc.value_pos.at("/host/log/format").line, 2);
  EXPECT_EQ(doc.value_pos.at("/host/log/format").column, 17);
  EXPECT_EQ(doc.key_pos.at("/host/log/format").column, 9);
  EXPECT_EQ(doc.key_pos.at("/host/log").line, 2);
  EXPECT_EQ(doc.key_pos.at("/host/log").column, 3);
  EXPECT_EQ(doc.value_pos.at("/list/1/y").line, 5);
  EXPECT_EQ(doc.value_pos.at("/list/1/y").column, 8);
  // A pointer with no value (e.g. a filled default) falls back to its nearest ancestor.
  YamlPos p = doc.value_position("/host/log/level");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 8);
}

TEST(YamlDocument, EmptyValuesArePositionedAtTheirIndicator) {
  // yaml-cpp would place these at the next token; admins need the line they wrote.
  YamlDocument doc =
      parse_yaml_string("a:\n  -\n  - ~\n  -   # empty\n\n  # note\n  - x\nb:\nc: ~\n");
  ASSERT_TRUE(doc.parsed);
  EXPECT_EQ(doc.value_pos.at("/a/0").line, 2);
  EXPECT_EQ(doc.value_pos.at("/a/0").column, 3);
  EXPECT_EQ(doc.value_pos.at("/a/1").line, 3);
  EXPECT_EQ(doc.value_pos.at("/a/1").column, 5);
  EXPECT_EQ(doc.value_pos.at("/a/2").line, 4);
  EXPECT_EQ(doc.value_pos.at("/a/2").column, 3);
  EXPECT_EQ(doc.value_pos.at("/b").line, 8);
  EXPECT_EQ(doc.value_pos.at("/b").column, 2);
  EXPECT_EQ(doc.value_pos.at("/c").line, 9);
  EXPECT_EQ(doc.value_pos.at("/c").column, 4);

  // The next token merely starting like "null" is not an explicit null.
  doc = parse_yaml_string("a:\nnullable: 1\n");
  ASSERT_TRUE(doc.parsed);
  EXPECT_EQ(doc.value_pos.at("/a").line, 1);
  EXPECT_EQ(doc.value_pos.at("/a").column, 2);
}

TEST(YamlDocument, DuplicateKeysAreReported) {
  YamlDocument doc = parse_yaml_string("a: 1\nb: 2\na: 3\n");
  ASSERT_TRUE(doc.parsed);
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_EQ(doc.problems[0].message, "duplicate key 'a'");
  EXPECT_EQ(doc.problems[0].pos.line, 3);
  EXPECT_EQ(doc.problems[0].pos.column, 1);
  EXPECT_EQ(doc.root.at("a"), json::value(1));  // the first one wins
}

TEST(YamlDocument, SyntaxErrorHasPosition) {
  YamlDocument doc = parse_yaml_string("a: [1, 2\nb: 3\n");
  EXPECT_FALSE(doc.parsed);
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_GT(doc.problems[0].pos.line, 0);
  EXPECT_NE(doc.problems[0].message.find("invalid YAML"), std::string::npos);
}

}  // namespace
}  // namespace chost::config
