// The Graph peer's control API and app mailbox scopes: access denied outside the scope and its
// two wordings, restrict/unrestrict, counters, faults, token revocation, reset, and the
// standalone graph-peer binary.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph_test_fixture.h"

extern char** environ;

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

TEST_F(GraphPeerTest, MailboxOutsideTheAppsScopeIsAccessDenied) {
  std::string token = Token();
  HttpResult denied = Get(MessagesDelta(kCarol, "inbox"), token);
  EXPECT_EQ(denied.status, 403);
  json::value error = denied.Json().at("error");
  EXPECT_EQ(Str(error, "code"), "ErrorAccessDenied");
  EXPECT_EQ(Str(error, "message"), "Access to OData is disabled.");
  // The directory is not mailbox-scoped.
  EXPECT_EQ(Get("/v1.0/users/" + std::string(kCarol), token).status, 200);
  // A tenant-wide app reads the mailbox.
  EXPECT_EQ(Get(MessagesDelta(kCarol, "inbox"), Token(kAdminAppId, kAdminSecret)).status, 200);

  Control("POST", "apps/" + std::string(kAppId) + "/scope",
          json::object{{"scoped_mailboxes", "all"}});
  EXPECT_EQ(Get(MessagesDelta(kCarol, "inbox"), token).status, 200);
  Control("POST", "apps/" + std::string(kAppId) + "/scope",
          json::object{{"scoped_mailboxes", json::array{"bob@contoso.example"}},
                       {"scope_mechanism", "rbac"}});
  HttpResult rbac = Get(MessagesDelta(kAlice, "inbox"), token);
  EXPECT_EQ(rbac.status, 403);
  EXPECT_EQ(Str(rbac.Json().at("error"), "message"),
            "Access is denied. Check credentials and try again.");
  EXPECT_EQ(Get(MessagesDelta(kBob, "inbox"), token).status, 200);
  EXPECT_EQ(Control("GET", "counters").at("events").at("access_denied").as_int64(), 2);
}

TEST_F(GraphPeerTest, CountersTrackTotalsPathsAndMailboxesButNotControlCalls) {
  Control("DELETE", "counters");
  std::string token = Token();
  Get(MessagesDelta(kAlice, "inbox"), token);
  Get(MessagesDelta(kAlice, "sentitems"), token);
  Get(MessagesDelta(kBob, "inbox"), token);
  Get("/v1.0/users/" + std::string(kAlice), token);
  json::value c = Control("GET", "counters");
  EXPECT_EQ(c.at("total").at("requests").as_int64(), 5);
  EXPECT_EQ(c.at("paths").at("/" + std::string(kTenant) + "/oauth2/v2.0/token").as_int64(), 1);
  EXPECT_EQ(c.at("paths").at(MessagesDelta(kAlice, "inbox")).as_int64(), 1);
  EXPECT_EQ(c.at("mailboxes").at(kAlice).as_int64(), 2);
  EXPECT_EQ(c.at("mailboxes").at(kBob).as_int64(), 1);
  EXPECT_EQ(c.at("grant_type").at("client_credentials").as_int64(), 1);
  EXPECT_EQ(c.at("concurrent_max").at(kAlice).as_int64(), 1);
  EXPECT_EQ(c.at("window_requests").at(kAlice).as_int64(), 2);
}

TEST_F(GraphPeerTest, FaultsReplaceResponsesForTheNextRequests) {
  std::string token = Token();
  Control("POST", "faults",
          json::object{{"path_prefix", "/v1.0/users"},
                       {"status", 503},
                       {"body", json::object{{"error", json::object{{"code", "ServiceUnavailable"},
                                                                    {"message", "down"}}}}},
                       {"next", 1}});
  HttpResult down = Get("/v1.0/users/" + std::string(kAlice), token);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(Str(down.Json().at("error"), "code"), "ServiceUnavailable");
  EXPECT_EQ(Get("/v1.0/users/" + std::string(kAlice), token).status, 200);
  EXPECT_EQ(Control("GET", "counters").at("events").at("faults_injected").as_int64(), 1);
}

TEST_F(GraphPeerTest, RevokedTokensFailAndResetRestoresTheSeed) {
  std::string token = Token();
  Control("POST", "tokens/revoke", json::object{{"token", token}});
  EXPECT_EQ(Get("/v1.0/users/" + std::string(kAlice), token).status, 401);
  std::string fresh = Token();
  Control("POST", "users/alice@contoso.example/mailFolders/inbox/messages",
          json::array{json::object{{"subject", "one"}}, json::object{{"subject", "two"}}});
  EXPECT_EQ(RunDelta(MessagesDelta(kAlice, "inbox"), fresh, 50).items.size(), 7u);
  Control("POST", "reset");
  EXPECT_EQ(Get("/v1.0/users/" + std::string(kAlice), fresh).status, 401);
  EXPECT_EQ(RunDelta(MessagesDelta(kAlice, "inbox"), Token(), 50).items.size(), 5u);
}

TEST_F(GraphPeerTest, InvalidControlInputIsRejected) {
  auto status = [&](const std::string& method, const std::string& path, const std::string& body) {
    return client_->Request(method, "/__peer/" + path, body, {"Content-Type: application/json"})
        .status;
  };
  EXPECT_EQ(status("POST", "faults", R"({"path_prefix":"/"})"), 400);
  EXPECT_EQ(status("POST", "clock/advance", R"({"seconds":-5})"), 400);
  EXPECT_EQ(status("POST", "throttle", R"({"mailbox":"ghost@contoso.example"})"), 400);
  EXPECT_EQ(status("POST", "delta/expire", R"({"code":"soon"})"), 400);
  EXPECT_EQ(status("POST", "seed", R"({"users":[{"displayName":"no upn"}]})"), 400);
  EXPECT_EQ(status("POST", "users/alice@contoso.example/events", R"({"subject":"no times"})"), 400);
}

TEST(GraphPeerBinaryTest, PrintsBaseUrlServesAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string binary = GRAPH_PEER_BINARY;
  std::string seed = GRAPH_PEER_DEMO_SEED;
  std::vector<char*> argv{binary.data(),
                          const_cast<char*>("--port"),
                          const_cast<char*>("0"),
                          const_cast<char*>("--seed"),
                          seed.data(),
                          nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  std::string line;
  for (int i = 0; i < 200 && line.find('\n') == std::string::npos; ++i) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);
  if (line.find('\n') == std::string::npos) kill(pid, SIGKILL);
  ASSERT_NE(line.find('\n'), std::string::npos) << "no URL printed: " << line;
  std::string url = line.substr(0, line.find('\n'));
  EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  PeerHttpClient client(url);
  HttpResult token = client.PostForm("/" + std::string(kTenant) + "/oauth2/v2.0/token",
                                     {{"client_id", kAppId},
                                      {"client_secret", kAppSecret},
                                      {"scope", kGraphScope},
                                      {"grant_type", "client_credentials"}});
  EXPECT_EQ(token.status, 200) << token.body;
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace chpeer::graph::testing
