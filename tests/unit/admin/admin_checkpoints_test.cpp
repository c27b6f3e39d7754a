// GET /api/v1/connectors/NAME/checkpoints (paged by key) and POST .../checkpoints/reset (one,
// several or every checkpoint, only while the connector is disabled) over a FakeAdminBackend.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

namespace json = boost::json;

TEST_F(AdminServerTest, ListsCheckpointsPageByPage) {
  auto first = get("/api/v1/connectors/mirror/checkpoints?limit=2");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  json::value v = json::parse(first->body);
  ASSERT_EQ(v.at("checkpoints").as_array().size(), 2u);
  EXPECT_EQ(v.at("checkpoints").at(0).at("key"), "delta/ada@example.com/inbox");
  EXPECT_EQ(v.at("next_after"), "delta/bob@example.com/inbox");
  auto rest =
      get("/api/v1/connectors/mirror/checkpoints?limit=2&after=delta%2Fbob%40example.com%2Finbox");
  ASSERT_TRUE(rest);
  json::value r = json::parse(rest->body);
  ASSERT_EQ(r.at("checkpoints").as_array().size(), 1u);
  EXPECT_EQ(r.at("checkpoints").at(0).at("key"), "poll/ada@example.com");
  EXPECT_TRUE(r.at("next_after").is_null());
  auto bad = get("/api/v1/connectors/mirror/checkpoints?limit=0");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto unknown = get("/api/v1/connectors/nope/checkpoints");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(AdminServerTest, ResetsCheckpointsOnlyWhileDisabled) {
  auto refused =
      post("/api/v1/connectors/mirror/checkpoints/reset", R"({"keys":["poll/ada@example.com"]})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409) << refused->body;
  ASSERT_EQ(post("/api/v1/connectors/mirror/disable")->status, 200);
  auto one = post("/api/v1/connectors/mirror/checkpoints/reset",
                  R"({"keys":["poll/ada@example.com","nope"]})");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(json::parse(one->body).at("reset"), 1);
  auto all = post("/api/v1/connectors/mirror/checkpoints/reset");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(json::parse(all->body).at("reset"), 2);
  auto left = get("/api/v1/connectors/mirror/checkpoints");
  EXPECT_TRUE(json::parse(left->body).at("checkpoints").as_array().empty());
  for (const char* body : {"[1]", R"({"keys":"x"})", R"({"keys":[1]})", R"({"keys":[]})"}) {
    auto r = post("/api/v1/connectors/mirror/checkpoints/reset", body);
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body;
  }
  auto get_reset = get("/api/v1/connectors/mirror/checkpoints/reset");
  ASSERT_TRUE(get_reset);
  EXPECT_EQ(get_reset->status, 405);
  auto anonymous = post("/api/v1/connectors/mirror/checkpoints/reset", "", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

}  // namespace
}  // namespace chost::admin::testing
