// Control API of the Salesforce peer: fault injection (status, every Nth, next N, reset),
// counters, reset to the seed, and the standalone sf-peer binary.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sf_test_client.h"

extern char** environ;

namespace chpeer::sf::testing {
namespace {

namespace json = boost::json;

class SfControlTest : public SfPeerTest {
 protected:
  void SetUp() override {
    SfPeerTest::SetUp();
    token_ = ServiceToken();
  }
  HttpResult Limits() { return client_->Get(std::string(kApi) + "/limits", token_); }
  std::string token_;
};

TEST_F(SfControlTest, FaultForNextNRequestsWithStatusAndBody) {
  client_->Control(
      "POST", "faults",
      json::object{{"path_prefix", "/services/data"},
                   {"status", 503},
                   {"body", json::array{json::object{{"errorCode", "SERVER_UNAVAILABLE"},
                                                     {"message", "down"}}}},
                   {"next", 2}});
  for (int i = 0; i < 2; ++i) {
    HttpResult r = Limits();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.Json().at(0).at("errorCode").as_string(), "SERVER_UNAVAILABLE");
  }
  EXPECT_EQ(Limits().status, 200);
  // OAuth endpoints did not match the prefix.
  EXPECT_FALSE(ServiceToken().empty());
}

TEST_F(SfControlTest, FaultOnEveryNthRequest) {
  client_->Control(
      "POST", "faults",
      json::object{
          {"path_prefix", "/services/data/v59.0/limits"}, {"status", 500}, {"every_nth", 3}});
  std::vector<long> statuses;
  for (int i = 0; i < 7; ++i) statuses.push_back(Limits().status);
  EXPECT_EQ(statuses, (std::vector<long>{200, 200, 500, 200, 200, 500, 200}));
  json::value faults = client_->Control("GET", "faults");
  EXPECT_EQ(faults.at(0).at("fired").as_int64(), 2);
  client_->Control("DELETE", "faults");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Limits().status, 200);
}

TEST_F(SfControlTest, FaultResetsTheConnection) {
  client_->Control(
      "POST", "faults",
      json::object{{"path_prefix", "/services/oauth2/token"}, {"reset", true}, {"next", 1}});
  HttpResult r = client_->PostForm("/services/oauth2/token", {{"grant_type", "client_credentials"},
                                                              {"client_id", kClientId},
                                                              {"client_secret", kClientSecret}});
  EXPECT_NE(r.curl_code, CURLE_OK);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(ServiceToken().empty());
}

TEST_F(SfControlTest, DelayedResponsesStillArrive) {
  client_->Control("POST", "faults",
                   json::object{{"path_prefix", "/services/data"}, {"delay_ms", 30}, {"next", 1}});
  EXPECT_EQ(Limits().status, 200);
  EXPECT_EQ(client_->Control("GET", "faults").at(0).at("fired").as_int64(), 1);
}

TEST_F(SfControlTest, CountersTrackPathsGrantTypesAndTotals) {
  client_->Control("DELETE", "counters");
  ServiceToken();
  ServiceToken();
  Limits();
  client_->Get(std::string(kApi) + "/limits", "bad-token");
  json::value c = client_->Control("GET", "counters");
  EXPECT_EQ(c.at("grant_type").at("client_credentials").as_int64(), 2);
  EXPECT_EQ(c.at("paths").at("/services/oauth2/token").as_int64(), 2);
  EXPECT_EQ(c.at("paths").at("/services/data/v59.0/limits").as_int64(), 2);
  EXPECT_EQ(c.at("total").at("requests").as_int64(), 4);
  EXPECT_EQ(c.at("events").at("invalid_session").as_int64(), 1);
  EXPECT_EQ(c.at("api_usage").at("used").as_int64(), 1);
}

TEST_F(SfControlTest, RevokeAllAndResetRestoreTheSeed) {
  client_->Control("POST", "tokens/revoke", json::object{});
  EXPECT_EQ(Limits().status, 401);
  token_ = ServiceToken();
  HttpResult created = client_->SendJson("POST", std::string(kApi) + "/sobjects/Account",
                                         json::object{{"Name", "Temp"}}, token_);
  ASSERT_EQ(created.status, 201);
  client_->Control("POST", "reset");
  EXPECT_EQ(Limits().status, 401);  // tokens are gone with the reset
  token_ = ServiceToken();
  EXPECT_EQ(client_->Get(Q("SELECT Id FROM Account"), token_).Json().at("totalSize").as_int64(), 2);
}

TEST_F(SfControlTest, InvalidControlInputIsRejected) {
  HttpResult bad = client_->Request("POST", "/__peer/faults", R"({"path_prefix":"/"})",
                                    {"Content-Type: application/json"});
  EXPECT_EQ(bad.status, 400);
  HttpResult back = client_->Request("POST", "/__peer/clock/advance", R"({"seconds":-5})",
                                     {"Content-Type: application/json"});
  EXPECT_EQ(back.status, 400);
  HttpResult seed = client_->Request("POST", "/__peer/seed", R"({"org":{"id":"001000000000001"}})",
                                     {"Content-Type: application/json"});
  EXPECT_EQ(seed.status, 400);
}

TEST(SfPeerBinaryTest, PrintsBaseUrlServesAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string binary = SF_PEER_BINARY;
  std::string seed = SF_PEER_DEMO_SEED;
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
  ASSERT_NE(line.find('\n'), std::string::npos) << "no URL printed: " << line;
  std::string url = line.substr(0, line.find('\n'));
  EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  FakeSalesforceClient client(url);
  HttpResult versions = client.Get("/services/data/");
  EXPECT_EQ(versions.status, 200);
  EXPECT_TRUE(versions.Json().is_array());
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace chpeer::sf::testing
