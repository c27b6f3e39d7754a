// Identifier validation and mirror table naming: the only guard between plugin-chosen names
// and SQL text.
#include "chost/store/identifiers.hpp"

#include <gtest/gtest.h>

namespace chost::store {
namespace {

TEST(Identifiers, AcceptsLettersDigitsUnderscoreDash) {
  EXPECT_TRUE(validate_identifier("namespace", "sf-prod_01").ok());
  EXPECT_TRUE(validate_identifier("namespace", std::string(kMaxIdentifierChars, 'a')).ok());
}

TEST(Identifiers, RejectsEmptyTooLongAndForeignCharacters) {
  EXPECT_FALSE(validate_identifier("namespace", "").ok());
  EXPECT_FALSE(validate_identifier("namespace", std::string(kMaxIdentifierChars + 1, 'a')).ok());
  for (const char* bad : {"a b", "a.b", "a\"b", "a;b", "a'b", "a/b", "caf\xc3\xa9", "a\nb",
                          "x\"; DROP TABLE kv; --"}) {
    Status s = validate_identifier("collection", bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().cls, ErrorClass::kConfig);
    EXPECT_NE(s.error().message.find("collection"), std::string::npos);
  }
}

TEST(Identifiers, ErrorDoesNotEchoTheHostileName) {
  Status s = validate_identifier("collection", "x\"; DROP TABLE kv; --");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.find("DROP"), std::string::npos);
}

TEST(Identifiers, MirrorTableNameMapsDashesAndValidatesBothParts) {
  auto name = mirror_table_name("sf-prod", "Account-History");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "mirror_sf_prod_Account_History");
  EXPECT_FALSE(mirror_table_name("bad ns", "Account").ok());
  EXPECT_FALSE(mirror_table_name("ns", "Account\"--").ok());
  EXPECT_FALSE(mirror_table_name("ns", "").ok());
}

TEST(Identifiers, QuoteDoublesEmbeddedQuotes) {
  EXPECT_EQ(quote_identifier("mirror_a_b"), "\"mirror_a_b\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace chost::store
