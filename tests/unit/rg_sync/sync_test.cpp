// rg-sync's sync hook against the scripted world (sync_world.hpp): users and their statuses,
// mail delta, throttling, the service account check, admin switches, JSON batching, budgets,
// entitlement changes and adaptive polling.
#include "sync_world.hpp"

namespace rgsync_test {
namespace {

TEST_F(RgSyncTest, SyncsEveryEntitledUserAndReportsEachOnesStatus) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;

  ASSERT_EQ(world_.tasks.size(), 2u);  // m1 (Contact) and m2 (Lead); m3 internal, m4 unknown
  const boost::json::object* pat = nullptr;
  const boost::json::object* kim = nullptr;
  for (const auto& [ext, t] : world_.tasks) {
    if (t.at("WhoId") == "003P") pat = &t;
    if (t.at("WhoId") == "00QK") kim = &t;
  }
  ASSERT_TRUE(pat && kim);
  EXPECT_EQ(pat->at("OwnerId"), "005A");  // owned by the end user, not the service account
  EXPECT_EQ(pat->at("WhatId"), "001F");
  EXPECT_FALSE(kim->contains("WhatId"));
  EXPECT_EQ(world_.upsert_calls, 1);  // page 1 (m1, m2); page 2 had no match
  EXPECT_EQ(world_.graph_tokens, 1);

  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(subject("ana@contoso.com").display_name, "Ana Diaz");
  EXPECT_EQ(subject("ben@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(subject("ben@contoso.com").detail,
            "user not found in Salesforce (no User has this email)");
  EXPECT_EQ(subject("cy@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(subject("cy@contoso.com").detail, "Salesforce user cy@contoso.com is inactive");

  EXPECT_EQ(host_.state_value("delta/ana@contoso.com/inbox"),
            std::string(kGraph) +
                "/v1.0/users/ana@contoso.com/mailFolders/inbox/messages/delta"
                "?$deltatoken=4");
  auto summary = boost::json::parse(r.output).as_object();
  EXPECT_EQ(summary.at("messages").as_int64(), 4);
  EXPECT_EQ(summary.at("tasks").as_int64(), 2);
  EXPECT_EQ(summary.at("unmatched").as_int64(), 1);
  EXPECT_EQ(summary.at("users_ok").as_int64(), 1);
  EXPECT_EQ(summary.at("users_failed").as_int64(), 2);
  // What the host exports in /metrics: mail read, activities written, refused.
  EXPECT_EQ(summary.at("records").at("in").as_int64(), 4);
  EXPECT_EQ(summary.at("records").at("out").as_int64(), 2);
  EXPECT_EQ(summary.at("records").at("failed").as_int64(), 0);
}

TEST_F(RgSyncTest, TheNextSyncReadsOnlyNewMessagesFromTheDeltaLink) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.tasks.size(), 3u);
  EXPECT_EQ(boost::json::parse(r.output).at("messages").as_int64(), 1);
  EXPECT_EQ(world_.graph_tokens, 1);  // the Graph token is kept between syncs
}

TEST_F(RgSyncTest, AnExpiredDeltaTokenReReadsTheFolderWithoutDuplicates) {
  ASSERT_TRUE(plugin_.create(config_json(R"(,"calendar":false)")).ok());  // mail only
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.expire_delta_tokens = true;
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.tasks.size(), 3u);  // m1, m2 upserted again onto the same Tasks, m5 new
  EXPECT_EQ(boost::json::parse(r.output).at("resyncs").as_int64(), 1);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
}

TEST_F(RgSyncTest, MailboxErrorsDisableOnlyThatUserWithGraphsReason) {
  world_.sf_users["ben@contoso.com"] = {{"Id", "005B"},
                                        {"Username", "ben@contoso.com"},
                                        {"Email", "ben@contoso.com"},
                                        {"Name", "Ben Li"},
                                        {"IsActive", true}};
  world_.denied.insert("ben@contoso.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(subject("ben@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_NE(subject("ben@contoso.com").detail.find("app-only access to this mailbox was denied"),
            std::string::npos);
  EXPECT_NE(subject("ben@contoso.com").detail.find("ErrorAccessDenied"), std::string::npos);
  world_.denied.clear();
  world_.missing.insert("ben@contoso.com");
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_NE(subject("ben@contoso.com").detail.find("mailbox not found (404 ErrorInvalidUser"),
            std::string::npos)
      << subject("ben@contoso.com").detail;
}

TEST_F(RgSyncTest, ThrottlingWaitsRetryAfterAndGoesOn) {
  world_.throttle_next = 2;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.tasks.size(), 2u);
  EXPECT_EQ(boost::json::parse(r.output).at("graph_throttled").as_int64(), 2);
}

TEST_F(RgSyncTest, ADisconnectedServiceConnectionStopsEverythingAtOnce) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  host_.fail_connection_token(CHP_ERR_AUTH_REVOKED, "invalid_grant: expired access/refresh token");
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_AUTH_REVOKED);
  EXPECT_NE(r.error.find("invalid_grant: expired access/refresh token"), std::string::npos)
      << r.error;
  EXPECT_EQ(world_.graph_calls, 0);  // no mailbox work while Salesforce is unreachable
  EXPECT_EQ(world_.graph_tokens, 0);
}

TEST_F(RgSyncTest, AServiceAccountWithoutThePermissionsIsRefusedNamingEachOne) {
  world_.service_set["PermissionsApiEnabled"] = false;
  world_.service_set["PermissionsViewAllData"] = false;
  world_.service_objects = boost::json::array{boost::json::object{
      {"SobjectType", "Contact"}, {"PermissionsRead", true}, {"PermissionsViewAllRecords", true}}};
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_CONFIG);
  const std::string expected =
      "the Salesforce service account svc@contoso.com lacks: API Enabled, View All Data (or View "
      "All on Account, Lead), Create on Task, Edit on Task, Create on Event, Edit on Event";
  EXPECT_NE(r.error.find(expected), std::string::npos) << r.error;
  EXPECT_NE(subject("ana@contoso.com").detail.find(expected), std::string::npos);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(world_.graph_calls, 0);
  EXPECT_TRUE(world_.tasks.empty());
  // The admin fixes the permission set: the next sync checks again and goes on.
  world_.service_set["PermissionsModifyAllData"] = true;
  world_.service_set["PermissionsApiEnabled"] = true;
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(world_.tasks.size(), 2u);
}

TEST_F(RgSyncTest, ThePermissionCheckIsCachedAndAnEndUserAsServiceAccountIsWarnedAbout) {
  world_.service_email = "ana@contoso.com";
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(world_.permission_queries, 1);
  bool warned = false;
  for (const auto& line : host_.logs()) {
    warned =
        warned || line.message.find("do not use an active end-user account") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST_F(RgSyncTest, UsersAnAdminSwitchedOffAreSkippedAndSyncNowReadsOnlyTheNamedOnes) {
  world_.sf_users["ben@contoso.com"] = {{"Id", "005B"},
                                        {"Username", "ben@contoso.com"},
                                        {"Email", "ben@contoso.com"},
                                        {"Name", "Ben Li"},
                                        {"IsActive", true}};
  world_.add_mail("ben@contoso.com/inbox", "b1", "pat@fabrikam.com", "ben@contoso.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync(R"({"reason":"schedule","disabled_subjects":["Ana@Contoso.com"]})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(host_.subjects().contains("ana@contoso.com"));  // no work, no report
  EXPECT_EQ(subject("ben@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(world_.tasks.size(), 1u);
  EXPECT_EQ(boost::json::parse(r.output).at("users_skipped").as_int64(), 1);

  world_.add_mail("ben@contoso.com/inbox", "b2", "pat@fabrikam.com", "ben@contoso.com");
  const int graph_before = world_.graph_calls;
  r = plugin_.sync(R"({"reason":"manual","subjects":["ana@contoso.com"]})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(world_.tasks.size(), 3u);  // ana's two; ben's new message waits for his turn
  EXPECT_EQ(world_.graph_calls - graph_before, 3);  // ana's inbox (two pages) and calendar
}

TEST_F(RgSyncTest, FirstMailPagesOfManyUsersGoInJsonBatches) {
  for (int i = 0; i < 45; ++i) {
    const std::string email = "x" + std::to_string(i) + "@contoso.com";
    world_.sf_users[email] = {{"Id", "005X" + std::to_string(i)},
                              {"Username", email},
                              {"Email", email},
                              {"Name", "X " + std::to_string(i)},
                              {"IsActive", true}};
  }
  std::string users = R"("ana@contoso.com")";
  for (int i = 0; i < 45; ++i) users += ",\"x" + std::to_string(i) + "@contoso.com\"";
  std::string config = config_json(R"(,"calendar":false)");
  const std::string listed = R"("users":["ana@contoso.com","ben@contoso.com","cy@contoso.com"])";
  config.replace(config.find(listed), listed.size(), "\"users\":[" + users + "]");
  ASSERT_TRUE(plugin_.create(config).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());
  // 46 users polled (ana + 45), one folder each: three batches of at most 20.
  EXPECT_EQ(world_.batch_posts, 3);
  world_.batch_posts = 0;
  world_.graph_calls = 0;
  auto r = plugin_.sync(R"({"reason":"manual"})");  // nobody has new mail
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.batch_posts, 3);
  EXPECT_EQ(world_.graph_calls, 46);  // answered inside the batches: no request of their own
  EXPECT_EQ(boost::json::parse(r.output).at("graph_calls").as_int64(), 3);
  // A refused batch changes nothing but the count: every user is asked on their own.
  world_.refuse_batches = true;
  world_.add_mail("x3@contoso.com/inbox", "late", "pat@fabrikam.com", "x3@contoso.com");
  r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(subject("x3@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(boost::json::parse(r.output).at("tasks").as_int64(), 1);
}

TEST_F(RgSyncTest, AMailboxThatUsedItsTenMinuteBudgetWaitsWithoutAskingGraph) {
  ASSERT_TRUE(
      plugin_.create(config_json(R"(,"calendar":false,"mailbox_requests_per_10min":2)")).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());  // ana's inbox: two pages
  EXPECT_EQ(world_.tasks.size(), 2u);
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  const int before = world_.mailbox_calls["ana@contoso.com"];
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], before);  // nothing sent for that mailbox
  EXPECT_NE(subject("ana@contoso.com").detail.find("ClientBudgetExceeded"), std::string::npos)
      << subject("ana@contoso.com").detail;
  EXPECT_EQ(world_.tasks.size(), 2u);  // m5 waits, its checkpoint untouched
  EXPECT_NE(host_.state_value("delta/ana@contoso.com/inbox"), std::nullopt);
}

TEST_F(RgSyncTest, AMailboxNamedByEmailAndByIdSpendsOneBudget) {
  world_.links_by_id = true;  // the first request names ana by email, every link by her id
  ASSERT_TRUE(
      plugin_.create(config_json(R"(,"calendar":false,"mailbox_requests_per_10min":3)")).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());  // two pages: email, then id
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], 2);
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());  // the third request
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], 3);
  EXPECT_EQ(world_.tasks.size(), 3u);
  world_.add_mail("ana@contoso.com/inbox", "m6", "pat@fabrikam.com", "ana@contoso.com");
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  // Counted apart, the id would have had one request left: it is one mailbox, three are spent.
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], 3);
  EXPECT_NE(subject("ana@contoso.com").detail.find("ClientBudgetExceeded"), std::string::npos)
      << subject("ana@contoso.com").detail;
  EXPECT_EQ(world_.tasks.size(), 3u);
}

TEST_F(RgSyncTest, CalendarFirstPagesGoInTheSameJsonBatchesAsMail) {
  for (int i = 0; i < 45; ++i) {
    const std::string email = "x" + std::to_string(i) + "@contoso.com";
    world_.sf_users[email] = {{"Id", "005X" + std::to_string(i)},
                              {"Username", email},
                              {"Email", email},
                              {"Name", "X " + std::to_string(i)},
                              {"IsActive", true}};
  }
  std::string users = R"("ana@contoso.com")";
  for (int i = 0; i < 45; ++i) users += ",\"x" + std::to_string(i) + "@contoso.com\"";
  std::string config = config_json();
  const std::string listed = R"("users":["ana@contoso.com","ben@contoso.com","cy@contoso.com"])";
  config.replace(config.find(listed), listed.size(), "\"users\":[" + users + "]");
  ASSERT_TRUE(plugin_.create(config).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());
  // 46 users, an inbox and a calendar each: 92 first pages in batches of 20 (10 users each).
  EXPECT_EQ(world_.batch_posts, 5);
  world_.batch_posts = 0;
  world_.graph_calls = 0;
  world_.calendar_prefer.clear();
  auto r = plugin_.sync(R"({"reason":"manual"})");  // nothing new anywhere
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.batch_posts, 5);
  EXPECT_EQ(world_.graph_calls, 92);  // all answered inside the batches
  EXPECT_EQ(boost::json::parse(r.output).at("graph_calls").as_int64(), 5);
  // Each calendar request in a batch kept its own Prefer: UTC times, the page size.
  ASSERT_EQ(world_.calendar_prefer.size(), 46u);
  for (const std::string& prefer : world_.calendar_prefer) {
    EXPECT_NE(prefer.find("outlook.timezone=\"UTC\""), std::string::npos) << prefer;
  }
}

TEST_F(RgSyncTest, UsersThatLeaveTheEntitlementAreDisabledWithTheReason) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  std::string fewer = config_json();
  fewer.replace(fewer.find(R"(,"cy@contoso.com")"), 17, "");
  ASSERT_TRUE(plugin_.create(fewer).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(subject("cy@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_NE(subject("cy@contoso.com").detail.find("no longer entitled"), std::string::npos);
}

// --- adaptive polling ---

TEST_F(RgSyncTest, QuietUsersArePolledLessOftenAndBackEveryCycleOnChanges) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());  // 4 messages: stays on step 0
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"), R"({"step":0,"next_at_ms":1796126400000})");
  ASSERT_TRUE(plugin_.sync("{}").ok());  // nothing new: step 1, 30 minutes
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"), R"({"step":1,"next_at_ms":1796128200000})");
  const std::string detail = subject("ana@contoso.com").detail;

  ClockedRgSync::now_for_test = kNoon + std::chrono::minutes{10};
  const int calls = world_.mailbox_calls["ana@contoso.com"];
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], calls);  // not due
  auto summary = boost::json::parse(r.output).as_object();
  EXPECT_EQ(summary.at("users_skipped").as_int64(), 1);
  EXPECT_EQ(summary.at("users_ok").as_int64(), 0);
  EXPECT_EQ(subject("ana@contoso.com").detail, detail);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);

  // An admin's sync (or the connection coming back) polls everyone now.
  r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_GT(world_.mailbox_calls["ana@contoso.com"], calls);
  EXPECT_EQ(boost::json::parse(r.output).at("users_skipped").as_int64(), 0);
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"),  // idle again: step 2, 60 minutes
            R"({"step":2,"next_at_ms":1796130600000})");
  ASSERT_TRUE(plugin_.sync(R"({"reason":"resume"})").ok());
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"),  // step 3, 120 minutes: the last one
            R"({"step":3,"next_at_ms":1796134200000})");

  // Mail arrives; once due, the sync finds it and the user is back on the first step.
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  ClockedRgSync::now_for_test = kNoon + std::chrono::minutes{131};
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("messages").as_int64(), 1);
  EXPECT_EQ(world_.tasks.size(), 3u);
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"), R"({"step":0,"next_at_ms":1796134260000})");
}

TEST_F(RgSyncTest, AFailedUserIsTriedAgainEveryCycle) {
  world_.sf_users["ben@contoso.com"] = {{"Id", "005B"},
                                        {"Username", "ben@contoso.com"},
                                        {"Email", "ben@contoso.com"},
                                        {"Name", "Ben Li"},
                                        {"IsActive", true}};
  world_.denied.insert("ben@contoso.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_FALSE(host_.state_value("poll/ben@contoso.com").has_value());
  // Each cycle asks his inbox and calendar first pages again (in the JSON batch).
  EXPECT_EQ(world_.mailbox_calls["ben@contoso.com"], 4);
}

}  // namespace
}  // namespace rgsync_test
