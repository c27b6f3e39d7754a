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

// Found by the config_loader fuzzer: an empty key at the very start of the file (": a") made the
// position search for the empty value take the file's last line as the one before offset 0 and
// read a string_view of about 2^64 bytes (ASan: heap-buffer-overflow once the text is on the heap).
TEST(YamlDocument, AnEmptyKeyAtTheStartOfTheFileIsPlacedThere) {
  for (const std::string text : {": a\n", ": { path: ./state/host.db }\nb: 1\n", ":\n"}) {
    YamlDocument doc = parse_yaml_string(text);
    for (const YamlProblem& p : doc.problems) {
      EXPECT_EQ(p.pos.line, 1) << text << ": " << p.message;
      EXPECT_EQ(p.pos.column, 1) << text << ": " << p.message;
    }
    EXPECT_FALSE(doc.problems.empty() && !doc.parsed) << text;
  }
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

// The one error that stopped the parse, as "line:col: message".
std::string stop_reason(const YamlDocument& doc) {
  if (doc.parsed || doc.problems.size() != 1) return "(parsed)";
  const YamlProblem& p = doc.problems[0];
  return std::to_string(p.pos.line) + ":" + std::to_string(p.pos.column) + ": " + p.message;
}

TEST(YamlDocument, PlainScalarTypingIsAScannerThatSurvivesLongValues) {
  // std::regex_match recursed per character: 30,000 digits overflowed the stack.
  const std::string digits(30'000, '7');
  YamlDocument doc =
      parse_yaml_string("a: " + digits + "\nb: 1" + digits + ".5\nc: -" + digits + "x\n");
  ASSERT_TRUE(doc.parsed) << stop_reason(doc);
  EXPECT_EQ(doc.root.at("a"), json::value(digits));  // too big for 64 bits: the schema judges
  EXPECT_TRUE(doc.root.at("b").is_string());         // beyond double's range
  EXPECT_EQ(doc.root.at("c"), json::value("-" + digits + "x"));

  doc = parse_yaml_string(
      "a: .5\nb: 5.\nc: -1.5e-3\nd: 1e\ne: .\nf: +.e1\ng: 0x\nh: 0o8\ni: +12\nj: 1_000\n");
  ASSERT_TRUE(doc.parsed);
  EXPECT_EQ(doc.root.at("a"), json::value(0.5));
  EXPECT_EQ(doc.root.at("b"), json::value(5.0));
  EXPECT_EQ(doc.root.at("c"), json::value(-0.0015));
  for (const char* key : {"d", "e", "f", "g", "h", "j"}) {
    EXPECT_TRUE(doc.root.at(key).is_string()) << key;
  }
  EXPECT_EQ(doc.root.at("i"), json::value(12));
}

TEST(YamlDocument, ScalarLongerThanTheLimitIsAnErrorAtItsPosition) {
  YamlDocument doc = parse_yaml_string("a: 1\nb: " + std::string(kMaxScalarBytes + 1, 'x') + "\n");
  EXPECT_EQ(stop_reason(doc).rfind("2:4: value longer than 65536 bytes", 0), 0u)
      << stop_reason(doc);
}

TEST(YamlDocument, AliasesCopyTheirAnchorWithPositions) {
  YamlDocument doc = parse_yaml_string("base: &b {x: 1, y: [2]}\nc: *b\nd: &s word\ne: *s\n");
  ASSERT_TRUE(doc.parsed) << stop_reason(doc);
  EXPECT_EQ(doc.root.at("c"), doc.root.at("base"));
  EXPECT_EQ(doc.root.at("e"), json::value("word"));
  EXPECT_EQ(doc.value_pos.at("/c/y/0").line, 1);  // where the admin wrote the value
  EXPECT_EQ(doc.key_pos.at("/c/x").column, 11);
  EXPECT_EQ(doc.value_pos.at("/e").line, 3);
}

TEST(YamlDocument, RecursiveAliasIsAnErrorNotAnEndlessCopy) {
  EXPECT_EQ(stop_reason(parse_yaml_string("a: &a {b: *a}\n")),
            "1:11: alias *a refers to the node that contains it (a recursive alias): an alias "
            "can only repeat a complete node");
  EXPECT_EQ(stop_reason(parse_yaml_string("x:\n  - &l [1, [*l]]\n")).substr(0, 20),
            "2:13: alias *l refer");
}

TEST(YamlDocument, AliasBombStopsAtTheValueLimit) {
  // "Billion laughs": each level repeats the previous one ten times, 10^9 values in the end.
  std::string text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  const std::string reason = stop_reason(parse_yaml_string(text));
  EXPECT_NE(reason.find("more than 100000 values, counting what aliases repeat"), std::string::npos)
      << reason;
  EXPECT_EQ(reason.substr(0, 2), "5:") << reason;  // 11 + 111 + 1111 + 11111 + 111111 > 100000
}

TEST(YamlDocument, AliasUsesAndTheBytesTheyRepeatAreBounded) {
  std::string text = "a: &a x\nlist:\n";
  for (size_t i = 0; i <= kMaxAliases; ++i) text += "  - *a\n";
  EXPECT_EQ(stop_reason(parse_yaml_string(text)).substr(0, 24), "1003:5: more than 1000 a");

  // Few aliases, each repeating a long value: bounded by bytes, not by count.
  text = "a: &a " + std::string(60'000, 'x') + "\nlist: [";
  for (int i = 0; i < 80; ++i) text += "*a, ";
  text += "]\n";
  EXPECT_NE(stop_reason(parse_yaml_string(text)).find("aliases repeat more than 4194304 bytes"),
            std::string::npos);
}

TEST(YamlDocument, NestingDeeperThanTheLimitIsAnErrorEvenInsideAliases) {
  auto flow = [](int depth) {
    return "a: " + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "\n";
  };
  EXPECT_TRUE(parse_yaml_string(flow(kMaxNestingDepth)).parsed);
  EXPECT_EQ(stop_reason(parse_yaml_string(flow(kMaxNestingDepth + 1))),
            "1:35: nested deeper than 32 levels: flatten the structure (is a bracket not "
            "closed?)");
  // Unclosed: stops at the limit instead of recursing through yaml-cpp 100,000 times (yaml-cpp
  // reads each unclosed "[[" as a sequence in a mapping key, so the limit comes sooner).
  EXPECT_EQ(stop_reason(parse_yaml_string("a: " + std::string(100'000, '['))).substr(0, 25),
            "1:20: nested deeper than ");
  std::string block;
  for (int i = 0; i < 40; ++i) block += std::string(i * 2, ' ') + "k" + std::to_string(i) + ":\n";
  EXPECT_EQ(stop_reason(parse_yaml_string(block)).substr(0, 26), "33:65: nested deeper than ");
  // An alias whose anchor is 20 levels deep, used 20 levels down.
  const std::string deep = std::string(19, '[') + std::string(19, ']');
  EXPECT_EQ(stop_reason(parse_yaml_string("a: &d " + deep + "\nb: " + std::string(19, '[') + "*d" +
                                          std::string(19, ']') + "\n"))
                .substr(0, 25),
            "2:23: nested deeper than ");
}

TEST(YamlDocument, SecondDocumentIsAnError) {
  EXPECT_EQ(stop_reason(parse_yaml_string("---\na: 1\n---\nb: 2\n")),
            "3:1: a second YAML document starts here: the file holds one document; remove this "
            "'---' and what follows it, or merge the two");
  EXPECT_EQ(stop_reason(parse_yaml_string("a: 1\n---\n")).substr(0, 24),
            "2:1: a second YAML docum");
  EXPECT_TRUE(parse_yaml_string("---\na: 1\n...\n").parsed);
}

TEST(YamlDocument, NulBytesAndInvalidUtf8AreErrorsAtTheirPosition) {
  using namespace std::string_literals;
  EXPECT_EQ(stop_reason(parse_yaml_string("a: 1\nb: x\0y\n"s)),
            "2:5: NUL byte in the file: a configuration file is UTF-8 text (if this one is "
            "UTF-16, save it as UTF-8); remove the byte");
  EXPECT_EQ(stop_reason(parse_yaml_string("a: 1\nname: caf\xe9\n")),
            "2:10: invalid UTF-8 (byte 0xe9): a configuration file is UTF-8 text; save it as "
            "UTF-8");
  EXPECT_EQ(stop_reason(parse_yaml_string("a: \"x\\0y\"\n")),
            "1:4: value contains a NUL character (a \\0 escape): remove it");
  EXPECT_TRUE(parse_yaml_string("a: caf\xc3\xa9\n").parsed);
}

TEST(YamlDocument, UnquotedReferenceInAFlowMappingSaysToQuoteIt) {
  for (const char* text : {"host: {token: ${env:TOKEN}}\n", "list: [a, ${file:/run/x}]\n"}) {
    const std::string reason = stop_reason(parse_yaml_string(text));
    EXPECT_NE(reason.find("invalid YAML: "), std::string::npos) << reason;
    EXPECT_NE(reason.find("; a ${env:...} or ${file:...} reference inside { } or [ ] must be "
                          "quoted: \"${env:NAME}\""),
              std::string::npos)
        << reason;
  }
  EXPECT_TRUE(parse_yaml_string("host: {token: \"${env:TOKEN}\"}\n").parsed);
}

TEST(YamlDocument, FileReadsAreBounded) {
  // /dev/zero is endless: read up to the limit, then refused (and not as "NUL byte").
  YamlDocument doc = parse_yaml_file("/dev/zero");
  EXPECT_EQ(stop_reason(doc).substr(0, 38), "1:1: file is larger than 4194304 bytes");
  EXPECT_EQ(parse_yaml_string(std::string(kMaxConfigFileBytes + 1, '#')).problems.at(0).message,
            doc.problems.at(0).message);
  doc = parse_yaml_file("/");
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_EQ(doc.problems[0].message, "cannot read configuration file: is a directory");
  doc = parse_yaml_file("/nonexistent/host.yaml");
  EXPECT_EQ(doc.problems.at(0).message,
            "cannot read configuration file: No such file or directory");
}

TEST(YamlDocument, NonScalarKeysAreReportedAndTheirValuesDropped) {
  YamlDocument doc = parse_yaml_string("? [a, b]\n: 1\n? {c: d}\n: [2, 3]\nok: 4\n");
  ASSERT_TRUE(doc.parsed);
  ASSERT_EQ(doc.problems.size(), 2u);
  EXPECT_EQ(doc.problems[0].message, "mapping keys must be plain strings");
  EXPECT_EQ(doc.root, json::parse(R"({"ok": 4})"));
}

}  // namespace
}  // namespace chost::config
