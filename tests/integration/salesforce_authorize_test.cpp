// The Salesforce demo path, headless: the real salesforce plugin against the local Salesforce
// peer (tests/peers/salesforce). `authorize --follow` starts the browser flow, follows the
// peer's auto-approving authorize page to the CLI's loopback redirect listener and completes the
// callback; the connection is then connected in the stored state, with the identity the peer
// reported. The consumer secret and the issued tokens never appear in any output.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 20000;  // hang guard only
constexpr const char* kSecret = "it-consumer-secret-7c1d9e";

// With `running`, a host runs with its admin API and the CLI goes through it: the host starts
// the flow, the CLI receives the redirect and hands it to the host's /oauth/callback.
void authorize_flow(bool running) {
  TempDir dir;
  // The demo org, with the connected app's registered redirect URI set to our listener.
  SalesforcePeerForTest sf = start_salesforce_peer(dir, kSecret, kWaitMs);
  ASSERT_FALSE(sf.base_url.empty()) << sf.process->err();
  HostProcess& peer = *sf.process;
  const std::string& base = sf.base_url;
  const uint16_t redirect_port = sf.redirect_port;

  setenv("CHOST_IT_SF_KEY", std::string(64, 'c').c_str(), 1);
  setenv("CHOST_IT_SF_SECRET", kSecret, 1);
  setenv("CHOST_IT_SF_ADMIN", "sf-admin-token-5b7e2a90", 1);
  const std::string admin = running
                                ? "  admin: { listen: \"127.0.0.1:" + std::to_string(free_port()) +
                                      "\", token: \"${env:CHOST_IT_SF_ADMIN}\" }\n"
                                : "";
  dir.write("host.yaml", salesforce_host_yaml(sf, admin));

  std::unique_ptr<HostProcess> host;
  if (running) {
    host = std::make_unique<HostProcess>(dir.path(),
                                         std::vector<std::string>{"run", "-c", "host.yaml"}, "run");
    ASSERT_TRUE(host->wait_for_log("running; pid", kWaitMs)) << host->err();
  }
  CommandResult auth =
      run_host_command(dir.path(),
                       {"authorize", "crm", "-c", "host.yaml", "--follow", "--redirect-port",
                        std::to_string(redirect_port), "--timeout", "30"},
                       "authorize");
  ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  EXPECT_NE(auth.out.find(base + "/services/oauth2/authorize"), std::string::npos) << auth.out;
  if (running) {
    EXPECT_NE(auth.out.find("\"state\":\"connected\""), std::string::npos) << auth.out;
  } else {
    EXPECT_NE(auth.out.find("crm: connected"), std::string::npos) << auth.out;
  }

  CommandResult status = run_host_command(dir.path(), {"status", "-c", "host.yaml"}, "status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("connected"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("identity"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("alice@demo.peer"), std::string::npos) << status.out;  // login user

  if (host) {
    EXPECT_NE(status.out.find("host running"), std::string::npos) << status.out;
    host->signal(SIGTERM);
    EXPECT_EQ(host->wait_exit(kWaitMs), std::optional<int>(0)) << host->err();
    EXPECT_EQ(host->err().find(kSecret), std::string::npos);
    EXPECT_EQ(host->out().find(kSecret), std::string::npos);
  }
  peer.signal(SIGTERM);
  EXPECT_EQ(peer.wait_exit(kWaitMs), std::optional<int>(0));
  for (const CommandResult* r : {&auth, &status}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
    EXPECT_EQ(r->err.find("access_token\":\"00D"), std::string::npos) << r->err;
  }
}

TEST(SalesforceAuthorizeTest, FollowCompletesTheBrowserFlowOnAStoppedHost) {
  authorize_flow(false);
}

TEST(SalesforceAuthorizeTest, FollowCompletesTheBrowserFlowThroughARunningHost) {
  authorize_flow(true);
}

}  // namespace
}  // namespace chost::integration
