// rollworks end to end (fixture: rollworks_fixture.hpp): what waits in the outbox and what is
// not sent again. A record RollWorks refuses and a journey stage Salesforce refuses stay in
// the host outbox with the error, are retried at later syncs, are parked after 3 attempts
// where `connector-host outbox` shows them, and go through after the admin fixes the cause
// and retries; our own journey stage writes are not uploaded back (echo suppression).
#include <algorithm>

#include "rollworks_fixture.hpp"

namespace chost::integration {
namespace {

// Its own suite name: the fixture lives in an anonymous namespace of a header.
class RollworksOutboxE2eTest : public RollworksE2eTest {
 protected:
  // The summary `sync rollworks` printed ("rollworks: sync ok {...}").
  static boost::json::object summary(const CommandResult& r) {
    const std::size_t at = r.out.find("sync ok ");
    EXPECT_NE(at, std::string::npos) << r.out << r.err;
    if (at == std::string::npos) return {};
    return boost::json::parse(r.out.substr(at + 8)).as_object();
  }

  CommandResult sync(const std::string& tag) {
    CommandResult r = cli({"sync", "rollworks"}, tag);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r;
  }

  std::string sf_create(const std::string& type, const boost::json::object& fields) {
    auto r = sf_->SendJson("POST", "/services/data/v59.0/sobjects/" + type, fields, {sf_session()});
    EXPECT_LT(r.status, 300) << r.body;
    return r.status < 300 ? std::string(r.Json().at("id").as_string()) : "";
  }

  // The Salesforce peer's field definition of Contact.RollWorks_Journey_Stage__c, `length` long.
  void journey_stage_field_length(int length) {
    boost::json::object seed{
        {"custom_fields",
         {{"Contact", boost::json::array{{{"name", "RollWorks_Journey_Stage__c"},
                                          {"type", "string"},
                                          {"length", length},
                                          {"label", "RollWorks Journey Stage"}}}}}}};
    ASSERT_EQ(sf_->SendJson("POST", "/__peer/seed", seed).status, 200);
  }
};

TEST_F(RollworksOutboxE2eTest, OurOwnJourneyStageWritesAreNotUploadedAgain) {
  const CommandResult first = sync("sync-1");
  const size_t contacts = sf_query("SELECT+Id+FROM+Contact").size();
  ASSERT_GT(contacts, 0u);
  const boost::json::object s1 = summary(first);
  // RollWorks linked every uploaded contact; the contacts feed wrote each one's journey stage.
  ASSERT_EQ(s1.at("down").at("contacts").at("updated").as_int64(), static_cast<int64_t>(contacts));
  const int64_t received = rw_counter("records_received", "contacts");
  const int64_t batches = rw_counter("batches", "contacts");
  ASSERT_EQ(received, static_cast<int64_t>(contacts));

  // Those writes moved every Contact's SystemModstamp: the next sync reads them all again and
  // sends RollWorks none of them.
  const boost::json::object s2 = summary(sync("sync-2"));
  const boost::json::object& c = s2.at("up").at("Contact").as_object();
  EXPECT_EQ(c.at("read").as_int64(), static_cast<int64_t>(contacts));
  EXPECT_EQ(c.at("echoes").as_int64(), static_cast<int64_t>(contacts));
  EXPECT_EQ(rw_counter("records_received", "contacts"), received);
  EXPECT_EQ(rw_counter("batches", "contacts"), batches);

  // A person's change after that is uploaded: exactly that one record.
  const std::string id(sf_query("SELECT+Id+FROM+Contact").front().at("Id").as_string());
  auto r = sf_->SendJson("PATCH", "/services/data/v59.0/sobjects/Contact/" + id,
                         boost::json::object{{"Title", "VP Marketing"}}, {sf_session()});
  ASSERT_LT(r.status, 300) << r.body;
  const boost::json::object s3 = summary(sync("sync-3"));
  EXPECT_EQ(s3.at("up").at("Contact").at("updated").as_int64(), 1);
  EXPECT_EQ(rw_counter("records_received", "contacts"), received + 1);
}

TEST_F(RollworksOutboxE2eTest, AnUploadRollWorksRefusesWaitsIsParkedAndGivesWayToTheFixedRecord) {
  sync("sync-0");
  const int64_t received = rw_counter("records_received", "accounts");
  // "intranet" normalises to no domain with a dot: RollWorks refuses it (invalid_domain).
  const std::string id = sf_create("Account", {{"Name", "Intranet Co"}, {"Website", "intranet"}});
  ASSERT_FALSE(id.empty());
  boost::json::object s = summary(sync("sync-1"));
  EXPECT_EQ(s.at("up").at("Account").at("errors").as_int64(), 1);
  EXPECT_EQ(rw_counter("records_received", "accounts"), received + 1);
  CommandResult pending = cli({"outbox", "rollworks", "--state", "pending"}, "pending");
  EXPECT_NE(pending.out.find("rollworks-accounts"), std::string::npos) << pending.out;
  EXPECT_NE(pending.out.find(id), std::string::npos) << pending.out;

  s = summary(sync("sync-2"));  // attempt 2
  EXPECT_EQ(s.at("up").at("Account").at("errors").as_int64(), 1);
  s = summary(sync("sync-3"));  // attempt 3: parked
  EXPECT_EQ(s.at("up").at("Account").at("parked").as_int64(), 1);
  EXPECT_EQ(rw_counter("records_received", "accounts"), received + 3);  // one try per sync
  CommandResult failed = cli({"outbox", "rollworks"}, "failed");
  EXPECT_NE(failed.out.find("Account " + id + " refused by RollWorks: invalid_domain: "),
            std::string::npos)
      << failed.out;
  EXPECT_NE(failed.out.find("(after 3 attempts)"), std::string::npos) << failed.out;
  s = summary(sync("sync-4"));  // parked: not tried again
  EXPECT_EQ(rw_counter("records_received", "accounts"), received + 3);

  // The admin fixes the Website: the new version goes up and RollWorks takes it.
  sf_patch_account(id, {{"Website", "https://intranet-co.example"}});
  s = summary(sync("sync-5"));
  EXPECT_EQ(s.at("up").at("Account").at("created").as_int64(), 1);
  EXPECT_EQ(rw_counter("records_received", "accounts"), received + 4);
  EXPECT_EQ(rw_uploaded("accounts").count(id), 1u);
  // Retrying the parked old version must not overwrite it: the plugin drops it unsent.
  CommandResult retry = cli({"outbox", "rollworks", "--retry"}, "retry");
  ASSERT_EQ(retry.exit_code, 0) << retry.out << retry.err;
  EXPECT_NE(retry.out.find("1 failed outbox entry offered again"), std::string::npos) << retry.out;
  sync("sync-6");
  EXPECT_EQ(rw_counter("records_received", "accounts"), received + 4);
  EXPECT_NE(cli({"outbox", "rollworks"}, "failed-after").out.find("no failed outbox entries"),
            std::string::npos);
  EXPECT_NE(cli({"outbox", "rollworks", "--state", "pending"}, "pending-after")
                .out.find("no pending outbox entries"),
            std::string::npos);
}

TEST_F(RollworksOutboxE2eTest, ARefusedJourneyStageIsParkedAndAnAdminRetryWritesIt) {
  sync("sync-0");
  const boost::json::array contacts = sf_query("SELECT+Id,+Email+FROM+Contact");
  ASSERT_FALSE(contacts.empty());
  const std::string id(contacts.front().at("Id").as_string());
  const std::string email(contacts.front().at("Email").as_string());
  // Salesforce's field is too short for "engaged" (STRING_TOO_LONG) when RollWorks moves the
  // contact on.
  journey_stage_field_length(3);
  ASSERT_EQ(rw_->SendJson("POST", "/__peer/abm/contacts",
                          boost::json::object{{"email", email}, {"journey_stage", "engaged"}})
                .status,
            200);
  boost::json::object s = summary(sync("sync-1"));
  EXPECT_EQ(s.at("down").at("contacts").at("errors").as_int64(), 1);
  EXPECT_EQ(s.at("outbox").at("waiting").as_int64(), 1);
  s = summary(sync("sync-2"));
  EXPECT_EQ(s.at("down").at("contacts").at("errors").as_int64(), 1);
  s = summary(sync("sync-3"));
  EXPECT_EQ(s.at("down").at("contacts").at("parked").as_int64(), 1);
  CommandResult failed = cli({"outbox", "rollworks"}, "failed");
  EXPECT_NE(failed.out.find("Contact " + id +
                            " journey stage refused by Salesforce: "
                            "STRING_TOO_LONG"),
            std::string::npos)
      << failed.out;
  CommandResult st = cli({"status"}, "status");
  EXPECT_NE(st.out.find("parked in this sync for an admin"), std::string::npos) << st.out;

  // The admin widens the field and retries: the stage arrives, nothing is left waiting.
  journey_stage_field_length(255);
  CommandResult retry = cli({"outbox", "rollworks", "--retry"}, "retry");
  ASSERT_EQ(retry.exit_code, 0) << retry.out << retry.err;
  s = summary(sync("sync-4"));
  EXPECT_EQ(s.at("down").at("contacts").at("retried").as_int64(), 1);
  const boost::json::array after =
      sf_query("SELECT+Id,+RollWorks_Journey_Stage__c+FROM+Contact+WHERE+Id+=+'" + id + "'");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.front().at("RollWorks_Journey_Stage__c"), "engaged");
  EXPECT_NE(cli({"outbox", "rollworks"}, "failed-after").out.find("no failed outbox entries"),
            std::string::npos);
}

// The versioned mapping end to end: mapping v2 writes RollWorks_ABM_Account__c and, until the
// date, the v1 object as well; check-config names the place of a date that is not one.
TEST_F(RollworksOutboxE2eTest, AMappingChangeWritesTheNewAndTheLegacyObjectAndBadDatesAreNamed) {
  boost::json::object seed{
      {"custom_objects",
       boost::json::array{
           {{"name", "RollWorks_ABM_Account__c"},
            {"label", "RollWorks ABM Account"},
            {"fields",
             boost::json::array{
                 {{"name", "RW_Account_Id__c"},
                  {"type", "string"},
                  {"external_id", true},
                  {"unique", true}},
                 {{"name", "Account__c"}, {"type", "reference"}, {"reference_to", "Account"}},
                 {{"name", "Journey_Stage__c"}, {"type", "string"}},
                 {{"name", "ICP_Fit_Grade__c"}, {"type", "string"}},
                 {{"name", "Intent_Score__c"}, {"type", "double"}},
                 {{"name", "Account_Lists__c"}, {"type", "string"}},
                 {{"name", "Ad_Impressions_30d__c"}, {"type", "double"}},
                 {{"name", "Ad_Clicks_30d__c"}, {"type", "double"}}}}}}}};
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/seed", seed).status, 200);
  const std::string base = read_file((dir_.path() / "host.yaml").string());
  const auto mapped = [&](const std::string& until) {
    return base +
           "      account_data_object: RollWorks_ABM_Account__c\n"
           "      account_data_external_id_field: RW_Account_Id__c\n"
           "      account_data_mapping_version: 2\n"
           "      account_data_legacy: {version: 1, object: RollWorks_Account_Data__c, until: \"" +
           until + "\"}\n";
  };
  dir_.write("bad.yaml", mapped("next week"));
  CommandResult bad = run_host_command(dir_.path(), {"check-config", "-c", "bad.yaml"}, "bad");
  EXPECT_EQ(bad.exit_code, 3);
  const std::string said = bad.out + bad.err;
  const size_t line = static_cast<size_t>(std::count(base.begin(), base.end(), '\n')) + 4;
  EXPECT_NE(said.find("bad.yaml:" + std::to_string(line) + ":"), std::string::npos) << said;
  EXPECT_NE(said.find("config.account_data_legacy.until: \"next week\" does not match"),
            std::string::npos)
      << said;

  dir_.write("v2.yaml", mapped("2099-01-01T00:00:00Z"));
  CommandResult v2 = run_host_command(dir_.path(), {"sync", "rollworks", "-c", "v2.yaml"}, "v2");
  ASSERT_EQ(v2.exit_code, 0) << v2.out << v2.err;
  const boost::json::object s = summary(v2);
  const int64_t received = s.at("down").at("accounts").at("received").as_int64();
  ASSERT_GT(received, 0);
  EXPECT_EQ(s.at("down").at("accounts").at("upserted").as_int64(), received);
  EXPECT_EQ(s.at("down").at("accounts").at("legacy_upserted").as_int64(), received);
  EXPECT_EQ(sf_query("SELECT+Id+FROM+RollWorks_ABM_Account__c").size(),
            static_cast<size_t>(received));
  EXPECT_EQ(account_data().size(), static_cast<size_t>(received));
  CommandResult st = run_host_command(dir_.path(), {"status", "-c", "v2.yaml"}, "status");
  EXPECT_NE(st.out.find("account data mapping v2 → RollWorks_ABM_Account__c; also v1 → "
                        "RollWorks_Account_Data__c until 2099-01-01T00:00:00Z"),
            std::string::npos)
      << st.out;
}

}  // namespace
}  // namespace chost::integration
