// Echo suppression (plugins/rollworks/src/sent_payloads.*): our own journey stage writes bump
// the Contacts' and Leads' SystemModstamp, and the next up sync reads them again; what goes to
// RollWorks is only what changed in the mapped payload. Counted by the uploads RollWorks got.
#include "sent_payloads.hpp"
#include "sync_world.hpp"

namespace {

// Its own suite name: each test file has its own copy of the fixture (sync_world.hpp).
class RollworksEchoTest : public RollworksSyncTest {};

void link_contacts(World& world) {
  world.contact_feed = {{{"contact_id", "rwc_1"},
                         {"contact_external_id", "003P"},
                         {"kind", "contact"},
                         {"journey_stage", "engaged"}},
                        {{"contact_id", "rwc_2"},
                         {"contact_external_id", "00QK"},
                         {"kind", "lead"},
                         {"journey_stage", "aware"}}};
}

TEST_F(RollworksEchoTest, OurOwnJourneyStageWritesAreNotUploadedAgain) {
  link_contacts(world_);
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Contact","Lead"])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.uploaded["contacts:batchUpsert"], 2u);
  ASSERT_EQ(world_.sf_updates.size(), 2u);  // the journey stages went onto both records...
  EXPECT_EQ(world_.sf.at("Contact").at("003P").at("SystemModstamp").as_string(), stamp(600));

  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const boost::json::object out = output(r);
  // Salesforce sent both again (their SystemModstamp moved), RollWorks got neither.
  EXPECT_EQ(out.at("up").at("Contact").at("read").as_int64(), 1);
  EXPECT_EQ(out.at("up").at("Lead").at("read").as_int64(), 1);
  EXPECT_EQ(out.at("up").at("Contact").at("echoes").as_int64(), 1);
  EXPECT_EQ(out.at("up").at("Lead").at("echoes").as_int64(), 1);
  EXPECT_EQ(world_.uploaded["contacts:batchUpsert"], 2u);
  EXPECT_EQ(world_.batch_sizes.size(), 2u);  // no batch at all in this sync
  // advertiser, accounts feed, contacts feed: no upload call.
  EXPECT_EQ(out.at("rollworks_calls").as_int64(), 3);
}

TEST_F(RollworksEchoTest, ARealChangeBesideOurOwnWriteIsUploaded) {
  link_contacts(world_);
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Contact","Lead"])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  // A person changes the Contact's title after our journey stage write.
  boost::json::object contact = world_.sf.at("Contact").at("003P");
  contact["Title"] = "CEO";
  world_.add_sf("Contact", contact, 700);
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("up").at("Contact").at("updated").as_int64(), 1);
  EXPECT_EQ(output(r).at("up").at("Lead").at("echoes").as_int64(), 1);
  EXPECT_EQ(world_.uploaded["contacts:batchUpsert"], 3u);
  EXPECT_EQ(world_.rw_contacts.at("003P").at("title"), "CEO");
}

TEST_F(RollworksEchoTest, AFullReadAfterACheckpointResetSendsEverythingAgain) {
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Account"])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_EQ(world_.uploaded["accounts:batchUpsert"], 1u);
  host_.seed_state("up/Account", "");  // an admin reset the checkpoint: re-upload all
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.uploaded["accounts:batchUpsert"], 2u);
  EXPECT_EQ(output(r).at("up").at("Account").at("unchanged").as_int64(), 1);
}

TEST(RollworksSentPayloads, TheDigestChangesWithAnyMappedField) {
  const boost::json::object a{{"external_id", "003P"}, {"email", "pat@acme.com"}};
  boost::json::object b = a;
  EXPECT_EQ(rollworks::payload_digest(a), rollworks::payload_digest(b));
  b["title"] = "CTO";
  EXPECT_NE(rollworks::payload_digest(a), rollworks::payload_digest(b));
  EXPECT_EQ(rollworks::payload_digest(a).size(), 43u);  // base64url of 32 bytes, no padding
}

}  // namespace
