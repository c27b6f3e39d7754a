// Outlook's service limits: throttle rules (429 + Retry-After for one mailbox or all), the real
// 4-concurrent-requests-per-mailbox limit (requests held open by a delay fault) and the
// per-mailbox request window on the peer clock.
#include <chrono>
#include <thread>

#include "graph_test_fixture.h"

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

std::string AliceUser() { return "/v1.0/users/" + std::string(kAlice) + "/mailFolders/inbox"; }

TEST_F(GraphPeerTest, ThrottleRuleAnswers429WithRetryAfterForOneMailbox) {
  std::string token = Token();
  Control("POST", "throttle",
          json::object{{"mailbox", "alice@contoso.example"}, {"retry_after_s", 7}, {"next", 2}});
  for (int i = 0; i < 2; ++i) {
    HttpResult r = Get(MessagesDelta(kAlice, "inbox"), token);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.Header("Retry-After"), "7");
    json::value error = r.Json().at("error");
    EXPECT_EQ(Str(error, "code"), "ApplicationThrottled");
    EXPECT_EQ(Str(error, "message"), "Application is over its MailboxConcurrency limit.");
  }
  EXPECT_EQ(Get(MessagesDelta(kBob, "inbox"), token).status, 200);
  EXPECT_EQ(Get(MessagesDelta(kAlice, "inbox"), token).status, 200);
  json::value counters = Control("GET", "counters");
  EXPECT_EQ(counters.at("throttled").at("rule").as_int64(), 2);
  EXPECT_EQ(counters.at("throttled_mailboxes").at(kAlice).as_int64(), 2);
}

TEST_F(GraphPeerTest, GlobalThrottleRuleLastsForSecondsOnThePeerClock) {
  std::string token = Token();
  Control("POST", "throttle", json::object{{"seconds", 30}, {"retry_after_s", 30}});
  EXPECT_EQ(Get(MessagesDelta(kAlice, "inbox"), token).status, 429);
  EXPECT_EQ(Get(MessagesDelta(kBob, "inbox"), token).status, 429);
  Control("POST", "clock/advance", json::object{{"seconds", 30}});
  EXPECT_EQ(Get(MessagesDelta(kBob, "inbox"), token).status, 200);
}

TEST_F(GraphPeerTest, FifthConcurrentRequestToOneMailboxGetsMailboxConcurrency429) {
  std::string token = Token();
  // Hold the next four mailbox responses open for a while so they are in flight together.
  Control(
      "POST", "faults",
      json::object{
          {"path_prefix", "/v1.0/users/" + std::string(kAlice)}, {"delay_ms", 2500}, {"next", 4}});
  std::vector<long> held_status(4, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      PeerHttpClient client(peer_->base_url());
      held_status[i] =
          client.Get(MessagesDelta(kAlice, "inbox"), {"Authorization: Bearer " + token}).status;
    });
  }
  // Wait (bounded) until the peer has all four in flight.
  std::int64_t in_flight = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (in_flight < 4 && std::chrono::steady_clock::now() < deadline) {
    json::value counters = Control("GET", "counters");
    const json::value* n = counters.at("in_flight").as_object().if_contains(kAlice);
    in_flight = n ? n->as_int64() : 0;
    if (in_flight < 4) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(in_flight, 4);
  HttpResult fifth = Get(MessagesDelta(kAlice, "inbox"), token);
  HttpResult other_mailbox = Get(MessagesDelta(kBob, "inbox"), token);
  for (auto& t : threads) t.join();
  EXPECT_EQ(fifth.status, 429) << fifth.body;
  EXPECT_FALSE(fifth.Header("Retry-After").empty());
  EXPECT_EQ(Str(fifth.Json().at("error"), "code"), "ApplicationThrottled");
  EXPECT_EQ(Str(fifth.Json().at("error"), "message"),
            "Application is over its MailboxConcurrency limit.");
  EXPECT_EQ(other_mailbox.status, 200);
  EXPECT_EQ(held_status, (std::vector<long>{200, 200, 200, 200}));
  json::value counters = Control("GET", "counters");
  EXPECT_EQ(counters.at("concurrent_max").at(kAlice).as_int64(), 4);
  EXPECT_EQ(counters.at("throttled").at("concurrency").as_int64(), 1);
  // The slots are free again once the held responses were sent.
  EXPECT_EQ(Get(MessagesDelta(kAlice, "inbox"), token).status, 200);
}

TEST_F(GraphPeerTest, RequestWindowPerMailboxRollsOnThePeerClock) {
  std::string token = Token();
  Control("POST", "limits", json::object{{"window_requests", 3}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get(AliceUser(), token).status, 200);
  HttpResult over = Get(AliceUser(), token);
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.Header("Retry-After"), "600");
  EXPECT_EQ(Get("/v1.0/users/" + std::string(kBob) + "/mailFolders/inbox", token).status, 200);
  Control("POST", "clock/advance", json::object{{"seconds", 600}});
  EXPECT_EQ(Get(AliceUser(), token).status, 200);
  json::value counters = Control("GET", "counters");
  EXPECT_EQ(counters.at("throttled").at("window").as_int64(), 1);
  EXPECT_EQ(counters.at("window_requests").at(kAlice).as_int64(), 1);
}

}  // namespace
}  // namespace chpeer::graph::testing
