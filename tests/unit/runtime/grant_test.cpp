// Grant: one parse of a hook's credentials output; tokens never stay in the public part; the
// identity a refresh does not repeat is kept; a different user replaces it.
#include "grant.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chost::runtime {
namespace {

namespace json = boost::json;

TEST(Grant, TokensFiledUnderConnectionMoveIntoTheCredentials) {
  json::object rest;
  auto g = grant_from_output(
      R"({"credentials":{"refresh_token":"rt"},"connection":{"access_token":"at",)"
      R"("instance_url":"https://x"},"identity":{"user_id":"u1"},"expires_at_ms":7,"warnings":["w"]})",
      &rest);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->access_token(), "at");
  EXPECT_EQ(g->token_type(), "Bearer");
  EXPECT_FALSE(g->connection.contains("access_token"));
  EXPECT_EQ(g->expires_at_ms, 7);
  EXPECT_FALSE(rest.contains("credentials"));
  EXPECT_EQ(json::serialize(rest).find("\"at\""), std::string::npos);
  EXPECT_TRUE(rest.contains("warnings"));
  EXPECT_EQ(token_json(*g),
            R"({"instance_url":"https://x","access_token":"at","token_type":"Bearer"})");
}

TEST(Grant, OutputWithoutCredentialsIsRefused) {
  auto g = grant_from_output(R"({"connection":{}})");
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message.find("no \"credentials\" object"), std::string::npos);
  EXPECT_FALSE(grant_from_output("not json"));
}

TEST(Grant, RefreshKeepsIdentityMembersItDoesNotRepeat) {
  const json::object kept = {{"user_id", "u1"}, {"username", "svc@example.com"}, {"org_id", "o"}};
  const json::object merged = merge_identity(kept, {{"user_id", "u1"}, {"username", ""}});
  EXPECT_EQ(merged.at("username").as_string(), "svc@example.com");
  EXPECT_EQ(merged.at("org_id").as_string(), "o");
  const json::object other = merge_identity(kept, {{"user_id", "u2"}});
  EXPECT_EQ(other, (json::object{{"user_id", "u2"}}));  // another user: nothing of the old one
}

}  // namespace
}  // namespace chost::runtime
