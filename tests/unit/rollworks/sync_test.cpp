// rollworks' sync hook against FakeHost with the scripted world of sync_world.hpp: both
// directions, paging and checkpoints, throttling, the user check, what a disconnected
// Salesforce connection does.
#include "sync_world.hpp"

namespace {
TEST_F(RollworksSyncTest, SyncsBothWaysAndReportsTheConnectedAudience) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;

  ASSERT_EQ(world_.rw_accounts.size(), 1u);
  const boost::json::object& acme = world_.rw_accounts.at("001A");
  EXPECT_EQ(acme.at("name"), "Acme");
  EXPECT_EQ(acme.at("domain"), "acme.com");
  EXPECT_EQ(acme.at("employees").as_int64(), 50);
  EXPECT_FALSE(acme.contains("deleted"));
  ASSERT_EQ(world_.rw_contacts.size(), 2u);
  EXPECT_EQ(world_.rw_contacts.at("003P").at("kind"), "contact");
  EXPECT_EQ(world_.rw_contacts.at("003P").at("account_external_id"), "001A");
  EXPECT_EQ(world_.rw_contacts.at("00QK").at("kind"), "lead");

  ASSERT_EQ(world_.account_data.size(), 2u);
  const boost::json::object& d1 = world_.account_data.at("rwa_1");
  EXPECT_EQ(d1.at("Account__c"), "001A");
  EXPECT_EQ(d1.at("Account_Lists__c"), "Tier 1; Q4");
  EXPECT_EQ(d1.at("Intent_Score__c").as_int64(), 72);
  EXPECT_EQ(d1.at("Journey_Stage__c"), "engaged");
  EXPECT_TRUE(world_.account_data.at("rwa_2").at("Account__c").is_null());

  EXPECT_EQ(host_.state_value("up/Account"), stamp(1));
  EXPECT_EQ(host_.state_value("up/Lead"), stamp(3));
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");
  const auto statuses = host_.statuses();
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.front(),
            "Success! We've connected your Audience to RollWorks. (Demo Audience)");

  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("up").at("Account").at("created").as_int64(), 1);
  EXPECT_EQ(out.at("up").at("Contact").at("created").as_int64(), 1);
  EXPECT_EQ(out.at("down").at("accounts").at("upserted").as_int64(), 2);
  // advertiser, 3 batches, accounts feed, contacts feed
  EXPECT_EQ(out.at("rollworks_calls").as_int64(), 1 + 3 + 1 + 1);
  // Organization, userinfo, 4 user and permission queries, 5 queryAll, 1 upsert
  EXPECT_EQ(out.at("salesforce_calls").as_int64(), 6 + 5 + 1);
  EXPECT_FALSE(out.contains("warnings"));
  // What the host exports in /metrics: read from either side, written to the other.
  std::int64_t read = 0, written = 0;
  for (const auto& [object, c] : out.at("up").as_object()) {
    read += c.at("read").as_int64();
    written += c.at("created").as_int64() + c.at("updated").as_int64();
  }
  const auto& down = out.at("down");
  EXPECT_GE(written, 2);
  EXPECT_EQ(out.at("records").at("in").as_int64(),
            read + down.at("accounts").at("received").as_int64() +
                down.at("contacts").at("received").as_int64());
  EXPECT_EQ(out.at("records").at("out").as_int64(),
            written + down.at("accounts").at("upserted").as_int64() +
                down.at("accounts").at("legacy_upserted").as_int64() +
                down.at("contacts").at("updated").as_int64());
  EXPECT_EQ(out.at("records").at("failed").as_int64(), 0);
}

TEST_F(RollworksSyncTest, UpSendsBatchesOfAtMostPageSizeAndResumesFromTheCheckpoint) {
  for (int i = 0; i < 1100; ++i) {
    world_.add_sf("Account",
                  {{"Id", "001B" + std::to_string(1000 + i)},
                   {"Name", "Co " + std::to_string(i)},
                   {"Website", "co" + std::to_string(i) + ".com"}},
                  10 + i / 100);
  }
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Account"])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.batch_sizes, (std::vector<std::size_t>{500, 500, 101}));
  EXPECT_EQ(world_.rw_accounts.size(), 1101u);
  EXPECT_EQ(host_.state_value("up/Account"), stamp(20));

  // The next query starts at the checkpoint minus the overlap (300 s).
  world_.batch_sizes.clear();
  world_.add_sf("Account", {{"Id", "001A"}, {"Name", "Acme Inc"}, {"IsDeleted", true}}, 30);
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(world_.soql.back().find("WHERE SystemModstamp >= 2026-11-30T09:15:00Z"),
            std::string::npos)
      << world_.soql.back();
  EXPECT_EQ(world_.rw_accounts.at("001A").at("deleted"), true);
  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("up").at("Account").at("updated").as_int64(), 1);
  // The overlap re-read minutes 15..20: RollWorks has exactly those payloads, none is resent.
  EXPECT_EQ(out.at("up").at("Account").at("echoes").as_int64(), 600);
  EXPECT_EQ(out.at("up").at("Account").at("unchanged").as_int64(), 0);
  EXPECT_EQ(world_.batch_sizes, (std::vector<std::size_t>{1}));
  EXPECT_EQ(host_.state_value("up/Account"), stamp(30));
}

TEST_F(RollworksSyncTest, DownPagesTheFeedAndResumesFromTheStoredCursor) {
  world_.add_change("rwa_3", "", 5);
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[],"page_size":2)")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(world_.feed_cursors, (std::vector<std::string>{"", "c2"}));
  EXPECT_EQ(world_.account_data.size(), 3u);
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c3");

  world_.add_change("rwa_1", "001A", 90);
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.feed_cursors.back(), "c3");
  EXPECT_EQ(output(r).at("down").at("accounts").at("received").as_int64(), 1);
  EXPECT_EQ(world_.account_data.at("rwa_1").at("Intent_Score__c").as_int64(), 90);
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c4");
}

TEST_F(RollworksSyncTest, AnExpiredCursorRestartsTheFeedFromASnapshot) {
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.expire_cursors = true;
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.feed_cursors, (std::vector<std::string>{"", "c2", ""}));
  EXPECT_EQ(output(r).at("down").at("accounts").at("resyncs").as_int64(), 1);
  EXPECT_EQ(world_.account_data.size(), 2u);  // upserts: no duplicates
}

TEST_F(RollworksSyncTest, RateLimitedCallsWaitRetryAfterAndTryAgain) {
  world_.throttle_next = 2;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("rollworks_throttled").as_int64(), 2);
  EXPECT_EQ(world_.rw_accounts.size(), 1u);
}

TEST_F(RollworksSyncTest, ThreeRateLimitedTriesGiveUpWithoutAdvancing) {
  world_.throttle_next = 3;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_TRANSIENT);
  EXPECT_TRUE(world_.rw_accounts.empty());
}

TEST_F(RollworksSyncTest, PerRecordErrorsAreCountedAndDoNotHoldTheCheckpoint) {
  world_.rw_refuse.insert("001A");
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("up").at("Account").at("errors").as_int64(), 1);
  EXPECT_EQ(out.at("down").at("accounts").at("errors").as_int64(), 1);
  EXPECT_EQ(out.at("record_errors").as_int64(), 2);
  EXPECT_EQ(host_.state_value("up/Account"), stamp(1));
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");
  EXPECT_EQ(host_.statuses().back(),
            "2 record(s) wait in the outbox, retried at a later sync; last refusal: "
            "RollWorks_Account_Data__c rwa_2 refused by Salesforce: "
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: refused");
  // Both refusals wait in the outbox, each under its direction's collection.
  std::set<std::pair<std::string, std::string>> waiting;
  for (const auto& [entry_id, e] : host_.outbox()) waiting.insert({e.collection, e.id});
  EXPECT_EQ(waiting, (std::set<std::pair<std::string, std::string>>{
                         {"rollworks-accounts", "001A"}, {"RollWorks_Account_Data__c", "rwa_2"}}));
}

TEST_F(RollworksSyncTest, AWholeBatchFailureStopsTheObjectWithoutAdvancing) {
  world_.reject_batches = true;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_TRANSIENT);
  EXPECT_FALSE(host_.state_value("up/Account").has_value());
  EXPECT_FALSE(host_.state_value("up/Contact").has_value());
  // The down direction is independent and still ran.
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");
}

TEST_F(RollworksSyncTest, ADeactivatedApiKeyIsAConfigError) {
  world_.key_deactivated = true;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_CONFIG);
  EXPECT_NE(r.error.find("RollWorks refused the API key"), std::string::npos) << r.error;
}

TEST_F(RollworksSyncTest, ADisconnectedSalesforceConnectionPushesNothing) {
  host_.fail_connection_token(CHP_ERR_AUTH_REVOKED, "invalid_grant: expired access/refresh token");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_AUTH_REVOKED);
  EXPECT_TRUE(world_.rw_accounts.empty());
  EXPECT_TRUE(world_.batch_sizes.empty());
  EXPECT_TRUE(world_.feed_cursors.empty());
}

TEST_F(RollworksSyncTest, AUserLackingPermissionsIsRefusedWithEveryMissingItemNamed) {
  world_.denied = {"set", "ApiEnabled", "ViewRoles", "Task.Create", "Campaign.ModifyAllRecords"};
  world_.licence = "Salesforce Integration";
  world_.licence_key = "PID_INTEGRATION";
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_CONFIG);
  EXPECT_EQ(r.error,
            "the Salesforce user rollworks.integration@acme.example lacks permission set "
            "RollWorks Admin, View Roles and Role Hierarchy, API Enabled, Modify All on Campaign, "
            "Create on Task, a full Salesforce licence (the user has Salesforce Integration); "
            "nothing is synced until the connection is authorized as a user that has them (a "
            "dedicated integration user)");
  EXPECT_EQ(host_.statuses().back(), r.error);
  EXPECT_TRUE(world_.batch_sizes.empty());   // nothing pushed
  EXPECT_TRUE(world_.feed_cursors.empty());  // nothing read from RollWorks
  EXPECT_TRUE(world_.account_data.empty());
}

TEST_F(RollworksSyncTest, EachRequiredPermissionIsNamedWhenItAloneIsMissing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"set", "permission set RollWorks Admin"},
      {"ViewAllUsers", "View All Users"},
      {"ManageProfilesPermissionsets", "Manage Profiles and Permission Sets"},
      {"ViewRoles", "View Roles and Role Hierarchy"},
      {"ViewSetup", "View Setup and Configuration"},
      {"ApiEnabled", "API Enabled"},
      {"Account.ViewAllRecords", "View All on Account"},
      {"Opportunity.Read", "Read on Opportunity"},
      {"Contact.Create", "Create on Contact"},
      {"Lead.Edit", "Edit on Lead"},
      {"Campaign.ModifyAllRecords", "Modify All on Campaign"},
      {"Task.Edit", "Edit on Task"}};
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  for (const auto& [denied, named] : cases) {
    world_.denied = {denied};
    auto r = plugin_.sync("{}");
    EXPECT_EQ(r.status, CHP_ERR_CONFIG) << denied;
    EXPECT_NE(r.error.find(" lacks " + named + "; "), std::string::npos) << r.error;
  }
  world_.denied.clear();
  world_.licence_key = "PID_INTEGRATION";
  world_.licence = "Salesforce Integration";
  auto r = plugin_.sync("{}");
  EXPECT_NE(r.error.find(" lacks a full Salesforce licence (the user has Salesforce "
                         "Integration); "),
            std::string::npos)
      << r.error;
  EXPECT_TRUE(world_.batch_sizes.empty());
}

TEST_F(RollworksSyncTest, APersonsAccountSyncsWithAWarning) {
  world_.username = "jane.doe@acme.example";
  world_.user_name = "Jane Doe";
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string warning =
      "the Salesforce user jane.doe@acme.example looks like a person, not a dedicated "
      "integration user (its name does not say so): when that person leaves and the user is "
      "deactivated, RollWorks stops updating and pushing; authorize a dedicated integration "
      "user";
  EXPECT_EQ(output(r).at("warnings").as_array(), boost::json::array{warning});
  EXPECT_EQ(host_.statuses().back(), warning);
  EXPECT_EQ(world_.rw_accounts.size(), 1u);

  world_.username = "rollworks.integration@acme.example";  // a name like a service, a manager
  world_.manager_id = "005BOSS";
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(std::string(output(r).at("warnings").as_array().at(0).as_string())
                .find("it has a "
                      "manager"),
            std::string::npos);
}

TEST_F(RollworksSyncTest, OpportunitiesAndCampaignsGoUpInTheirOwnBatches) {
  world_.add_sf("Opportunity",
                {{"Id", "006O"},
                 {"Name", "Acme renewal"},
                 {"AccountId", "001A"},
                 {"StageName", "Negotiation"},
                 {"Amount", 25000},
                 {"CloseDate", "2026-12-31"},
                 {"IsClosed", false},
                 {"IsWon", false}},
                4);
  world_.add_sf("Campaign",
                {{"Id", "701C"},
                 {"Name", "Q4 Webinar"},
                 {"Type", "Webinar"},
                 {"Status", "In Progress"},
                 {"StartDate", "2026-11-01"},
                 {"EndDate", nullptr}},
                5);
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Opportunity","Campaign"])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(world_.rw_opportunities.size(), 1u);
  const boost::json::object& o = world_.rw_opportunities.at("006O");
  EXPECT_EQ(o.at("name"), "Acme renewal");
  EXPECT_EQ(o.at("account_external_id"), "001A");
  EXPECT_EQ(o.at("stage"), "Negotiation");
  EXPECT_EQ(o.at("amount").as_int64(), 25000);
  EXPECT_EQ(o.at("close_date"), "2026-12-31");
  EXPECT_EQ(o.at("is_won"), false);
  ASSERT_EQ(world_.rw_campaigns.size(), 1u);
  const boost::json::object& c = world_.rw_campaigns.at("701C");
  EXPECT_EQ(c.at("type"), "Webinar");
  EXPECT_EQ(c.at("status"), "In Progress");
  EXPECT_FALSE(c.contains("end_date"));  // null in Salesforce: not sent
  EXPECT_EQ(host_.state_value("up/Opportunity"), stamp(4));
  EXPECT_EQ(host_.state_value("up/Campaign"), stamp(5));
  EXPECT_TRUE(world_.rw_accounts.empty());
}

TEST_F(RollworksSyncTest, TheContactsFeedWritesTheJourneyStageOntoLinkedContactsAndLeads) {
  world_.contact_feed = {{{"contact_id", "rwc_1"},
                          {"email", "pat@acme.com"},
                          {"contact_external_id", "003P"},
                          {"kind", "contact"},
                          {"journey_stage", "engaged"}},
                         {{"contact_id", "rwc_2"},
                          {"email", "kim@globex.com"},
                          {"contact_external_id", "00QK"},
                          {"kind", "lead"},
                          {"journey_stage", "aware"}},
                         {{"contact_id", "rwc_3"},
                          {"email", "x@nowhere.com"},
                          {"contact_external_id", nullptr},
                          {"kind", nullptr},
                          {"journey_stage", "unaware"}}};
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(world_.sf_updates.size(), 2u);
  EXPECT_EQ(world_.sf_updates.at("003P").at("RollWorks_Journey_Stage__c"), "engaged");
  EXPECT_EQ(world_.sf_updates.at("00QK").at("RollWorks_Journey_Stage__c"), "aware");
  const boost::json::object out = output(r);
  const boost::json::value& c = out.at("down").at("contacts");
  EXPECT_EQ(c.at("received").as_int64(), 3);
  EXPECT_EQ(c.at("updated").as_int64(), 2);
  EXPECT_EQ(c.at("unlinked").as_int64(), 1);
  EXPECT_EQ(host_.state_value("down/contacts/cursor"), "k3");

  world_.sf_updates.clear();  // the next sync resumes from the cursor: nothing new
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_TRUE(world_.sf_updates.empty());
}

TEST(RollworksDomain, NormalisesWebsitesLikeRollWorks) {
  EXPECT_EQ(rollworks::domain_from_website("HTTPS://www.Acme.COM/about?x=1"), "acme.com");
  EXPECT_EQ(rollworks::domain_from_website("//user@shop.globex.com:8080/"), "shop.globex.com");
  EXPECT_EQ(rollworks::domain_from_website("  "), "");
}

}  // namespace
