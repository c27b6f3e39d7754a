// rg-sync end to end: the real connector-host binary with the salesforce and rg-sync plugins
// against the local Salesforce peer (service connection, Users, Contacts, Tasks) and the local
// Microsoft Graph peer (app-only mailboxes), for 1,000 end users. The seed scenario:
//   sync → every user Enabled, one Task per message;
//   the service access token expires → ONE refresh for all users;
//   the service refresh token dies (peer revokes the grant) → the connection is Disconnected
//   and every user shows "Disabled due to an error" with invalid_grant: expired access/refresh
//   token, with one failed refresh and no mailbox work;
//   mail arrives meanwhile; the admin presses Refresh (fails: the token is dead) and logs in
//   again → every user resumes from their own checkpoints and each message is a Task exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "chpeer/testing/peer_http_client.h"
#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 30000;  // hang guard only
constexpr int kUsers = 1000;
constexpr int kContacts = 40;
constexpr const char* kSecret = "it-rgsync-consumer-secret-7c21";
constexpr const char* kGraphSecret = "it-rgsync-graph-secret~93ad";
constexpr const char* kGraphClient = "11111111-2222-4333-8444-555555555555";
constexpr const char* kTenant = "contoso.example";

std::string user_email(int i) { return "u" + std::to_string(i) + "@contoso.example"; }
std::string contact_email(int i) { return "pat" + std::to_string(i) + "@fabrikam.example"; }

class RgSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SalesforcePeerForTest sf = start_salesforce_peer(dir_, kSecret, kWaitMs);
    sf_peer_ = std::move(sf.process);
    ASSERT_FALSE(sf.base_url.empty()) << sf_peer_->err();
    sf_url_ = sf.base_url;
    redirect_port_ = sf.redirect_port;
    sf_ = std::make_unique<chpeer::testing::PeerHttpClient>(sf_url_);
    seed_salesforce();
    start_graph();
    setenv("CHOST_IT_SF_KEY", std::string(64, 'e').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    setenv("CHOST_IT_GRAPH_SECRET", kGraphSecret, 1);
    std::string yaml = salesforce_host_yaml(sf);
    yaml.replace(yaml.find("name: crm"), 9, "name: sf-org");
    yaml +=
        "  - name: rg-sync\n"
        "    plugin: rg-sync\n"
        "    uses: sf-org\n"
        "    config:\n"
        "      graph_tenant_id: " +
        std::string(kTenant) +
        "\n"
        "      graph_client_id: \"" +
        kGraphClient +
        "\"\n"
        "      graph_client_secret: \"${env:CHOST_IT_GRAPH_SECRET}\"\n"
        "      graph_login_url: \"" +
        graph_url_ +
        "\"\n"
        "      graph_url: \"" +
        graph_url_ +
        "\"\n"
        "      internal_domains: [contoso.example]\n"
        "      folders: [inbox]\n"
        "      page_size: 50\n"
        "      users_where: \"Email LIKE '%@contoso.example'\"\n";
    dir_.write("host.yaml", yaml);
    authorize();
  }

  void TearDown() override {
    for (HostProcess* p : {graph_peer_.get(), sf_peer_.get()}) {
      if (p) p->signal(SIGTERM);
    }
  }

  void seed_salesforce() {
    boost::json::array users;
    for (int i = 0; i < kUsers; ++i) {
      users.push_back({{"Username", user_email(i)},
                       {"LastName", "User " + std::to_string(i)},
                       {"Email", user_email(i)},
                       {"IsActive", true}});
    }
    boost::json::array contacts;
    for (int i = 0; i < kContacts; ++i) {
      contacts.push_back({{"LastName", "Buyer " + std::to_string(i)},
                          {"Email", contact_email(i)},
                          {"AccountId", "0015g00000ACME1"}});
    }
    // The service account: API Enabled + View All Data and Create/Edit on Task.
    boost::json::object seed{
        {"custom_fields",
         {{"Task", boost::json::array{{{"name", "RG_Message_Id__c"},
                                       {"type", "string"},
                                       {"external_id", true},
                                       {"unique", true}}}},
          {"Event", boost::json::array{{{"name", "RG_Event_Id__c"},
                                        {"type", "string"},
                                        {"external_id", true},
                                        {"unique", true}}}}}},
        {"users", users},
        {"records",
         {{"Contact", contacts},
          {"PermissionSet", boost::json::array{{{"Id", "0PS5g00000RGSVC"},
                                                {"Name", "RG_Service"},
                                                {"Label", "RG Service"},
                                                {"PermissionsApiEnabled", true},
                                                {"PermissionsViewAllData", true}}}},
          {"PermissionSetAssignment", boost::json::array{{{"AssigneeId", "0055g00000INTEG"},
                                                          {"PermissionSetId", "0PS5g00000RGSVC"}}}},
          {"ObjectPermissions", boost::json::array{{{"ParentId", "0PS5g00000RGSVC"},
                                                    {"SobjectType", "Task"},
                                                    {"PermissionsRead", true},
                                                    {"PermissionsCreate", true},
                                                    {"PermissionsEdit", true}},
                                                   {{"ParentId", "0PS5g00000RGSVC"},
                                                    {"SobjectType", "Event"},
                                                    {"PermissionsRead", true},
                                                    {"PermissionsCreate", true},
                                                    {"PermissionsEdit", true}}}}}}};
    auto r = sf_->SendJson("POST", "/__peer/seed", seed);
    ASSERT_EQ(r.status, 200) << r.body;
    r = sf_->SendJson("POST", "/__peer/login_user",
                      boost::json::object{{"username", "integration@demo.peer"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void start_graph() {
    boost::json::array users;
    boost::json::array mailboxes;
    for (int i = 0; i < kUsers; ++i) {
      users.push_back({{"userPrincipalName", user_email(i)},
                       {"mail", user_email(i)},
                       {"displayName", "User " + std::to_string(i)}});
      mailboxes.push_back(
          {{"user", user_email(i)},
           {"folders", boost::json::array{{{"wellKnownName", "inbox"},
                                           {"messages", boost::json::array{message_to(i, 0)}}}}}});
    }
    boost::json::object seed{{"tenant", {{"domains", boost::json::array{kTenant}}}},
                             {"apps", boost::json::array{{{"client_id", kGraphClient},
                                                          {"client_secret", kGraphSecret},
                                                          {"display_name", "rg-sync"},
                                                          {"scoped_mailboxes", "all"}}}},
                             {"users", users},
                             {"mailboxes", mailboxes}};
    dir_.write("graph-seed.json", boost::json::serialize(seed));
    graph_peer_ = std::make_unique<HostProcess>(
        dir_.path(), std::vector<std::string>{"--port", "0", "--seed", "graph-seed.json"}, "graph",
        GRAPH_PEER_BIN);
    ASSERT_TRUE(graph_peer_->wait_for_out("http://", kWaitMs)) << graph_peer_->err();
    std::string out = graph_peer_->out();
    out = out.substr(out.find("http://"));
    graph_url_ = out.substr(0, out.find_first_of("\r\n"));
    graph_ = std::make_unique<chpeer::testing::PeerHttpClient>(graph_url_);
  }

  static boost::json::object message_to(int user, int n) {
    return {{"subject", "Quote " + std::to_string(n) + " for u" + std::to_string(user)},
            {"from", contact_email(user % kContacts)},
            {"toRecipients", boost::json::array{user_email(user)}},
            {"receivedDateTime", "2026-11-30T09:00:00Z"}};
  }

  // "Log in with Salesforce" headless: the peer's authorize page approves as its login user.
  CommandResult authorize_command(const std::string& tag = "authorize") {
    return run_host_command(dir_.path(),
                            {"authorize", "sf-org", "-c", "host.yaml", "--follow",
                             "--redirect-port", std::to_string(redirect_port_), "--timeout", "30"},
                            tag);
  }

  void authorize() {
    CommandResult auth = authorize_command();
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  }

  CommandResult cli(const std::vector<std::string>& args, const std::string& tag) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"-c", "host.yaml"});
    return run_host_command(dir_.path(), full, tag);
  }

  // What Salesforce holds: Tasks in all and distinct external ids (a duplicate shows as a
  // difference), read with the service account's own password session.
  std::pair<int64_t, int64_t> tasks_in_salesforce() {
    return records_in_salesforce("Task", "RG_Message_Id__c");
  }

  std::pair<int64_t, int64_t> records_in_salesforce(const std::string& sobject,
                                                    const std::string& external_id_field) {
    auto token = sf_->PostForm("/services/oauth2/token", {{"grant_type", "password"},
                                                          {"client_id", "demo-consumer-key"},
                                                          {"client_secret", kSecret},
                                                          {"username", "integration@demo.peer"},
                                                          {"password", "integration-pass"}});
    EXPECT_EQ(token.status, 200) << token.body;
    const std::string at(token.Json().at("access_token").as_string());
    std::set<std::string> ids;
    int64_t total = 0;
    std::string next = "/services/data/v59.0/query?q=SELECT+Id,+" + external_id_field +
                       ",+OwnerId+FROM+" + sobject;
    for (int page = 0; page < 1000 && !next.empty(); ++page) {
      auto r = sf_->Get(next, {"Authorization: Bearer " + at});
      EXPECT_EQ(r.status, 200) << r.body;
      boost::json::value v = r.Json();
      for (const auto& rec : v.at("records").as_array()) {
        ++total;
        ids.insert(std::string(rec.at(external_id_field).as_string()));
      }
      next = v.as_object().contains("nextRecordsUrl")
                 ? std::string(v.at("nextRecordsUrl").as_string())
                 : "";
    }
    return {total, static_cast<int64_t>(ids.size())};
  }

  int64_t sf_counter(const char* group, const char* name) {
    boost::json::value c = sf_->Get("/__peer/counters").Json();
    const auto* g = c.as_object().if_contains(group);
    if (!g || !g->is_object()) return 0;
    const auto* v = g->as_object().if_contains(name);
    return v && v->is_int64() ? v->as_int64() : 0;
  }

  int64_t graph_requests() {
    boost::json::value c = graph_->Get("/__peer/counters").Json();
    return c.at("total").at("requests").to_number<int64_t>();
  }

  // The line of `text` that mentions `what`, for failure messages.
  static std::string line_of(const std::string& text, const std::string& what) {
    const size_t at = text.find("subject " + what + " ");
    if (at == std::string::npos) return "(no line for " + what + ")";
    return text.substr(at, text.find('\n', at) - at);
  }

  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> sf_peer_;
  std::unique_ptr<HostProcess> graph_peer_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> sf_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> graph_;
  std::string sf_url_;
  std::string graph_url_;
  uint16_t redirect_port_ = 0;
};

TEST_F(RgSyncTest, OutageRefreshAndRecoveryForAThousandUsersLoseAndDuplicateNothing) {
  // 1. Every user through the one service connection; one Task per message.
  CommandResult first = cli({"sync", "rg-sync"}, "sync-1");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("\"users_ok\":" + std::to_string(kUsers)), std::string::npos)
      << first.out;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(kUsers, kUsers)));
  CommandResult st = cli({"status"}, "status-1");
  EXPECT_EQ(count(st.out, ": Enabled: synced 1 message(s), 1 task(s)"), kUsers) << st.out;

  // 2. The service access token expires: one refresh serves all 1,000 users.
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/tokens/expire", boost::json::object{}).status, 200);
  const int64_t refreshes_before = sf_counter("grant_type", "refresh_token");
  CommandResult second = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(sf_counter("grant_type", "refresh_token") - refreshes_before, 1);

  // 3. The service refresh token dies. One failed refresh, no mailbox work, every user shows
  //    why in the admin's words.
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/tokens/revoke", boost::json::object{}).status, 200);
  for (int i = 0; i < kUsers; i += 10) {  // mail keeps arriving during the outage
    auto r = graph_->SendJson(
        "POST", "/__peer/users/" + user_email(i) + "/mailFolders/inbox/messages", message_to(i, 1));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const int64_t graph_before = graph_requests();
  const int64_t refreshes_at_outage = sf_counter("grant_type", "refresh_token");
  CommandResult failed = cli({"sync", "rg-sync"}, "sync-3");
  EXPECT_NE(failed.exit_code, 0) << failed.out;
  EXPECT_NE((failed.out + failed.err).find("invalid_grant: expired access/refresh token"),
            std::string::npos)
      << failed.out << failed.err;
  EXPECT_EQ(sf_counter("grant_type", "refresh_token") - refreshes_at_outage, 1);
  EXPECT_EQ(graph_requests(), graph_before);
  st = cli({"status"}, "status-3");
  EXPECT_NE(st.out.find("sf-org"), std::string::npos);
  EXPECT_NE(st.out.find("disconnected"), std::string::npos) << st.out;
  EXPECT_EQ(count(st.out, ": Disabled due to an error: connection sf-org is disconnected"), kUsers)
      << st.out.substr(0, 4000);
  EXPECT_EQ(count(st.out,
                  "): Disabled due to an error: connection sf-org is disconnected: "
                  "refresh rejected, admin must re-authorize: token refresh: "
                  "invalid_grant: expired access/refresh token"),
            kUsers)
      << st.out.substr(0, 4000);

  // 4. The admin presses Refresh (the token is dead, so it says so) and logs in again.
  CommandResult refresh = cli({"refresh", "sf-org"}, "refresh");
  EXPECT_NE(refresh.exit_code, 0);
  EXPECT_NE((refresh.out + refresh.err).find("invalid_grant"), std::string::npos)
      << refresh.out << refresh.err;
  authorize();
  CommandResult resumed = cli({"sync", "rg-sync"}, "sync-4");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const int64_t expected = kUsers + kUsers / 10;
  EXPECT_EQ(tasks_in_salesforce(), std::make_pair(expected, expected));
  st = cli({"status"}, "status-4");
  EXPECT_EQ(count(st.out, ": Enabled: synced "), kUsers) << st.out.substr(0, 4000);
  EXPECT_EQ(count(st.out, "Disabled due to an error"), 0);
  // Each user resumed from their own delta link: only the new messages were read.
  EXPECT_NE(resumed.out.find("\"messages\":" + std::to_string(kUsers / 10)), std::string::npos)
      << resumed.out;
  for (const CommandResult* r : {&first, &second, &failed, &refresh, &resumed}) {
    EXPECT_EQ((r->out + r->err).find(kGraphSecret), std::string::npos);
    EXPECT_EQ((r->out + r->err).find(kSecret), std::string::npos);
  }
}

TEST_F(RgSyncTest, ExpiredDeltaTokensReReadOnlyThoseFoldersWithoutDuplicates) {
  ASSERT_EQ(cli({"sync", "rg-sync"}, "sync-1").exit_code, 0);
  for (int i = 0; i < kUsers; i += 4) {
    ASSERT_EQ(
        graph_
            ->SendJson("POST", "/__peer/users/" + user_email(i) + "/mailFolders/inbox/messages",
                       message_to(i, 1))
            .status,
        200);
  }
  // Graph drops the sync state of every mailbox: 410 Gone, syncStateNotFound.
  auto expired = graph_->SendJson("POST", "/__peer/delta/expire", boost::json::object{});
  ASSERT_EQ(expired.status, 200) << expired.body;
  CommandResult again = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  // Every mailbox's inbox and calendar start a new round.
  EXPECT_NE(again.out.find("\"resyncs\":" + std::to_string(2 * kUsers)), std::string::npos)
      << again.out;
  const int64_t expected = kUsers + kUsers / 4;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(expected, expected)));
}

TEST_F(RgSyncTest, ThrottledMailboxesWaitRetryAfterAndLoseNothing) {
  // Graph throttles every mailbox for the next 6 requests with Retry-After: 1.
  auto rule = graph_->SendJson(
      "POST", "/__peer/throttle",
      boost::json::object{{"retry_after_s", 1}, {"code", "ApplicationThrottled"}, {"next", 6}});
  ASSERT_EQ(rule.status, 200) << rule.body;
  CommandResult r = cli({"sync", "rg-sync"}, "sync-1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  boost::json::value counters = graph_->Get("/__peer/counters").Json();
  EXPECT_GE(counters.at("throttled").at("rule").to_number<int64_t>(), 6);
  // Users whose three attempts were all throttled wait for the next cycle; none is lost.
  CommandResult next = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(kUsers, kUsers)));
  CommandResult st = cli({"status"}, "status");
  EXPECT_EQ(count(st.out, ": Enabled: "), kUsers) << st.out.substr(0, 3000);
}

TEST_F(RgSyncTest, AKillMidBatchThenARestartDuplicatesNoTask) {
  // Slow the Task upserts down so the kill lands in the middle of the users.
  const std::string upsert = "/services/data/v59.0/composite/sobjects/Task/RG_Message_Id__c";
  auto fault = sf_->SendJson(
      "POST", "/__peer/faults",
      boost::json::object{{"path_prefix", upsert}, {"method", "PATCH"}, {"delay_ms", 15}});
  ASSERT_EQ(fault.status, 200) << fault.body;
  HostProcess sync(dir_.path(), {"sync", "rg-sync", "-c", "host.yaml"}, "sync-killed");
  bool midway = false;
  for (int i = 0; i < 3000 && !midway; ++i) {  // bounded: 30 s
    boost::json::value c = sf_->Get("/__peer/counters").Json();
    const auto* n = c.at("paths").as_object().if_contains(upsert);
    midway = n != nullptr && n->to_number<int64_t>() >= kUsers / 3;
    if (!midway) usleep(10000);
  }
  ASSERT_TRUE(midway);
  sync.signal(SIGKILL);
  sync.wait_exit(kWaitMs);
  const auto partial = tasks_in_salesforce();
  EXPECT_GT(partial.first, 0);
  EXPECT_LT(partial.first, kUsers);
  ASSERT_EQ(sf_->Request("DELETE", "/__peer/faults", "", {}).status, 200);
  CommandResult restart = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(restart.exit_code, 0) << restart.out << restart.err;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(kUsers, kUsers)));
}

TEST_F(RgSyncTest, AnAdminDisablesEnablesAndSyncsOneUser) {
  ASSERT_EQ(cli({"sync", "rg-sync"}, "sync-1").exit_code, 0);
  CommandResult off = cli({"disable", "rg-sync", "--user", user_email(7)}, "user-disable");
  ASSERT_EQ(off.exit_code, 0) << off.out << off.err;
  for (int i : {7, 8}) {
    ASSERT_EQ(
        graph_
            ->SendJson("POST", "/__peer/users/" + user_email(i) + "/mailFolders/inbox/messages",
                       message_to(i, 1))
            .status,
        200);
  }
  CommandResult second = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("\"users_skipped\":1"), std::string::npos) << second.out;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(kUsers + 1, kUsers + 1)));
  CommandResult st = cli({"status"}, "status");
  EXPECT_NE(st.out.find("subject " + user_email(7) + " (User 7): Disabled: "), std::string::npos)
      << line_of(st.out, user_email(7));
  // Sync now for one user: refused while disabled, then reads only that user, once a minute.
  CommandResult refused = cli({"sync", "rg-sync", "--user", user_email(7)}, "user-sync-0");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("disabled by an admin"), std::string::npos) << refused.err;
  ASSERT_EQ(cli({"enable", "rg-sync", "--user", user_email(7)}, "user-enable").exit_code, 0);
  CommandResult one = cli({"sync", "rg-sync", "--user", user_email(7)}, "user-sync-1");
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_NE(one.out.find("\"messages\":1"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("\"users_skipped\":" + std::to_string(kUsers - 1)), std::string::npos)
      << one.out;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(kUsers + 2, kUsers + 2)));
  st = cli({"status"}, "status-2");
  EXPECT_NE(st.out.find("subject " + user_email(7) + " (User 7): Enabled: "), std::string::npos)
      << line_of(st.out, user_email(7));
}

TEST_F(RgSyncTest, AnApiOnlyServiceAccountThroughClientCredentialsHasNoRefreshTokenToLose) {
  // The service connection without a browser and without a refresh token: the connected app's
  // client-credentials flow runs as its integration user.
  std::string yaml = read_file(dir_.path() / "host.yaml");
  const std::string secret_line = "      client_secret: \"${env:CHOST_IT_SF_SECRET}\"\n";
  yaml.replace(yaml.find(secret_line), secret_line.size(),
               secret_line + "      auth_flow: client_credentials\n");
  dir_.write("host.yaml", yaml);
  CommandResult auth = cli({"authorize", "sf-org"}, "authorize-cc");
  ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  ASSERT_EQ(cli({"sync", "rg-sync"}, "sync-1").exit_code, 0);
  // Every session dies at Salesforce: the host runs the grant again, once for all users.
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/tokens/revoke", boost::json::object{}).status, 200);
  const int64_t grants = sf_counter("grant_type", "client_credentials");
  for (int i = 0; i < kUsers; i += 5) {
    ASSERT_EQ(
        graph_
            ->SendJson("POST", "/__peer/users/" + user_email(i) + "/mailFolders/inbox/messages",
                       message_to(i, 1))
            .status,
        200);
  }
  CommandResult after = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_EQ(sf_counter("grant_type", "client_credentials") - grants, 1);
  EXPECT_EQ(sf_counter("grant_type", "refresh_token"), 0);
  const int64_t expected = kUsers + kUsers / 5;
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(expected, expected)));
}

TEST_F(RgSyncTest, AuthorizeRefusesAServiceAccountWithoutThePermissionsNamingEachOne) {
  std::string yaml = read_file(dir_.path() / "host.yaml");
  const std::string secret_line = "      client_secret: \"${env:CHOST_IT_SF_SECRET}\"\n";
  yaml.replace(yaml.find(secret_line), secret_line.size(),
               secret_line +
                   "      require:\n"
                   "        system_permissions: [ApiEnabled, ViewAllData]\n"
                   "        object_permissions: { Task: [Create, Edit] }\n");
  dir_.write("host.yaml", yaml);
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/login_user",
                          boost::json::object{{"username", "alice@demo.peer"}})
                .status,
            200);
  CommandResult refused = authorize_command("authorize-alice");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("alice@demo.peer lacks API Enabled, View All Data, Create on Task, "
                             "Edit on Task"),
            std::string::npos)
      << refused.err;
  // The dedicated service account has them: the connection is authorized as it.
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/login_user",
                          boost::json::object{{"username", "integration@demo.peer"}})
                .status,
            200);
  authorize();
  CommandResult st = cli({"status"}, "status");
  EXPECT_NE(st.out.find("integration@demo.peer"), std::string::npos) << st.out.substr(0, 1500);
  ASSERT_EQ(cli({"sync", "rg-sync"}, "sync").exit_code, 0);
}

// Without `require:` on the provider, "Log in with Salesforce" still answers with rg-sync's own
// check of the account (ABI 1.3 check_connection): a refusal naming what is missing, and the
// warning when the service account is also one of the entitled end users.
TEST_F(RgSyncTest, AuthorizeAnswersWithRgSyncsOwnCheckOfTheServiceAccount) {
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/login_user",
                          boost::json::object{{"username", "alice@demo.peer"}})
                .status,
            200);
  CommandResult refused = authorize_command("authorize-alice");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("sf-org: connected as alice@demo.peer"), std::string::npos)
      << refused.out;
  EXPECT_NE(refused.err.find("rg-sync refuses this account: the Salesforce service account "
                             "alice@demo.peer lacks: API Enabled, View All Data"),
            std::string::npos)
      << refused.err;
  CommandResult st = cli({"status"}, "status-alice");
  EXPECT_NE(st.out.find("alice@demo.peer lacks: API Enabled"), std::string::npos)
      << st.out.substr(0, 2000);

  std::string yaml = read_file(dir_.path() / "host.yaml");
  const std::string where = "      users_where: \"Email LIKE '%@contoso.example'\"\n";
  ASSERT_NE(yaml.find(where), std::string::npos);
  yaml.replace(yaml.find(where), where.size(),
               "      users_where: \"Email LIKE '%@contoso.example' OR Email = "
               "'integration@demo.peer'\"\n");
  dir_.write("host.yaml", yaml);
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/login_user",
                          boost::json::object{{"username", "integration@demo.peer"}})
                .status,
            200);
  CommandResult warned = authorize_command("authorize-entitled");
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_NE(warned.out.find("warning: rg-sync: the Salesforce service account "
                            "integration@demo.peer is also an entitled end user: do not use an "
                            "active end-user account"),
            std::string::npos)
      << warned.out;
}

// ISO 8601 UTC, `hours` from now: inside the plugin's calendar window (14 days each way).
std::string hours_from_now(int hours) {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                          std::chrono::hours{hours});
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

TEST_F(RgSyncTest, MeetingsBecomeSalesforceEventsOnceEachAcrossSyncs) {
  constexpr int kWithEvents = 5;
  std::vector<std::string> first_ids;  // per user, the meeting with a Contact
  for (int i = 0; i < kWithEvents; ++i) {
    boost::json::array events{
        // with a Contact: one Salesforce Event
        boost::json::object{{"subject", "Review with buyer " + std::to_string(i)},
                            {"start", hours_from_now(24 + i)},
                            {"end", hours_from_now(25 + i)},
                            {"location", {{"displayName", "Room " + std::to_string(i)}}},
                            {"attendees", boost::json::array{contact_email(i)}}},
        // internal only: none
        boost::json::object{{"subject", "Team sync"},
                            {"start", hours_from_now(-48)},
                            {"end", hours_from_now(-47)},
                            {"attendees", boost::json::array{user_email(i + 1)}}}};
    auto r = graph_->SendJson("POST", "/__peer/users/" + user_email(i) + "/events", events);
    ASSERT_EQ(r.status, 200) << r.body;
    first_ids.emplace_back(r.Json().at("ids").at(0).as_string());
  }
  CommandResult first = cli({"sync", "rg-sync"}, "sync-1");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("\"events\":" + std::to_string(2 * kWithEvents)), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("\"events_upserted\":" + std::to_string(kWithEvents)), std::string::npos)
      << first.out;
  EXPECT_EQ(records_in_salesforce("Event", "RG_Event_Id__c"),
            (std::pair<int64_t, int64_t>(kWithEvents, kWithEvents)));
  EXPECT_EQ(tasks_in_salesforce(), (std::pair<int64_t, int64_t>(kUsers, kUsers)));
  CommandResult st = cli({"status"}, "status-1");
  EXPECT_EQ(count(st.out, ", 2 event(s), 1 Salesforce Event(s)"), kWithEvents) << st.out;

  // A meeting changes (the delta brings it again) and Graph drops one calendar's sync state
  // (a new round re-reads it): still one Event per meeting.
  auto patched =
      graph_->SendJson("PATCH", "/__peer/users/" + user_email(1) + "/events/" + first_ids[1],
                       boost::json::object{{"subject", "Review, moved"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto expired =
      graph_->SendJson("POST", "/__peer/delta/expire",
                       boost::json::object{{"user", user_email(0)}, {"folder", "calendarView"}});
  ASSERT_EQ(expired.status, 200) << expired.body;
  CommandResult second = cli({"sync", "rg-sync"}, "sync-2");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("\"resyncs\":1,"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("\"events_upserted\":2"), std::string::npos)  // u0 again, u1 changed
      << second.out;
  EXPECT_EQ(records_in_salesforce("Event", "RG_Event_Id__c"),
            (std::pair<int64_t, int64_t>(kWithEvents, kWithEvents)));
}

}  // namespace
}  // namespace chost::integration
