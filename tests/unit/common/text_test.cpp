// ASCII text helpers: case-insensitive compare, trim, percent-encoding both ways, UTC times.
#include "chost/common/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chost::text {
namespace {

TEST(TextTest, IequalsFoldsAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Expect", "Expect:"));
  EXPECT_FALSE(iequals("bearer", "bearex"));
  // Bytes outside ASCII compare exactly: no locale folding.
  EXPECT_FALSE(iequals("\xC3\x89", "\xC3\xA9"));
  EXPECT_TRUE(iequals("\xC3\x89", "\xC3\x89"));
}

TEST(TextTest, ToLowerLeavesNonAsciiAlone) {
  EXPECT_EQ(to_lower("WARNING"), "warning");
  EXPECT_EQ(to_lower("Login.Example.COM:443"), "login.example.com:443");
  EXPECT_EQ(to_lower("\xC3\x89X"), "\xC3\x89x");
}

TEST(TextTest, TrimRemovesSpacesTabsAndLineEndsOnBothSides) {
  EXPECT_EQ(trim("  value\t"), "value");
  EXPECT_EQ(trim("\tkey: a b \r\n"), "key: a b");
  EXPECT_EQ(trim(" \r\n\t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("inner  space"), "inner  space");
}

TEST(TextTest, UrlEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(url_encode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(url_encode("a b&=/?%+"), "a%20b%26%3D%2F%3F%25%2B");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(url_encode(std::string("\0", 1)), "%00");
}

TEST(TextTest, UrlDecodeReadsQueryComponents) {
  EXPECT_EQ(url_decode("a%20b+c%2Fd"), "a b c/d");
  EXPECT_EQ(url_decode("%c3%a9"), "\xC3\xA9");
  // Malformed escapes are kept as they came.
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%zz%4"), "%zz%4");
}

TEST(TextTest, UrlEncodeRoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(url_decode(url_encode(all)), all);
}

TEST(TextTest, Iso8601UtcIsToTheSecond) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(1'796'200'200'999), "2026-12-02T08:30:00Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59Z");
}

TEST(TextTest, FindInvalidUtf8NamesTheFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8(""), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\xFF"), 2u);            // never a lead byte
  EXPECT_EQ(find_invalid_utf8("a\xC3"), 1u);             // truncated
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // a surrogate (CESU-8)
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // beyond U+10FFFF
}

}  // namespace
}  // namespace chost::text
