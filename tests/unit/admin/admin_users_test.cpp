// GET /api/v1/connectors/NAME/users with server-side paging and filters (offset, limit, status,
// q) over a FakeAdminBackend with many users: pages are disjoint and complete, filters and
// per-status counts agree, bad parameters are 400s, and without `limit` every user comes back.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>
#include <string>

#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

namespace json = boost::json;

class AdminUsersTest : public AdminServerTest {
 protected:
  static constexpr int kUsers = 1000;

  void SetUp() override {
    AdminServerTest::SetUp();
    std::vector<SubjectView> users;
    for (int i = 0; i < kUsers; ++i) {
      SubjectView u;
      u.connector = "mirror";
      char id[32];
      std::snprintf(id, sizeof id, "u%04d@contoso.example", i);
      u.subject_id = id;
      u.display_name = "User " + std::to_string(i);
      // Every 10th user an admin switched off, every 7th (not 10th) failed, the rest enabled.
      if (i % 10 == 0) {
        u.state = "active";
        u.admin_disabled = true;
        u.status = "Disabled";
      } else if (i % 7 == 0) {
        u.state = "disabled";
        u.status = "Disabled due to an error";
        u.detail = "invalid_grant: expired access/refresh token";
      } else {
        u.state = "active";
        u.status = "Enabled";
      }
      users.push_back(u);
    }
    backend_.set_subjects(users);
  }

  json::value users(const std::string& query) {
    auto r = get("/api/v1/connectors/mirror/users" + query);
    EXPECT_TRUE(r);
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << query << ": " << r->body;
    return json::parse(r->body);
  }

  static int expected(const std::string& status) {
    int n = 0;
    for (int i = 0; i < kUsers; ++i) {
      const char* s = i % 10 == 0 ? "disabled" : i % 7 == 0 ? "error" : "enabled";
      if (status == s) ++n;
    }
    return n;
  }
};

TEST_F(AdminUsersTest, PagesAreDisjointAndCoverEveryUserOnce) {
  std::set<std::string> seen;
  for (int offset = 0; offset < kUsers; offset += 30) {
    json::value page = users("?offset=" + std::to_string(offset) + "&limit=30");
    EXPECT_EQ(page.at("total"), kUsers);
    EXPECT_EQ(page.at("offset"), offset);
    EXPECT_EQ(page.at("limit"), 30);
    const auto& items = page.at("users").as_array();
    EXPECT_EQ(items.size(), static_cast<size_t>(std::min(30, kUsers - offset)));
    for (const auto& u : items) {
      EXPECT_TRUE(seen.insert(std::string(u.at("subject_id").as_string())).second);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kUsers));
  EXPECT_TRUE(users("?offset=5000&limit=10").at("users").as_array().empty());
}

TEST_F(AdminUsersTest, StatusFilterAndCountsAgree) {
  for (const char* status : {"enabled", "disabled", "error"}) {
    json::value page = users(std::string("?limit=1000&status=") + status);
    EXPECT_EQ(page.at("total"), expected(status)) << status;
    EXPECT_EQ(page.at("counts").at(status), expected(status)) << status;
    for (const auto& u : page.at("users").as_array()) {
      const std::string text(u.at("status").as_string());
      if (std::string(status) == "enabled") {
        EXPECT_EQ(text, "Enabled");
      }
      if (std::string(status) == "disabled") {
        EXPECT_EQ(text, "Disabled");
      }
      if (std::string(status) == "error") {
        EXPECT_EQ(text, "Disabled due to an error");
        EXPECT_EQ(u.at("detail"), "invalid_grant: expired access/refresh token");
      }
    }
  }
  // Counts are over every user, whatever the filter.
  json::value filtered = users("?limit=5&status=error&q=u09");
  EXPECT_EQ(filtered.at("counts").at("enabled"), expected("enabled"));
  EXPECT_EQ(filtered.at("counts").at("waiting"), 0);
}

TEST_F(AdminUsersTest, SearchMatchesIdOrNameCaseInsensitively) {
  json::value by_id = users("?limit=50&q=U0042%40CONTOSO");
  ASSERT_EQ(by_id.at("total"), 1);
  EXPECT_EQ(by_id.at("users").at(0).at("subject_id"), "u0042@contoso.example");
  json::value by_name = users("?limit=50&q=user+99");  // User 99, User 990..999
  EXPECT_EQ(by_name.at("total"), 11);
  json::value none = users("?limit=50&q=nobody");
  EXPECT_EQ(none.at("total"), 0);
  EXPECT_TRUE(none.at("users").as_array().empty());
}

TEST_F(AdminUsersTest, WithoutALimitEveryUserComesBack) {
  json::value all = users("");
  EXPECT_EQ(all.at("users").as_array().size(), static_cast<size_t>(kUsers));
  EXPECT_FALSE(all.as_object().contains("limit"));
}

TEST_F(AdminUsersTest, BadParametersAre400s) {
  for (const char* q :
       {"?limit=0", "?limit=1001", "?limit=x", "?offset=-1", "?offset=1x", "?status=broken"}) {
    auto r = get(std::string("/api/v1/connectors/mirror/users") + q);
    ASSERT_TRUE(r) << q;
    EXPECT_EQ(r->status, 400) << q << ": " << r->body;
    EXPECT_NE(r->body.find("\"class\":\"config\""), std::string::npos) << q;
  }
  auto unknown = get("/api/v1/connectors/nope/users?limit=10");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

}  // namespace
}  // namespace chost::admin::testing
