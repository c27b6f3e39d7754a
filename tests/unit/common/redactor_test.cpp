// Redactor: registered secret values and pattern redaction of obviously secret fields.
#include "chost/common/redactor.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace chost::log {
namespace {

TEST(Redactor, ReplacesEveryOccurrenceOfARegisteredValue) {
  Redactor r;
  r.add("tok_4f9a8b7c");
  EXPECT_EQ(r.redact("a tok_4f9a8b7c b tok_4f9a8b7c"), "a *** b ***");
  EXPECT_EQ(r.size(), 1u);
}

TEST(Redactor, IgnoresValuesShorterThanSixCharacters) {
  Redactor r;
  r.add("12345");
  r.add("");
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.redact("code 12345"), "code 12345");
}

TEST(Redactor, RemoveIsCountedPerRegistration) {
  Redactor r;
  r.add("secret-value");
  r.add("secret-value");
  r.remove("secret-value");
  EXPECT_EQ(r.redact("x secret-value"), "x ***");
  r.remove("secret-value");
  EXPECT_EQ(r.redact("x secret-value"), "x secret-value");
}

TEST(Redactor, AlsoCatchesThePercentEncodedForm) {
  Redactor r;
  r.add("00D5g!AQ4/x+y=");
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.redact("GET /q?sid=00D5g%21AQ4%2Fx%2By%3D raw 00D5g!AQ4/x+y="),
            "GET /q?sid=*** raw ***");
  r.remove("00D5g!AQ4/x+y=");
  EXPECT_EQ(r.size(), 0u);
}

TEST(Redactor, MasksTheLongerOfOverlappingSecretsWhole) {
  Redactor r;
  r.add("abcdef");
  r.add("abcdefghijkl");
  EXPECT_EQ(r.redact("[abcdefghijkl]"), "[***]");
}

TEST(Redactor, OverlappingSecretsLeaveNoCharacterOfEither) {
  Redactor r;
  r.add("abcdefgh");
  r.add("fghijklm");
  // Replacing one and then looking for the other left "ijklm" of the second in view.
  EXPECT_EQ(r.redact("[abcdefghijklm] [fghijklm]"), "[***] [***]");
}

TEST(Redactor, TokensSharingAnOrgIdPrefixAreToldApart) {
  Redactor r;
  for (int i = 0; i < 100; ++i) r.add("00D5g000004Xyz!AQ" + std::to_string(100000 + i) + "tail");
  EXPECT_EQ(r.redact("sid 00D5g000004Xyz!AQ100042tail and 00D5g000004Xyz!AQ999999tail"),
            "sid *** and 00D5g000004Xyz!AQ999999tail");
  r.remove("00D5g000004Xyz!AQ100042tail");
  EXPECT_EQ(r.redact("00D5g000004Xyz!AQ100042tail"), "00D5g000004Xyz!AQ100042tail");
}

TEST(RedactPatterns, BearerTokens) {
  EXPECT_EQ(redact_patterns("sent Bearer eyJhbGciOi.JIUzI1NiJ9-x_y"), "sent Bearer ***");
  EXPECT_EQ(redact_patterns("token=\"bearer abc.def.ghi\""), "token=\"bearer ***\"");
  EXPECT_EQ(redact_patterns("Bearer 00D5g000004!AQ4AQFake.Token"), "Bearer ***");
  // Prose and short words are not tokens.
  EXPECT_EQ(redact_patterns("the bearer of news"), "the bearer of news");
  EXPECT_EQ(redact_patterns("bearer tokens expire"), "bearer tokens expire");
}

TEST(RedactPatterns, AuthorizationHeaderKeepsOnlyTheScheme) {
  EXPECT_EQ(redact_patterns("Authorization: Basic dXNlcjpwYXNz\r\nHost: x"),
            "Authorization: Basic ***\r\nHost: x");
  EXPECT_EQ(redact_patterns("authorization: Bearer 00Dxx!AQ4AQ"), "authorization: Bearer ***");
}

TEST(RedactPatterns, FormAndQueryValues) {
  EXPECT_EQ(redact_patterns("grant_type=refresh_token&refresh_token=5Aep861&client_id=abc"),
            "grant_type=refresh_token&refresh_token=***&client_id=abc");
  EXPECT_EQ(redact_patterns("/cb?access_token=ya29.a0Af&state=s1"),
            "/cb?access_token=***&state=s1");
  EXPECT_EQ(redact_patterns("client_secret=s3cr3t code_verifier=dBjftJeZ4CVP"),
            "client_secret=*** code_verifier=***");
  EXPECT_EQ(redact_patterns("client_assertion=eyJ.a.b&assertion=eyJ.c.d"),
            "client_assertion=***&assertion=***");
  EXPECT_EQ(redact_patterns("ACCESS_TOKEN=abc"), "ACCESS_TOKEN=***");
}

TEST(RedactPatterns, JsonMembers) {
  EXPECT_EQ(redact_patterns(R"({"access_token":"00D!AR8","instance_url":"https://x"})"),
            R"({"access_token":"***","instance_url":"https://x"})");
  EXPECT_EQ(redact_patterns(R"({"refresh_token" : "5Aep\"861", "id":"1"})"),
            R"({"refresh_token" : "***", "id":"1"})");
  EXPECT_EQ(redact_patterns(R"(body="{\"client_secret\":\"abc123\"}")"),
            R"(body="{\"client_secret\":\"***\"}")");
  // A key that is not followed by a string value is left alone.
  EXPECT_EQ(redact_patterns(R"({"access_token_ttl":3600})"), R"({"access_token_ttl":3600})");
}

TEST(Redactor, AppliesPatternsAfterRegisteredValues) {
  Redactor r;
  r.add("registered-1");
  EXPECT_EQ(r.redact("registered-1 refresh_token=zzz"), "*** refresh_token=***");
}

TEST(Redactor, ConcurrentAddAndRedact) {
  Redactor r;
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) r.add("secret-" + std::to_string(1000 + i));
  });
  for (int i = 0; i < 200; ++i) {
    const std::string out = r.redact("value secret-1000");
    EXPECT_TRUE(out == "value secret-1000" || out == "value ***") << out;
  }
  writer.join();
  EXPECT_EQ(r.redact("value secret-1199"), "value ***");
  EXPECT_EQ(r.size(), 200u);
}

}  // namespace
}  // namespace chost::log
