// The outbox of refused records (plugins/rollworks/src/outbox.*) in both directions: account
// data and journey stages Salesforce refuses, uploads RollWorks refuses. They wait with their
// error, are retried with backoff on the test clock, are parked for an admin after
// outbox_max_attempts, and give way to newer data of the same record.
#include "sync_world.hpp"

namespace {

// Its own suite name: each test file has its own copy of the fixture (sync_world.hpp).
class RollworksOutboxTest : public RollworksSyncTest {};

std::string only_collection(const FakeHost& host) {
  const auto outbox = host.outbox();
  return outbox.size() == 1 ? outbox.begin()->second.collection : "";
}

TEST_F(RollworksOutboxTest, ARefusedAccountDataRecordWaitsInTheOutboxAndIsRetriedAfterTheBackoff) {
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");  // the feed goes on
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->second.collection, "RollWorks_Account_Data__c");
  EXPECT_EQ(outbox.begin()->second.id, "rwa_2");
  EXPECT_TRUE(outbox.begin()->second.error.empty());  // pending, not parked
  // The retry state names the attempt, when it is due, and why it waits.
  const boost::json::value state =
      boost::json::parse(host_.state_value("outbox/retry/RollWorks_Account_Data__c/rwa_2").value());
  EXPECT_EQ(state.at("attempts").as_int64(), 1);
  EXPECT_EQ(state.at("due_s").as_int64(), kNoon + 900);
  EXPECT_EQ(state.at("error"),
            "RollWorks_Account_Data__c rwa_2 refused by Salesforce: "
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: refused");

  world_.sf_refuse.clear();  // the admin fixed the validation rule
  ClockedRollworks::now_for_test = kNoon + 899;
  auto r = plugin_.sync("{}");  // not yet due
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("retried").as_int64(), 0);
  EXPECT_EQ(output(r).at("outbox").at("waiting").as_int64(), 1);
  EXPECT_EQ(host_.outbox().size(), 1u);

  ClockedRollworks::now_for_test = kNoon + 900;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("retried").as_int64(), 1);
  EXPECT_EQ(output(r).at("outbox").at("waiting").as_int64(), 0);
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_FALSE(host_.state_value("outbox/retry/RollWorks_Account_Data__c/rwa_2").has_value());
  EXPECT_EQ(world_.account_data.at("rwa_2").at("Intent_Score__c").as_int64(), 10);
}

TEST_F(RollworksOutboxTest, ARecordRefusedThreeTimesIsParkedWithSalesforcesError) {
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());  // attempt 1 (the feed)
  ClockedRollworks::now_for_test += 900;
  auto r = plugin_.sync("{}");  // attempt 2 (the outbox); the next wait doubles
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("errors").as_int64(), 1);
  ASSERT_EQ(host_.outbox().size(), 1u);
  ASSERT_TRUE(host_.outbox().begin()->second.error.empty());
  ClockedRollworks::now_for_test += 1799;
  r = plugin_.sync("{}");
  EXPECT_EQ(output(r).at("down").at("accounts").at("errors").as_int64(), 0);  // not due
  ClockedRollworks::now_for_test += 1;
  r = plugin_.sync("{}");  // attempt 3: parked
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("parked").as_int64(), 1);
  const auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);  // kept for an admin, never dropped
  EXPECT_EQ(outbox.begin()->second.error,
            "RollWorks_Account_Data__c rwa_2 refused by Salesforce: "
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: refused (after 3 attempts)");
  ClockedRollworks::now_for_test += 86400;
  r = plugin_.sync("{}");  // a parked entry is not offered again
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("parked").as_int64(), 0);
}

TEST_F(RollworksOutboxTest, ANewerFeedEntryRetiresTheWaitingOne) {
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_EQ(host_.outbox().size(), 1u);
  world_.add_change("rwa_2", "", 55);  // RollWorks has newer data for that account
  auto r = plugin_.sync("{}");         // still refused: only the newest data waits
  ASSERT_TRUE(r.ok()) << r.error;
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_NE(outbox.begin()->second.json.find("\"Intent_Score__c\":55"), std::string::npos)
      << outbox.begin()->second.json;
  world_.sf_refuse.clear();
  ClockedRollworks::now_for_test += 900;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(world_.account_data.at("rwa_2").at("Intent_Score__c").as_int64(), 55);
}

TEST_F(RollworksOutboxTest, AnUploadRollWorksRefusesWaitsInTheOutboxAndIsRetriedWithBackoff) {
  world_.rw_refuse.insert("001A");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Account"])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("up").at("Account").at("errors").as_int64(), 1);
  EXPECT_EQ(host_.state_value("up/Account"), stamp(1));  // the checkpoint moves past it
  ASSERT_EQ(only_collection(host_), "rollworks-accounts");
  EXPECT_EQ(host_.outbox().begin()->second.id, "001A");
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], 1u);

  world_.rw_refuse.clear();  // RollWorks takes it now
  r = plugin_.sync("{}");    // not yet due: nothing sent
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], 1u);
  EXPECT_EQ(host_.outbox().size(), 1u);

  ClockedRollworks::now_for_test += 900;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("up").at("Account").at("retried").as_int64(), 1);
  EXPECT_EQ(output(r).at("up").at("Account").at("created").as_int64(), 1);
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(world_.rw_accounts.at("001A").at("domain"), "acme.com");
  // Exactly one more record went up: the retry; the overlap's re-read of 001A is an echo now.
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], 2u);
  EXPECT_EQ(output(r).at("up").at("Account").at("echoes").as_int64(), 1);
}

TEST_F(RollworksOutboxTest, AnUploadRefusedThreeTimesIsParkedAndAnAdminRetryGoesThrough) {
  world_.rw_refuse.insert("001A");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Account"])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());  // 1
  ClockedRollworks::now_for_test += 900;
  ASSERT_TRUE(plugin_.sync("{}").ok());  // 2
  ClockedRollworks::now_for_test += 1800;
  auto r = plugin_.sync("{}");  // 3: parked
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("up").at("Account").at("parked").as_int64(), 1);
  // The overlap re-read the same version while it waited: it was not sent again.
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], 3u);
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->second.error,
            "Account 001A refused by RollWorks: invalid_domain: bad (after 3 attempts)");
  EXPECT_NE(host_.statuses().back().find("1 parked in this sync for an admin"), std::string::npos)
      << host_.statuses().back();

  // The admin fixes it at RollWorks and retries the entry (the host clears its error: it is
  // offered again, as a pending entry without retry state).
  world_.rw_refuse.clear();
  const FakeOutboxEntry parked = outbox.begin()->second;
  host_.seed_outbox(parked.collection, parked.id, parked.json);
  ClockedRollworks::now_for_test += 1;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("up").at("Account").at("retried").as_int64(), 1);
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], 4u);
  EXPECT_EQ(world_.rw_accounts.at("001A").at("name"), "Acme");
}

TEST_F(RollworksOutboxTest, AParkedUploadOvertakenByANewerVersionIsNotSentWhenRetried) {
  world_.rw_refuse.insert("001A");
  ASSERT_TRUE(
      plugin_.create(config_json(R"(,"objects_up":["Account"],"outbox_max_attempts":2)")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ClockedRollworks::now_for_test += 900;
  ASSERT_TRUE(plugin_.sync("{}").ok());  // parked after 2
  ASSERT_EQ(host_.outbox().size(), 1u);
  const FakeOutboxEntry parked = host_.outbox().begin()->second;
  ASSERT_FALSE(parked.error.empty());
  // The account changes in Salesforce and RollWorks takes the new version.
  world_.rw_refuse.clear();
  world_.add_sf("Account", {{"Id", "001A"}, {"Name", "Acme Renamed"}, {"Website", "acme.com"}}, 40);
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_EQ(world_.rw_accounts.at("001A").at("name"), "Acme Renamed");
  const std::size_t uploads = world_.uploaded["accounts:batchUpsert"];
  // An admin retries the old entry: it must not overwrite the newer data.
  host_.seed_outbox(parked.collection, parked.id, parked.json);
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], uploads);
  EXPECT_EQ(world_.rw_accounts.at("001A").at("name"), "Acme Renamed");
  for (const auto& [id, e] : host_.outbox()) EXPECT_FALSE(e.error.empty()) << id;  // only parked
}

TEST_F(RollworksOutboxTest, ARefusedJourneyStageWaitsInTheOutboxAndIsRetried) {
  world_.contact_feed = {{{"contact_id", "rwc_1"},
                          {"contact_external_id", "003P"},
                          {"kind", "contact"},
                          {"journey_stage", "engaged"}},
                         {{"contact_id", "rwc_2"},
                          {"contact_external_id", "00QK"},
                          {"kind", "lead"},
                          {"journey_stage", "aware"}}};
  world_.sf_refuse.insert("Lead:00QK");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("contacts").at("errors").as_int64(), 1);
  EXPECT_EQ(host_.state_value("down/contacts/cursor"), "k2");
  ASSERT_EQ(only_collection(host_), "Lead");
  EXPECT_EQ(host_.outbox().begin()->second.id, "00QK");
  EXPECT_FALSE(world_.sf_updates.contains("00QK"));

  world_.sf_refuse.clear();
  ClockedRollworks::now_for_test += 900;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("contacts").at("retried").as_int64(), 1);
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(world_.sf_updates.at("00QK").at("RollWorks_Journey_Stage__c"), "aware");
}

TEST_F(RollworksOutboxTest, EntriesOfATargetNoLongerConfiguredAreParkedWithTheReason) {
  host_.seed_outbox("Old_Abm_Data__c", "rwa_7", R"({"Old_Id__c":"rwa_7"})");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->second.error,
            "Old_Abm_Data__c rwa_7: Old_Abm_Data__c is not written by the current configuration "
            "(a mapping change?); retry it after configuring it again, or leave it");
  EXPECT_EQ(output(r).at("outbox").at("parked").as_int64(), 1);
}

}  // namespace
