// Issue 4: a rotated refresh token survives a crash of the host. The real salesforce plugin
// against the local Salesforce peer (demo seed: the connected app rotates refresh tokens and
// revokes the whole grant when a superseded one is presented). `refresh crm` on a stopped host
// is killed by the runtime's test-only crash point (CHOST_CRASH_POINT_FOR_TEST, exit 137):
// * after_credentials_stored: the new refresh token is durable, so the next refresh and sync
//   succeed and the peer never sees the old token again (no reuse event);
// * before_credentials_stored: the host only has the consumed token; the next refresh presents
//   it, the peer counts the reuse and revokes the grant, and the host honestly reports the
//   connection disconnected with the provider's invalid_grant reason (DESIGN: losing a rotated
//   token means Disconnected).
// In both cases no secret (consumer secret, access or refresh token) appears in any output.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 20000;  // hang guard only
constexpr const char* kSecret = "it-crash-consumer-secret-41b7e0";
constexpr const char* kCrashEnv = "CHOST_CRASH_POINT_FOR_TEST";
// Prefixes of the peer's issued tokens: access tokens are "<org id>!...", refresh "5Aep...".
constexpr const char* kAccessTokenPrefix = "00D5g000004PEER!";
constexpr const char* kRefreshTokenPrefix = "5Aep";

// A local peer seeded with the demo org and a stopped host authorized against it.
class SalesforceRotationCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv(kCrashEnv);
    sf_ = start_salesforce_peer(dir_, kSecret, kWaitMs);
    ASSERT_FALSE(sf_.base_url.empty()) << sf_.process->err();
    // The demo app must rotate, or this test proves nothing.
    ASSERT_TRUE(sf_.app.at("refresh_policy").at("rotate").as_bool());

    setenv("CHOST_IT_SF_KEY", std::string(64, 'd').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    dir_.write("host.yaml", salesforce_host_yaml(sf_));
    CommandResult auth = run({"authorize", "crm", "-c", "host.yaml", "--follow", "--redirect-port",
                              std::to_string(sf_.redirect_port), "--timeout", "30"},
                             "authorize");
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
    ASSERT_NE(auth.out.find("crm: connected"), std::string::npos) << auth.out;
  }

  void TearDown() override {
    unsetenv(kCrashEnv);
    if (sf_.process) {
      sf_.process->signal(SIGTERM);
      EXPECT_EQ(sf_.process->wait_exit(kWaitMs), std::optional<int>(0));
    }
    for (const CommandResult& r : results_) {
      for (const char* secret : {kSecret, kAccessTokenPrefix, kRefreshTokenPrefix}) {
        EXPECT_EQ(r.out.find(secret), std::string::npos) << secret << " in: " << r.out;
        EXPECT_EQ(r.err.find(secret), std::string::npos) << secret << " in: " << r.err;
      }
    }
  }

  // Runs connector-host in the temp dir; every result is checked for secrets in TearDown.
  CommandResult run(const std::vector<std::string>& args, const std::string& tag) {
    results_.push_back(run_host_command(dir_.path(), args, tag));
    return results_.back();
  }

  // `refresh crm` killed at `point` by the runtime's test-only crash hook.
  void refresh_crashing_at(const char* point) {
    setenv(kCrashEnv, point, 1);
    CommandResult crashed = run({"refresh", "crm", "-c", "host.yaml"}, "refresh-crash");
    unsetenv(kCrashEnv);
    ASSERT_EQ(crashed.exit_code, 137) << crashed.out << crashed.err;
    EXPECT_EQ(crashed.out.find("refresh ok"), std::string::npos) << crashed.out;
  }

  boost::json::value counters() { return peer_counters(sf_); }
  static int64_t counter(const boost::json::value& c, const char* group, const char* name) {
    return peer_counter(c, group, name);
  }

  TempDir dir_;
  SalesforcePeerForTest sf_;
  std::vector<CommandResult> results_;
};

TEST_F(SalesforceRotationCrashTest, CrashAfterStoringKeepsTheRotatedTokenUsable) {
  ASSERT_NO_FATAL_FAILURE(refresh_crashing_at("after_credentials_stored"));
  // The peer did rotate before the crash.
  EXPECT_EQ(counter(counters(), "grant_type", "refresh_token"), 1);

  CommandResult refresh = run({"refresh", "crm", "-c", "host.yaml"}, "refresh");
  EXPECT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
  EXPECT_NE(refresh.out.find("crm: refresh ok"), std::string::npos) << refresh.out;
  CommandResult sync = run({"sync", "crm", "-c", "host.yaml"}, "sync");
  EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_NE(sync.out.find("crm: sync ok"), std::string::npos) << sync.out;
  CommandResult status = run({"status", "-c", "host.yaml"}, "status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("connected"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("disconnected"), std::string::npos) << status.out;

  const boost::json::value c = counters();
  EXPECT_EQ(counter(c, "events", "reused_rotated_refresh_token"), 0) << c;
  EXPECT_GE(counter(c, "grant_type", "refresh_token"), 2) << c;  // the crashed one + ours
}

TEST_F(SalesforceRotationCrashTest, CrashBeforeStoringEndsDisconnectedWithInvalidGrant) {
  ASSERT_NO_FATAL_FAILURE(refresh_crashing_at("before_credentials_stored"));
  EXPECT_EQ(counter(counters(), "grant_type", "refresh_token"), 1);
  EXPECT_EQ(counter(counters(), "events", "reused_rotated_refresh_token"), 0);

  // Only the consumed refresh token is stored: presenting it revokes the grant.
  CommandResult refresh = run({"refresh", "crm", "-c", "host.yaml"}, "refresh");
  EXPECT_NE(refresh.exit_code, 0) << refresh.out;
  EXPECT_NE(refresh.err.find("invalid_grant"), std::string::npos) << refresh.err;

  const boost::json::value c = counters();
  EXPECT_EQ(counter(c, "events", "reused_rotated_refresh_token"), 1) << c;

  CommandResult status = run({"status", "-c", "host.yaml"}, "status");
  EXPECT_EQ(status.exit_code, 4) << status.err;  // a connection is disconnected
  EXPECT_NE(status.out.find("disconnected"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("invalid_grant"), std::string::npos) << status.out;

  // A sync cannot borrow a revoked connection.
  CommandResult sync = run({"sync", "crm", "-c", "host.yaml"}, "sync");
  EXPECT_NE(sync.exit_code, 0) << sync.out;
}

}  // namespace
}  // namespace chost::integration
