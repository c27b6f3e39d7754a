// rollworks end to end (fixture: rollworks_fixture.hpp). Scenario: sync both ways; change ABM
// data at RollWorks and an Account in Salesforce, sync: each change arrives once; the
// Salesforce tokens are revoked (the user leaves): the sync fails with auth_revoked and pushes
// nothing; changes on both sides meanwhile; re-authorize and sync: both directions resume from
// their checkpoints. The admin's story, the user check, a kill -9 mid-push.
#include "rollworks_fixture.hpp"

namespace chost::integration {
namespace {

TEST_F(RollworksE2eTest, BothWaysExactlyOnceThroughARevokedAndRestoredConnection) {
  const std::string any_account(sf_query("SELECT+Id+FROM+Account").front().at("Id").as_string());
  for (const auto& [type, fields] :
       {std::pair<std::string, boost::json::object>{"Opportunity",
                                                    {{"Name", "Renewal"},
                                                     {"StageName", "Prospecting"},
                                                     {"CloseDate", "2026-12-31"},
                                                     {"Amount", 1200},
                                                     {"AccountId", any_account}}},
        {"Campaign", {{"Name", "Q4 Webinar"}, {"Type", "Webinar"}}}}) {
    auto r = sf_->SendJson("POST", "/services/data/v59.0/sobjects/" + type, fields, {sf_session()});
    ASSERT_LT(r.status, 300) << r.body;
  }
  // 1. Both directions from scratch.
  CommandResult first = cli({"sync", "rollworks"}, "sync-1");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const boost::json::array accounts = sf_query("SELECT+Id,+Name+FROM+Account");
  const boost::json::array contacts = sf_query("SELECT+Id+FROM+Contact");
  ASSERT_FALSE(accounts.empty());
  std::map<std::string, int64_t> up = rw_uploaded("accounts");
  EXPECT_EQ(up.size(), accounts.size());
  EXPECT_EQ(rw_uploaded("contacts").size(), contacts.size());
  EXPECT_EQ(rw_uploaded("opportunities").size(), 1u);  // the peer accepted our wire format
  EXPECT_EQ(rw_uploaded("campaigns").size(), 1u);
  // RollWorks' contacts feed comes back onto the Contacts it linked, without a refusal.
  EXPECT_NE(first.out.find("\"contacts\":{\"received\":" + std::to_string(contacts.size())),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("\"record_errors\":0"), std::string::npos) << first.out;
  std::map<std::string, double> data = account_data();
  ASSERT_TRUE(data.contains("rwa_9001"));
  EXPECT_EQ(data.at("rwa_9001"), 40);

  // 2. A change on each side arrives once.
  const std::string account_id(accounts.front().at("Id").as_string());
  sf_patch_account(account_id, {{"Industry", "Changed Industry"}});
  ASSERT_EQ(rw_->SendJson("POST", "/__peer/abm/accounts",
                          boost::json::object{{"account_id", "rwa_9001"}, {"intent_score", 77}})
                .status,
            200);
  CommandResult second = cli({"sync", "rollworks"}, "sync-2");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  std::map<std::string, int64_t> up2 = rw_uploaded("accounts");
  EXPECT_EQ(up2.size(), up.size());
  EXPECT_EQ(up2.at(account_id), up.at(account_id) + 1);
  data = account_data();
  EXPECT_EQ(data.at("rwa_9001"), 77);

  // 3. The user leaves: the Salesforce tokens are revoked; nothing is pushed.
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/tokens/revoke", boost::json::object{}).status, 200);
  // The host finds the revocation on Salesforce's 401; only the advertiser check (a read)
  // may reach RollWorks before that, never a batch.
  const boost::json::value batches_before = rw_->Get("/__peer/counters").Json().at("batches");
  CommandResult revoked = cli({"sync", "rollworks"}, "sync-3");
  EXPECT_NE(revoked.exit_code, 0) << revoked.out << revoked.err;
  EXPECT_NE((revoked.out + revoked.err).find("auth_revoked"), std::string::npos)
      << revoked.out << revoked.err;
  EXPECT_EQ(rw_->Get("/__peer/counters").Json().at("batches"), batches_before);

  // 4. Changes meanwhile on both sides; re-authorize; both resume from their checkpoints.
  sf_patch_account(account_id, {{"Industry", "Changed Again"}});
  ASSERT_EQ(rw_->SendJson("POST", "/__peer/abm/accounts",
                          boost::json::object{{"account_id", "rwa_9001"}, {"intent_score", 88}})
                .status,
            200);
  authorize();
  CommandResult fourth = cli({"sync", "rollworks"}, "sync-4");
  ASSERT_EQ(fourth.exit_code, 0) << fourth.out << fourth.err;
  std::map<std::string, int64_t> up4 = rw_uploaded("accounts");
  EXPECT_EQ(up4.size(), up.size());
  EXPECT_EQ(up4.at(account_id), up.at(account_id) + 2);
  data = account_data();
  EXPECT_EQ(data.at("rwa_9001"), 88);
}

TEST_F(RollworksE2eTest, AnApiOnlyUserIsRefusedAndAPersonSyncsWithAWarning) {
  login_as("api-only@demo.peer");
  // "Log in with Salesforce" answers with rollworks' check (ABI 1.3 check_connection)...
  CommandResult at_login = authorize_command();
  EXPECT_NE(at_login.exit_code, 0);
  EXPECT_NE(at_login.out.find("crm: connected as api-only@demo.peer"), std::string::npos)
      << at_login.out;
  EXPECT_NE(at_login.err.find("rollworks refuses this account: the Salesforce user "
                              "api-only@demo.peer lacks a full Salesforce licence"),
            std::string::npos)
      << at_login.err;
  // ... and a sync still refuses before anything is read or pushed.
  CommandResult refused = cli({"sync", "rollworks"}, "sync-api-only");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err)
                .find("the Salesforce user api-only@demo.peer lacks a full Salesforce licence "
                      "(the user has Salesforce Integration); nothing is synced"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(rw_batches(), 0);
  EXPECT_TRUE(account_data().empty());

  login_as("jordan.lee@demo.peer");
  CommandResult warned = authorize_command();
  ASSERT_EQ(warned.exit_code, 0) << warned.out << warned.err;
  EXPECT_NE(warned.out.find("warning: rollworks: the Salesforce user jordan.lee@demo.peer looks "
                            "like a person"),
            std::string::npos)
      << warned.out;
  CommandResult person = cli({"sync", "rollworks"}, "sync-person");
  ASSERT_EQ(person.exit_code, 0) << person.out << person.err;
  EXPECT_NE((person.out + person.err)
                .find("the Salesforce user jordan.lee@demo.peer looks like a person"),
            std::string::npos)
      << person.out << person.err;
  EXPECT_FALSE(account_data().empty());
}

// The admin's story (issue 10): a person authorized the connection and leaves; the peer
// deactivates them, so the refresh gives `invalid_grant: inactive user`; the connection is
// disconnected with that reason and nothing moves either way while changes pile up on both
// sides; the admin disables rollworks, re-authorizes as the dedicated integration user (the
// check passes, no warning), enables it, and every change arrives exactly once.
TEST_F(RollworksE2eTest, DeactivatedUserDisableReauthorizeAsAnotherUserEnableLosesNothing) {
  login_as("jordan.lee@demo.peer");
  authorize();
  CommandResult first = cli({"sync", "rollworks"}, "sync-person");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const size_t accounts = sf_query("SELECT+Id+FROM+Account").size();
  const size_t contacts = sf_query("SELECT+Id+FROM+Contact").size();
  const std::map<std::string, int64_t> up = rw_uploaded("accounts");
  ASSERT_EQ(up.size(), accounts);
  ASSERT_EQ(rw_uploaded("contacts").size(), contacts);
  const std::string account_id(sf_query("SELECT+Id+FROM+Account").front().at("Id").as_string());

  // Jordan leaves: deactivated, and the session is gone (the next call must refresh).
  auto r = sf_->SendJson("PATCH", "/services/data/v59.0/sobjects/User/0055g00000JORDN",
                         boost::json::object{{"IsActive", false}}, {sf_session()});
  ASSERT_LT(r.status, 300) << r.body;
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/tokens/expire", boost::json::object{}).status, 200);
  // Changes on both sides during the outage.
  sf_patch_account(account_id, {{"Industry", "Changed During Outage"}});
  r = sf_->SendJson("POST", "/services/data/v59.0/sobjects/Contact",
                    boost::json::object{{"LastName", "Newcomer"},
                                        {"Email", "newcomer@outage.example"},
                                        {"AccountId", account_id}},
                    {sf_session()});
  ASSERT_LT(r.status, 300) << r.body;
  ASSERT_EQ(rw_->SendJson("POST", "/__peer/abm/accounts",
                          boost::json::object{{"account_id", "rwa_9001"}, {"intent_score", 61}})
                .status,
            200);

  const int64_t batches_before = rw_batches();
  CommandResult down = cli({"sync", "rollworks"}, "sync-deactivated");
  EXPECT_NE(down.exit_code, 0);
  EXPECT_NE((down.out + down.err).find("invalid_grant: inactive user"), std::string::npos)
      << down.out << down.err;
  EXPECT_EQ(rw_batches(), batches_before);       // nothing pushed to RollWorks
  EXPECT_EQ(account_data().at("rwa_9001"), 40);  // nothing written to Salesforce
  CommandResult st = cli({"status"}, "status-down");
  EXPECT_NE(st.out.find("disconnected"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("inactive user"), std::string::npos) << st.out;

  // Disable (loses nothing), re-authorize as the dedicated integration user, enable.
  CommandResult off = cli({"disable", "rollworks"}, "disable");
  ASSERT_EQ(off.exit_code, 0) << off.out << off.err;
  login_as("rollworks-integration@demo.peer");
  authorize();
  CommandResult on = cli({"enable", "rollworks"}, "enable");
  ASSERT_EQ(on.exit_code, 0) << on.out << on.err;
  CommandResult resumed = cli({"sync", "rollworks"}, "sync-resumed");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ((resumed.out + resumed.err).find("looks like a person"), std::string::npos)
      << resumed.out;

  // Exactly once: one new contact, one more version of the changed account, the others as
  // they were; the RollWorks change once in the account data (account_data() fails on dups).
  const std::map<std::string, int64_t> up2 = rw_uploaded("accounts");
  EXPECT_EQ(up2.size(), accounts);
  for (const auto& [id, version] : up) {
    EXPECT_EQ(up2.at(id), id == account_id ? version + 1 : version) << id;
  }
  EXPECT_EQ(rw_uploaded("contacts").size(), contacts + 1);
  EXPECT_EQ(account_data().at("rwa_9001"), 61);
  st = cli({"status"}, "status-resumed");
  EXPECT_NE(st.out.find("rollworks-integration@demo.peer"), std::string::npos) << st.out;
}

// kill -9 in the middle of a push: the first account batch was acknowledged, the second is
// throttled (Retry-After 60 s) and the host dies while waiting. The next sync sends what was
// missing: every Account ends up at RollWorks exactly once, none is lost; what it repeats is at
// most the unfinished Salesforce page (its checkpoint had not been committed), as upserts
// RollWorks answers "unchanged".
TEST_F(RollworksE2eTest, AKillDuringAPushLosesNothingAndDuplicatesNothing) {
  ASSERT_EQ(
      sf_->SendJson("POST", "/__peer/generate",
                    boost::json::object{
                        {"sobject", "Account"},
                        {"count", 1200},
                        {"fields", {{"Name", "Gen {n}"}, {"Website", "https://gen{n}.example"}}}})
          .status,
      200);
  const size_t accounts = sf_query("SELECT+Id+FROM+Account").size();
  ASSERT_GT(accounts, 1000u);  // three batches of at most 500
  // The advertiser read and the first batch pass, then 429 until the window ends.
  ASSERT_EQ(
      rw_->SendJson("POST", "/__peer/throttle", boost::json::object{{"limit", 2}, {"window_s", 60}})
          .status,
      200);
  HostProcess sync(dir_.path(), {"sync", "rollworks", "-c", "host.yaml"}, "sync-killed");
  bool throttled = false;
  for (int i = 0; i < kWaitMs / 10 && !throttled; ++i) {  // bounded poll, no timing
    throttled = rw_counter("batches", "accounts") == 1 && rw_counter("events", "rate_limited") > 0;
    if (!throttled) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(throttled) << sync.err();
  sync.signal(SIGKILL);
  ASSERT_TRUE(sync.wait_exit(kWaitMs).has_value());
  EXPECT_EQ(rw_uploaded("accounts").size(), 500u);  // one batch acknowledged, then the kill

  ASSERT_EQ(rw_->Request("DELETE", "/__peer/throttle", "", {}).status, 200);
  CommandResult again = cli({"sync", "rollworks"}, "sync-after-kill");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const std::map<std::string, int64_t> up = rw_uploaded("accounts");
  EXPECT_EQ(up.size(), accounts);
  for (const auto& [id, version] : up) EXPECT_EQ(version, 1) << id;  // never changed by a resend
  EXPECT_EQ(rw_counter("duplicates_in_batch", "accounts"), 0);
  EXPECT_LE(rw_counter("resent_external_ids", "accounts"), 500);  // the acknowledged batch
}

// kill -9 while the down direction writes to Salesforce: the feed's first page (500 accounts,
// three upserts of <= 200) was written and its cursor committed; Salesforce holds the answer
// to the fourth upsert (the second page's first 200) and the host dies meanwhile; the write
// lands after the kill, never acknowledged. The next sync resumes after the first page: it
// writes every later account once more (upserts: no duplicates) and not one of the first page.
TEST_F(RollworksE2eTest, AKillDuringTheDownPushRepeatsOnlyTheUnacknowledgedPage) {
  boost::json::array accounts;
  for (int i = 0; i < 1200; ++i) {
    const std::string n = std::to_string(i);
    accounts.push_back({{"id", "rwa_k" + n},
                        {"domain", "kill" + n + ".example"},
                        {"name", "Kill " + n},
                        {"intent_score", i % 100}});
  }
  ASSERT_EQ(
      rw_->SendJson("POST", "/__peer/seed", boost::json::object{{"accounts", accounts}}).status,
      200);
  const std::string upsert =
      "/services/data/v59.0/composite/sobjects/RollWorks_Account_Data__c/RollWorks_Account_Id__c";
  // One counter of the Salesforce peer, 0 while absent.
  const auto sf_counter = [&](const char* group, const std::string& name) -> int64_t {
    const boost::json::value c = sf_->Get("/__peer/counters").Json();
    const auto* g = c.as_object().if_contains(group);
    const auto* n = g && g->is_object() ? g->as_object().if_contains(name) : nullptr;
    return n != nullptr ? n->to_number<int64_t>() : 0;
  };
  const auto upserts = [&] { return sf_counter("paths", upsert); };
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/faults",
                          boost::json::object{{"path_prefix", upsert},
                                              {"method", "PATCH"},
                                              {"status", 0},
                                              {"delay_ms", 3000},
                                              {"every_nth", 4},
                                              {"next", 1}})
                .status,
            200);
  HostProcess sync(dir_.path(), {"sync", "rollworks", "-c", "host.yaml"}, "sync-killed");
  bool held = false;
  for (int i = 0; i < kWaitMs / 10 && !held; ++i) {  // bounded poll, no timing
    held = sf_counter("events", "faults_injected") >= 1;
    if (!held) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(held) << sync.err();
  sync.signal(SIGKILL);
  ASSERT_TRUE(sync.wait_exit(kWaitMs).has_value());
  ASSERT_EQ(upserts(), 4);
  ASSERT_EQ(sf_->Request("DELETE", "/__peer/faults", "", {}).status, 200);

  // Every RollWorks account, read from its feed with the API key.
  size_t in_rollworks = 0;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto r = rw_->Get("/api/v1/advertisers/adv_it/accounts/changes?limit=1000" +
                          (cursor.empty() ? "" : "&since_cursor=" + cursor),
                      {std::string("Authorization: Bearer ") + kApiKey});
    ASSERT_EQ(r.status, 200) << r.body;
    const boost::json::value v = r.Json();
    in_rollworks += v.at("data").as_array().size();
    cursor = std::string(v.at("next_cursor").as_string());
    if (!v.at("has_more").as_bool()) break;
  }
  ASSERT_GT(in_rollworks, 1000u);

  CommandResult again = cli({"sync", "rollworks"}, "sync-after-kill");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const size_t after_first_page = in_rollworks - 500;
  EXPECT_NE(again.out.find("\"accounts\":{\"received\":" + std::to_string(after_first_page) + ","),
            std::string::npos)
      << again.out;
  // The later pages' upserts, 200 records each at most: nothing of the first page again.
  int64_t calls = 0;
  for (size_t left = after_first_page; left > 0; left -= std::min<size_t>(left, 500)) {
    calls += static_cast<int64_t>((std::min<size_t>(left, 500) + 199) / 200);
  }
  EXPECT_EQ(upserts(), 4 + calls);
  const std::map<std::string, double> data = account_data();  // fails on a duplicate
  EXPECT_EQ(data.size(), in_rollworks);
  EXPECT_EQ(data.at("rwa_k1199"), 99);
}

}  // namespace
}  // namespace chost::integration
