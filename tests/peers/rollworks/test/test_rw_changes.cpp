// Data back to the CRM from the RollWorks peer (API.md §4, §5): the accounts and contacts
// change feeds (snapshot, pagination, a mutation exactly once after the stored cursor, stable
// re-reads, 410 for an expired cursor) and account lists with their members.
#include <set>

#include "rw_test_client.h"

namespace chpeer::rollworks::testing {
namespace {

namespace json = boost::json;

class RwChangesTest : public RwPeerTest {
 protected:
  json::value Feed(const std::string& cursor, int limit = 100,
                   const std::string& feed = "accounts") {
    std::string path = std::string(kBase) + "/" + feed + "/changes?limit=" + std::to_string(limit);
    if (!cursor.empty()) path += "&since_cursor=" + cursor;
    HttpResult r = Get(path);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json() : json::value(json::object{});
  }
  // Reads the feed to its end like the plugin does; returns the cursor to store.
  std::string Drain(const std::string& from, std::vector<json::value>* seen = nullptr) {
    std::string cursor = from;
    for (int page = 0; page < 100; ++page) {
      json::value v = Feed(cursor, 2);
      if (seen) {
        for (const auto& item : v.at("data").as_array()) seen->push_back(item);
      }
      cursor = std::string(v.at("next_cursor").as_string());
      if (!v.at("has_more").as_bool()) break;
    }
    return cursor;
  }
  void Mutate(const json::object& body) { client_->Control("POST", "abm/accounts", body); }
};

TEST_F(RwChangesTest, SnapshotPagesThroughEveryAccountOnce) {
  json::value first = Feed("", 3);
  EXPECT_EQ(first.at("data").as_array().size(), 3u);
  EXPECT_TRUE(first.at("has_more").as_bool());
  json::value second = Feed(std::string(first.at("next_cursor").as_string()), 3);
  EXPECT_EQ(second.at("data").as_array().size(), 1u);
  EXPECT_FALSE(second.at("has_more").as_bool());
  EXPECT_TRUE(second.at("next_cursor").is_string());
  std::set<std::string> ids;
  for (const auto* page : {&first, &second}) {
    for (const auto& a : page->at("data").as_array()) ids.emplace(a.at("account_id").as_string());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"rwa_0001", "rwa_0002", "rwa_0003", "rwa_0004"}));
  json::value acme = first.at("data").at(0);
  EXPECT_EQ(acme.at("domain"), "acme.com");
  EXPECT_EQ(acme.at("journey_stage"), "engaged");
  EXPECT_EQ(acme.at("icp_fit_grade"), "A");
  EXPECT_EQ(acme.at("intent_score"), 72);
  EXPECT_EQ(acme.at("intent_topics").as_array().size(), 2u);
  EXPECT_EQ(acme.at("ad_impressions_30d"), 1200);
  EXPECT_EQ(acme.at("ad_clicks_30d"), 14);
  EXPECT_EQ(acme.at("account_lists").as_array().size(), 2u);
  EXPECT_EQ(acme.at("account_external_id"), nullptr);
  EXPECT_EQ(acme.at("updated_at").as_string().size(), 20u);  // 2026-01-31T09:30:00Z
}

TEST_F(RwChangesTest, MutationAppearsExactlyOnceAfterTheStoredCursor) {
  std::string stored = Drain("");
  json::value idle = Feed(stored);
  EXPECT_TRUE(idle.at("data").as_array().empty());
  EXPECT_FALSE(idle.at("has_more").as_bool());

  // Two changes to one account between polls: one entry, the latest state.
  Mutate({{"account_id", "rwa_0002"}, {"journey_stage", "engaged"}});
  Mutate({{"account_id", "rwa_0002"}, {"icp_fit_grade", "A"}, {"intent_score", 90}});
  std::vector<json::value> seen;
  std::string next = Drain(stored, &seen);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].at("account_id"), "rwa_0002");
  EXPECT_EQ(seen[0].at("journey_stage"), "engaged");
  EXPECT_EQ(seen[0].at("icp_fit_grade"), "A");
  EXPECT_EQ(seen[0].at("intent_score"), 90);
  EXPECT_TRUE(Feed(next).at("data").as_array().empty());

  // Stable: a client that crashed before storing `next` re-reads the same change.
  json::value again = Feed(stored);
  ASSERT_EQ(again.at("data").as_array().size(), 1u);
  EXPECT_EQ(again.at("data").at(0).at("account_id"), "rwa_0002");
}

TEST_F(RwChangesTest, SettingTheSameValueIsNotAChange) {
  std::string stored = Drain("");
  json::value r = client_->Control("POST", "abm/accounts",
                                   json::object{{"domain", "acme.com"}, {"icp_fit_grade", "A"}});
  EXPECT_FALSE(r.at("changed").as_bool());
  EXPECT_TRUE(Feed(stored).at("data").as_array().empty());
}

TEST_F(RwChangesTest, ListMembershipChangesShowInTheFeedAndTheMembers) {
  std::string stored = Drain("");
  Mutate({{"domain", "initech.io"}, {"add_lists", json::array{"al_tier1"}}});
  Mutate({{"domain", "acme.com"}, {"remove_lists", json::array{"al_tier1"}}});
  std::vector<json::value> seen;
  Drain(stored, &seen);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].at("account_id"), "rwa_0003");
  EXPECT_EQ(seen[0].at("account_lists"),
            (json::array{json::object{{"id", "al_tier1"}, {"name", "Tier 1 Targets"}}}));
  EXPECT_EQ(seen[1].at("account_lists").as_array().size(), 1u);

  json::value members = Get(std::string(kBase) + "/account-lists/al_tier1/members").Json();
  std::set<std::string> ids;
  for (const auto& m : members.at("data").as_array()) ids.emplace(m.at("account_id").as_string());
  EXPECT_EQ(ids, (std::set<std::string>{"rwa_0002", "rwa_0003"}));
}

TEST_F(RwChangesTest, NewAccountFromTheControlApiAppearsInTheFeed) {
  std::string stored = Drain("");
  Mutate({{"domain", "https://www.Newco.example/"},
          {"journey_stage", "aware"},
          {"intent_topics", json::array{"abm"}}});
  json::value v = Feed(stored);
  ASSERT_EQ(v.at("data").as_array().size(), 1u);
  EXPECT_EQ(v.at("data").at(0).at("domain"), "newco.example");
}

TEST_F(RwChangesTest, CursorOlderThanTheRetentionIs410) {
  std::string stored = Drain("");
  peer_->AdvanceClockForTest((30LL * 24 * 3600 - 1) * 1000);
  EXPECT_EQ(Get(std::string(kBase) + "/accounts/changes?since_cursor=" + stored).status, 200);
  peer_->AdvanceClockForTest(2000);
  HttpResult r = Get(std::string(kBase) + "/accounts/changes?since_cursor=" + stored);
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.ErrorCode(), "cursor_expired");
  EXPECT_EQ(Counter("events", "cursor_expired"), 1);
  // The documented recovery: a full snapshot without a cursor.
  std::vector<json::value> seen;
  Drain("", &seen);
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(RwChangesTest, RetentionIsConfigurable) {
  client_->Control("POST", "settings", json::object{{"change_retention_s", 60}});
  std::string stored = Drain("");
  client_->Control("POST", "clock/advance", json::object{{"seconds", 61}});
  EXPECT_EQ(Get(std::string(kBase) + "/accounts/changes?since_cursor=" + stored).status, 410);
}

TEST_F(RwChangesTest, BadCursorsAndLimitsAre400) {
  std::string feed = std::string(kBase) + "/accounts/changes";
  EXPECT_EQ(Get(feed + "?since_cursor=zz").ErrorCode(), "invalid_cursor");
  std::string contacts_cursor(Feed("", 100, "contacts").at("next_cursor").as_string());
  HttpResult cross = Get(feed + "?since_cursor=" + contacts_cursor);
  EXPECT_EQ(cross.status, 400);
  EXPECT_EQ(cross.ErrorCode(), "invalid_cursor");
  for (const char* limit : {"0", "1001", "ten"}) {
    HttpResult r = Get(feed + "?limit=" + limit);
    EXPECT_EQ(r.status, 400) << limit;
    EXPECT_EQ(r.ErrorCode(), "invalid_parameter") << limit;
  }
}

TEST_F(RwChangesTest, ContactJourneyStageChangesAppearInTheContactsFeed) {
  json::value snapshot = Feed("", 100, "contacts");
  EXPECT_EQ(snapshot.at("data").as_array().size(), 2u);
  std::string stored(snapshot.at("next_cursor").as_string());
  client_->Control("POST", "abm/contacts",
                   json::object{{"email", "HANK@globex.com"}, {"journey_stage", "opportunity"}});
  json::value v = Feed(stored, 100, "contacts");
  ASSERT_EQ(v.at("data").as_array().size(), 1u);
  EXPECT_EQ(v.at("data").at(0).at("email"), "hank@globex.com");
  EXPECT_EQ(v.at("data").at(0).at("journey_stage"), "opportunity");
}

TEST_F(RwChangesTest, AccountListsAndMembersPaginate) {
  json::value lists = Get(std::string(kBase) + "/account-lists").Json();
  ASSERT_EQ(lists.at("data").as_array().size(), 2u);
  EXPECT_FALSE(lists.at("has_more").as_bool());
  EXPECT_EQ(lists.at("next_cursor"), nullptr);
  EXPECT_EQ(lists.at("data").at(0).at("id"), "al_intent");
  EXPECT_EQ(lists.at("data").at(0).at("type"), "dynamic");
  EXPECT_EQ(lists.at("data").at(0).at("account_count"), 2);

  std::string path = std::string(kBase) + "/account-lists/al_tier1/members?limit=1";
  json::value page1 = Get(path).Json();
  ASSERT_TRUE(page1.at("has_more").as_bool());
  EXPECT_EQ(page1.at("data").at(0).at("account_id"), "rwa_0001");
  EXPECT_EQ(page1.at("data").at(0).at("domain"), "acme.com");
  json::value page2 =
      Get(path + "&cursor=" + std::string(page1.at("next_cursor").as_string())).Json();
  EXPECT_FALSE(page2.at("has_more").as_bool());
  EXPECT_EQ(page2.at("data").at(0).at("account_id"), "rwa_0002");
  // A members cursor of one list is not valid for another.
  HttpResult cross = Get(std::string(kBase) + "/account-lists/al_intent/members?cursor=" +
                         std::string(page1.at("next_cursor").as_string()));
  EXPECT_EQ(cross.ErrorCode(), "invalid_cursor");
  HttpResult missing = Get(std::string(kBase) + "/account-lists/al_nope/members");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorCode(), "not_found");
}

}  // namespace
}  // namespace chpeer::rollworks::testing
