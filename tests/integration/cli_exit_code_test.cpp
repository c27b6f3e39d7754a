// The documented exit codes and `sync --json` (connector-host --help) checked against the real
// binary and the local Salesforce peer: 4 for a connection that is not authorized, 5 for a sync
// the SDK's quota guard paused (the peer reports the org's usage in Sforce-Limit-Info), 3 for
// `run` on an invalid config, and the sync summary as one parsed JSON document.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <regex>
#include <string>
#include <thread>

#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

namespace json = boost::json;

constexpr int kWaitMs = 20000;  // hang guard only
constexpr const char* kSecret = "exit-code-consumer-secret-3f9a";

class CliExitCodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sf_ = start_salesforce_peer(dir_, kSecret, kWaitMs);
    ASSERT_FALSE(sf_.base_url.empty()) << sf_.process->err();
    setenv("CHOST_IT_SF_KEY", std::string(64, 'f').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    dir_.write("host.yaml", salesforce_host_yaml(sf_));
  }

  void TearDown() override {
    if (sf_.process) {
      sf_.process->signal(SIGTERM);
      EXPECT_EQ(sf_.process->wait_exit(kWaitMs), std::optional<int>(0));
    }
  }

  CommandResult cli(const std::vector<std::string>& args, const std::string& tag) {
    CommandResult r = run_host_command(dir_.path(), args, tag);
    EXPECT_EQ(r.out.find(kSecret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos) << r.err;
    return r;
  }

  void authorize() {
    CommandResult auth = cli({"authorize", "crm", "-c", "host.yaml", "--follow", "--redirect-port",
                              std::to_string(sf_.redirect_port), "--timeout", "30"},
                             "authorize");
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  }

  // `sync crm --json`: exactly one JSON document on stdout.
  json::object sync_json(int expected_exit, const std::string& tag) {
    CommandResult r = cli({"sync", "crm", "-c", "host.yaml", "--json"}, tag);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    boost::system::error_code ec;
    json::value doc = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.out;
    if (ec || !doc.is_object()) return {};
    EXPECT_EQ(doc.at("exit_code"), expected_exit) << doc;
    EXPECT_EQ(doc.at("connector"), "crm") << doc;
    EXPECT_EQ(doc.at("running"), false) << doc;
    return doc.as_object();
  }

  TempDir dir_;
  SalesforcePeerForTest sf_;
};

TEST_F(CliExitCodeTest, SyncAndStatusOfAnUnauthorizedConnectionExitFour) {
  const json::object doc = sync_json(4, "sync");
  EXPECT_EQ(doc.at("ok"), false);
  EXPECT_TRUE(doc.at("summary").is_null()) << doc;
  EXPECT_EQ(doc.at("error").at("class"), "auth_revoked") << doc;
  EXPECT_NE(std::string(doc.at("error").at("message").as_string()).find("crm"), std::string::npos)
      << doc;

  CommandResult status = cli({"status", "-c", "host.yaml"}, "status");
  EXPECT_EQ(status.exit_code, 4) << status.out << status.err;
  CommandResult status_json = cli({"status", "-c", "host.yaml", "--json"}, "status-json");
  EXPECT_EQ(status_json.exit_code, 4) << status_json.err;
  EXPECT_EQ(json::parse(status_json.out).at("connectors").at(0).at("state"), "unauthorized");
}

TEST_F(CliExitCodeTest, SyncJsonCarriesTheSummaryOfAnAuthorizedSync) {
  ASSERT_NO_FATAL_FAILURE(authorize());
  const json::object doc = sync_json(0, "sync");
  EXPECT_EQ(doc.at("ok"), true) << doc;
  EXPECT_TRUE(doc.at("error").is_null()) << doc;
  const json::value& summary = doc.at("summary");
  ASSERT_TRUE(summary.is_object()) << doc;
  EXPECT_GT(summary.at("api_calls").to_number<int64_t>(), 0) << summary;
  EXPECT_TRUE(summary.at("objects").as_object().contains("Account")) << summary;

  CommandResult status = cli({"status", "-c", "host.yaml"}, "status");
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
}

// For people: on a terminal the live line (rewritten in place on stderr) and the summary table;
// through a pipe neither.
TEST_F(CliExitCodeTest, SyncOnATerminalShowsTheProgressLineAndASummaryTable) {
  ASSERT_NO_FATAL_FAILURE(authorize());
  const std::string tty = run_on_pty(dir_.path(), {"sync", "crm", "-c", "host.yaml"}, kWaitMs);
  EXPECT_NE(tty.find("\r\033[Kcrm: "), std::string::npos) << tty;
  EXPECT_NE(tty.find("crm: sync ok"), std::string::npos) << tty;
  EXPECT_NE(tty.find("OBJECT"), std::string::npos) << tty;
  EXPECT_TRUE(std::regex_search(tty, std::regex("\nAccount +2 +0\r?\n"))) << tty;
  EXPECT_TRUE(std::regex_search(tty, std::regex("records/s over [0-9.]+ s, [1-9][0-9]* API call")))
      << tty;
  EXPECT_EQ(tty.find(kSecret), std::string::npos);

  CommandResult piped = cli({"sync", "crm", "-c", "host.yaml"}, "piped");
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out.find("OBJECT"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
}

TEST_F(CliExitCodeTest, ASyncPausedByTheQuotaExitsFive) {
  // Two objects: a sync makes at least two calls.
  SalesforceHostYaml two;
  two.crm_objects = "[{ name: Account, fields: [Name] }, { name: Contact, fields: [LastName] }]";
  dir_.write("host.yaml", salesforce_host_yaml(sf_, two));
  ASSERT_NO_FATAL_FAILURE(authorize());
  // 95 of 100 daily calls used: the first answer says so, the guard (90 % by default) refuses
  // the next call.
  ASSERT_TRUE(peer_control(sf_, "POST", "limits",
                           json::object{{"daily_api_max", 100}, {"daily_api_used", 95}}));
  // The salesforce plugin ends such a run as a pause, not a failure: what it read is kept
  // and the next run resumes from the checkpoint.
  const json::object doc = sync_json(5, "sync");
  EXPECT_EQ(doc.at("ok"), true) << doc;
  EXPECT_TRUE(doc.at("error").is_null()) << doc;
  EXPECT_EQ(doc.at("summary").at("paused").at("reason"), "api_quota") << doc;
  EXPECT_NE(std::string(doc.at("summary").at("paused").at("message").as_string()).find("quota"),
            std::string::npos)
      << doc;
  // And `status` says so with the same code until a sync runs through.
  CommandResult status = cli({"status", "-c", "host.yaml"}, "status");
  EXPECT_EQ(status.exit_code, 5) << status.out << status.err;
}

// Errors print one class, once: a 500 from the peer, a refresh through a running host against
// a peer that is gone, and the last error a running host shows. None of them may carry a second
// class word inside the message ("permanent: transient: ...").
bool message_starts_with_a_class(const std::string& message) {
  static const std::regex kClass(
      "^(transient|permanent|config|auth_revoked|not_found|conflict|"
      "cancelled|internal): ");
  return std::regex_search(message, kClass);
}

int class_words(const std::string& text) {
  static const std::regex kWord(
      "(^|[^a-z_])(transient|permanent|auth_revoked|not_found|cancelled): ");
  return static_cast<int>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), kWord), std::sregex_iterator()));
}

TEST_F(CliExitCodeTest, EveryFailurePrintsOneClassOnceAlsoThroughARunningHost) {
  ASSERT_NO_FATAL_FAILURE(authorize());
  // Every query answers 500 (retried, then given up): the stopped host's sync says why once.
  ASSERT_TRUE(peer_control(
      sf_, "POST", "faults",
      json::object{
          {"path_prefix", "/services/data"}, {"method", "GET"}, {"status", 500}, {"next", -1}}));
  CommandResult failed = cli({"sync", "crm", "-c", "host.yaml"}, "sync-500");
  EXPECT_NE(failed.exit_code, 0) << failed.out << failed.err;
  EXPECT_EQ(class_words(failed.err), 1) << failed.err;
  EXPECT_NE(failed.err.find("500"), std::string::npos) << failed.err;
  const json::object doc = sync_json(failed.exit_code, "sync-500-json");
  ASSERT_TRUE(doc.contains("error") && doc.at("error").is_object()) << doc;
  EXPECT_FALSE(message_starts_with_a_class(std::string(doc.at("error").at("message").as_string())))
      << doc;
  ASSERT_TRUE(peer_control(sf_, "DELETE", "faults"));

  // A running host; then the peer goes away.
  setenv("CHOST_IT_SF_ADMIN", "exit-code-admin-token-51c2", 1);
  SalesforceHostYaml running;
  running.extra_host_lines = "  admin: { listen: \"127.0.0.1:" + std::to_string(free_port()) +
                             "\", token: \"${env:CHOST_IT_SF_ADMIN}\" }\n";
  running.crm_lines = "    schedule: { every: 1h }\n";
  dir_.write("host.yaml", salesforce_host_yaml(sf_, running));
  HostProcess host(dir_.path(), {"run", "-c", "host.yaml"}, "run");
  ASSERT_TRUE(host.wait_for_log("running; pid", kWaitMs)) << host.err();
  sf_.process->signal(SIGKILL);
  ASSERT_TRUE(sf_.process->wait_exit(kWaitMs));
  sf_.process.reset();

  CommandResult refresh = cli({"refresh", "crm", "-c", "host.yaml"}, "refresh-gone");
  EXPECT_NE(refresh.exit_code, 0) << refresh.out << refresh.err;
  EXPECT_EQ(class_words(refresh.err), 1) << refresh.err;

  CommandResult queued = cli({"sync", "crm", "-c", "host.yaml"}, "sync-gone");
  EXPECT_EQ(queued.exit_code, 0) << queued.out << queued.err;
  std::string last_error;
  for (int i = 0; i < 200 && last_error.empty(); ++i) {  // bounded: the sync fails fast
    CommandResult st = cli({"status", "-c", "host.yaml", "--json"}, "status-gone");
    boost::system::error_code ec;
    const json::value v = json::parse(st.out, ec);
    if (!ec && v.is_object()) {
      for (const json::value& c : v.at("connectors").as_array()) {
        const json::object& o = c.as_object();
        if (const json::value* e = o.if_contains("last_error"); e && e->is_object()) {
          last_error = std::string(e->at("message").as_string());
        }
      }
    }
    if (last_error.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(last_error.empty());
  EXPECT_FALSE(message_starts_with_a_class(last_error)) << last_error;
  EXPECT_EQ(class_words(last_error), 0) << last_error;
  host.signal(SIGTERM);
  EXPECT_EQ(host.wait_exit(kWaitMs), std::optional<int>(0)) << host.err();
}

TEST_F(CliExitCodeTest, RunOnAnInvalidConfigExitsThreeLikeCheckConfig) {
  dir_.write("bad.yaml", "host:\n  state: { path: x.db }\n  bogus_key: 1\nconnectors: []\n");
  CommandResult check = cli({"check-config", "-c", "bad.yaml"}, "check");
  EXPECT_EQ(check.exit_code, 3) << check.out << check.err;
  CommandResult run = cli({"run", "-c", "bad.yaml"}, "run");
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("bad.yaml:3:"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "x.db"));
}

}  // namespace
}  // namespace chost::integration
