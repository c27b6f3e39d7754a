// Control API of the RollWorks peer: throttling with Retry-After, fault injection (status,
// every Nth, next N, method, reset, delay), counters, reset to the seed, and the standalone
// rollworks-peer binary.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "rw_test_client.h"

extern char** environ;

namespace chpeer::rollworks::testing {
namespace {

namespace json = boost::json;

using RwControlTest = RwPeerTest;

TEST_F(RwControlTest, ThrottleNextNAnswers429WithRetryAfter) {
  client_->Control("POST", "throttle", json::object{{"next", 2}, {"retry_after_s", 7}});
  for (int i = 0; i < 2; ++i) {
    HttpResult r = Get(kBase);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.Header("Retry-After"), "7");
    EXPECT_EQ(r.ErrorCode(), "rate_limited");
    EXPECT_EQ(r.Json().at("error").at("details").at("retry_after_s"), 7);
  }
  EXPECT_EQ(Get(kBase).status, 200);
  EXPECT_EQ(Counter("events", "rate_limited"), 2);
  EXPECT_EQ(Counter("status", "429"), 2);
  EXPECT_EQ(Counter("status", "200"), 1);
}

TEST_F(RwControlTest, ThrottleWindowLimitsRequestsOnThePeerClock) {
  client_->Control("POST", "throttle", json::object{{"limit", 2}, {"window_s", 60}});
  EXPECT_EQ(Get(kBase).status, 200);
  EXPECT_EQ(Get(kBase).status, 200);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 20}});
  HttpResult limited = Get(kBase);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "40");
  client_->Control("POST", "clock/advance", json::object{{"seconds", 40}});
  EXPECT_EQ(Get(kBase).status, 200);
  client_->Control("DELETE", "throttle");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get(kBase).status, 200);
}

TEST_F(RwControlTest, ThrottledBatchIsNotApplied) {
  client_->Control("POST", "throttle", json::object{{"next", 1}, {"path_prefix", "/api/v1"}});
  json::array batch{json::object{{"external_id", "001A"}, {"name", "A"}, {"domain", "a.com"}}};
  EXPECT_EQ(Upsert("accounts", batch).status, 429);
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("count"), 0);
  EXPECT_EQ(Upsert("accounts", batch).status, 200);
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("count"), 1);
}

TEST_F(RwControlTest, FaultForNextNRequestsWithStatusAndBody) {
  client_->Control(
      "POST", "faults",
      json::object{{"path_prefix", "/api/v1"},
                   {"status", 503},
                   {"body", json::object{{"error", json::object{{"code", "service_unavailable"},
                                                                {"message", "down"}}}}},
                   {"next", 2}});
  for (int i = 0; i < 2; ++i) {
    HttpResult r = Get(kBase);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.ErrorCode(), "service_unavailable");
  }
  EXPECT_EQ(Get(kBase).status, 200);
  EXPECT_FALSE(OAuthToken().empty());  // /oauth/token is outside the prefix
  EXPECT_EQ(Counter("events", "faults_injected"), 2);
}

TEST_F(RwControlTest, FaultOnEveryNthRequestForOneMethod) {
  client_->Control("POST", "faults",
                   json::object{{"path_prefix", std::string(kBase) + "/crm/"},
                                {"method", "POST"},
                                {"status", 500},
                                {"every_nth", 2}});
  json::array batch{json::object{{"external_id", "001A"}, {"name", "A"}}};
  std::vector<long> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(Upsert("accounts", batch).status);
  EXPECT_EQ(statuses, (std::vector<long>{200, 500, 200, 500}));
  EXPECT_EQ(Get(kBase).status, 200);  // GETs and other paths are untouched
  EXPECT_EQ(client_->Control("GET", "faults").at(0).at("fired"), 2);
  client_->Control("DELETE", "faults");
  EXPECT_EQ(Upsert("accounts", batch).status, 200);
}

TEST_F(RwControlTest, FaultResetsTheConnectionOrDelaysTheAnswer) {
  client_->Control("POST", "faults",
                   json::object{{"path_prefix", "/oauth/token"}, {"reset", true}, {"next", 1}});
  HttpResult reset = client_->PostForm("/oauth/token", {{"grant_type", "client_credentials"},
                                                        {"client_id", kClientId},
                                                        {"client_secret", kClientSecret}});
  EXPECT_NE(reset.curl_code, CURLE_OK);
  EXPECT_EQ(reset.status, 0);
  EXPECT_FALSE(OAuthToken().empty());
  client_->Control("POST", "faults",
                   json::object{{"path_prefix", "/api/v1"}, {"delay_ms", 30}, {"next", 1}});
  EXPECT_EQ(Get(kBase).status, 200);
}

TEST_F(RwControlTest, ControlApiIsNeverFaultedNorCounted) {
  client_->Control("POST", "faults", json::object{{"path_prefix", "/"}, {"status", 500}});
  client_->Control("POST", "throttle", json::object{{"next", 5}, {"path_prefix", "/"}});
  EXPECT_TRUE(client_->Control("GET", "counters").at("total").at("requests") == 0);
  client_->Control("DELETE", "faults");
  client_->Control("DELETE", "throttle");
}

TEST_F(RwControlTest, CountersTrackPathsStatusesAndTotals) {
  Get(kBase);
  Get(kBase);
  client_->Get(kBase, "bad-key");
  OAuthToken();
  json::value c = client_->Control("GET", "counters");
  EXPECT_EQ(c.at("total").at("requests"), 4);
  EXPECT_EQ(c.at("paths").at(kBase), 3);
  EXPECT_EQ(c.at("paths").at("/oauth/token"), 1);
  EXPECT_EQ(c.at("status").at("200"), 3);
  EXPECT_EQ(c.at("status").at("401"), 1);
  EXPECT_EQ(c.at("events").at("invalid_token"), 1);
  client_->Control("DELETE", "counters");
  EXPECT_EQ(client_->Control("GET", "counters").at("total").at("requests"), 0);
}

TEST_F(RwControlTest, ResetRestoresTheSeed) {
  std::string token = OAuthToken();
  Upsert("accounts", {json::object{{"external_id", "001A"}, {"name", "A"}, {"domain", "a.com"}}});
  client_->Control("POST", "api_keys/deactivate", json::object{{"key", kApiKey}});
  client_->Control("POST", "clock/advance", json::object{{"seconds", 100}});
  client_->Control("POST", "reset");
  EXPECT_EQ(client_->Get(kBase, token).status, 401);  // tokens are gone with the reset
  EXPECT_EQ(Get(kBase).status, 200);                  // the key is active again
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("count"), 0);
  EXPECT_EQ(client_->Control("GET", "clock").at("offset_ms"), 0);
  json::value feed = Get(std::string(kBase) + "/accounts/changes").Json();
  EXPECT_EQ(feed.at("data").as_array().size(), 4u);
}

TEST_F(RwControlTest, SeedAddsAdvertisersAndAccountsOnTop) {
  client_->Control(
      "POST", "seed",
      json::object{
          {"account_lists", json::array{json::object{{"id", "al_new"}, {"name", "New"}}}},
          {"accounts", json::array{json::object{{"domain", "seeded.example"},
                                                {"journey_stage", "customer"},
                                                {"account_lists", json::array{"al_new"}}}}}});
  json::value feed = Get(std::string(kBase) + "/accounts/changes").Json();
  EXPECT_EQ(feed.at("data").as_array().size(), 5u);
  EXPECT_EQ(Get(std::string(kBase) + "/account-lists").Json().at("data").as_array().size(), 3u);
}

TEST_F(RwControlTest, InvalidControlInputIsRejected) {
  auto post = [&](const std::string& path, const std::string& body) {
    return client_->Request("POST", "/__peer/" + path, body, {"Content-Type: application/json"});
  };
  EXPECT_EQ(post("faults", R"({"path_prefix":"/"})").status, 400);
  EXPECT_EQ(post("throttle", R"({"retry_after_s":3})").status, 400);
  EXPECT_EQ(post("clock/advance", R"({"seconds":-5})").status, 400);
  EXPECT_EQ(post("abm/accounts", R"({"domain":"acme.com","icp_fit_grade":"E"})").status, 400);
  EXPECT_EQ(post("abm/accounts", R"({"domain":"acme.com","intent_score":101})").status, 400);
  EXPECT_EQ(post("abm/accounts", R"({"domain":"acme.com","journey_stage":"won"})").status, 400);
  EXPECT_EQ(post("abm/accounts", R"({"domain":"acme.com","add_lists":["al_x"]})").status, 400);
  EXPECT_EQ(post("seed", R"({"accounts":[{"domain":"nodot"}]})").status, 400);
  EXPECT_EQ(post("api_keys/deactivate", R"({"key":"missing"})").status, 400);
  EXPECT_EQ(client_->Request("GET", "/__peer/crm/widgets", "", {}).status, 400);
}

TEST(RwPeerBinaryTest, PrintsBaseUrlServesAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string binary = RW_PEER_BINARY;
  std::string seed = RW_PEER_DEMO_SEED;
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
  FakeRollWorksClient client(url);
  HttpResult advertiser = client.Get(kBase, kApiKey);
  EXPECT_EQ(advertiser.status, 200);
  EXPECT_EQ(advertiser.Json().at("name").as_string(), "Demo Audience");
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace chpeer::rollworks::testing
