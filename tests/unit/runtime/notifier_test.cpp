// Notifier (host.notify): HMAC-SHA256 against RFC 4231, the signature a receiver verifies, what
// one delivery sends, retries with backoff until delivered, giving up, undelivered rows
// delivered by the next notifier on the same store (a restart), which transitions are events
// (exactly once each), and one subjects.disabled call for many users.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "chost/runtime/notifier.hpp"
#include "chost/runtime/status.hpp"
#include "chost/runtime/webhook_signature.hpp"
#include "fakes.hpp"

namespace chost::runtime {
namespace {

using testing::FakeHttpResponse;
using testing::FakeServices;

constexpr const char* kSecret = "whsec-test-0123456789abcdef";

TEST(WebhookSignatureTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'),
                            "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(WebhookSignatureTest, AReceiverAcceptsOnlyTheSignedBodyWithARecentTimestamp) {
  const std::string body = R"({"id":"evt_1","event":"connection.disconnected"})";
  const std::string header = webhook_signature(kSecret, 1'700'000'000, body);
  EXPECT_EQ(header, "t=1700000000,v1=" + hmac_sha256_hex(kSecret, "1700000000." + body));
  EXPECT_TRUE(verify_webhook_signature(kSecret, header, body, 1'700'000'100, 300));
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, body + " ", 1'700'000'100, 300));
  EXPECT_FALSE(
      verify_webhook_signature("another-secret-0123456", header, body, 1'700'000'100, 300));
  // A replay of a delivery captured long ago carries its old timestamp.
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, body, 1'700'000'000 + 301, 300));
  // The timestamp is signed: moving it forward breaks the MAC.
  std::string moved = header;
  moved.replace(2, 10, "1700000200");
  EXPECT_FALSE(verify_webhook_signature(kSecret, moved, body, 1'700'000'200, 300));
  EXPECT_FALSE(verify_webhook_signature(kSecret, "v1=abc", body, 1'700'000'000, 300));
}

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakes_.http.handler = [this](const testing::FakeHttp::Seen&) -> Result<FakeHttpResponse> {
      std::lock_guard<std::mutex> lock(mu_);
      if (answers_.empty()) return FakeHttpResponse{200, ""};
      auto next = answers_.front();
      answers_.erase(answers_.begin());
      if (next.status == 0) return Error::transient("connect to 127.0.0.1:9 failed: refused");
      return next;
    };
  }

  NotifierOptions options(std::vector<NotifyEvent> events = {}) {
    NotifierOptions o;
    o.webhooks.push_back(WebhookTarget{"ops", "https://hooks.example/ops", kSecret, events});
    o.max_attempts = 4;
    o.backoff = BackoffPolicy{1000, 8000, 0.0};
    return o;
  }

  void answer(std::vector<uint32_t> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint32_t s : statuses) answers_.push_back(FakeHttpResponse{s, ""});
  }

  std::vector<store::NotificationRecord> rows() {
    auto list = fakes_.store.notify_list(100);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<store::NotificationRecord>{};
  }

  std::vector<std::string> events_sent() {
    std::vector<std::string> out;
    for (const auto& s : fakes_.http.seen()) out.push_back(s.headers.at("X-Chost-Event"));
    return out;
  }

  FakeServices fakes_;
  std::mutex mu_;
  std::vector<FakeHttpResponse> answers_;
};

TEST_F(NotifierTest, ADeliveryIsASignedPostWithTheEventIdAsIdempotencyKey) {
  Notifier n(options(), fakes_.services());
  n.connection_changed("crm", ConnectionState::kDisconnected,
                       "refresh rejected: invalid_grant: expired access/refresh token");
  EXPECT_EQ(n.deliver_due(), 1u);
  auto seen = fakes_.http.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].url, "https://hooks.example/ops");
  EXPECT_EQ(seen[0].headers.at("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].headers.at("X-Chost-Event"), "connection.disconnected");
  const boost::json::value body = boost::json::parse(seen[0].body);
  EXPECT_EQ(body.at("event"), "connection.disconnected");
  EXPECT_EQ(body.at("connection"), "crm");
  EXPECT_EQ(body.at("state"), "disconnected");
  EXPECT_EQ(body.at("reason"), "refresh rejected: invalid_grant: expired access/refresh token");
  EXPECT_EQ(body.at("occurred_at_ms"), fakes_.clock.now_ms());
  EXPECT_EQ(seen[0].headers.at("Idempotency-Key"), body.at("id").as_string());
  EXPECT_TRUE(verify_webhook_signature(kSecret, seen[0].headers.at("X-Chost-Signature"),
                                       seen[0].body, fakes_.clock.now_ms() / 1000, 300));
  auto r = rows();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].state, "delivered");
  EXPECT_EQ(r[0].attempts, 1);
  EXPECT_EQ(r[0].last_status, 200);
  for (const std::string& line : fakes_.log.lines()) {
    EXPECT_EQ(line.find(kSecret), std::string::npos) << line;
  }
}

TEST_F(NotifierTest, FailedAttemptsBackOffExponentiallyThenDeliverWithTheSameKey) {
  answer({503, 0, 200});
  Notifier n(options(), fakes_.services());
  n.connection_changed("crm", ConnectionState::kDisconnected, "gone");
  EXPECT_EQ(n.deliver_due(), 1u);
  auto r = rows();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].state, "pending");
  EXPECT_EQ(r[0].last_error, "HTTP 503");
  EXPECT_EQ(r[0].next_attempt_at_ms, fakes_.clock.now_ms() + 1000);
  EXPECT_EQ(n.deliver_due(), 0u);  // not due yet
  fakes_.clock.advance_ms(1000);
  EXPECT_EQ(n.deliver_due(), 1u);
  r = rows();
  EXPECT_EQ(r[0].attempts, 2);
  EXPECT_EQ(r[0].last_status, 0);
  EXPECT_EQ(r[0].last_error, "connect to 127.0.0.1:9 failed: refused");  // the reason is kept
  EXPECT_EQ(r[0].next_attempt_at_ms, fakes_.clock.now_ms() + 2000);      // doubled
  fakes_.clock.advance_ms(2000);
  EXPECT_EQ(n.deliver_due(), 1u);
  r = rows();
  EXPECT_EQ(r[0].state, "delivered");
  EXPECT_EQ(r[0].attempts, 3);
  EXPECT_TRUE(r[0].last_error.empty());
  auto seen = fakes_.http.seen();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& s : seen) {
    EXPECT_EQ(s.headers.at("Idempotency-Key"), seen[0].headers.at("Idempotency-Key"));
    EXPECT_EQ(s.body, seen[0].body);
  }
}

TEST_F(NotifierTest, GivesUpAfterMaxAttempts) {
  answer({500, 500, 500, 500, 500});
  Notifier n(options(), fakes_.services());
  n.connection_changed("crm", ConnectionState::kDisconnected, "gone");
  for (int i = 0; i < 10; ++i) {
    n.deliver_due();
    fakes_.clock.advance_ms(10'000);
  }
  auto r = rows();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].state, "failed");
  EXPECT_EQ(r[0].attempts, 4);
  EXPECT_EQ(fakes_.http.seen().size(), 4u);
  EXPECT_TRUE(fakes_.log.contains("giving up after 4 attempts"));
}

TEST_F(NotifierTest, WhatOneNotifierLeftUndeliveredTheNextDelivers) {
  answer({0});
  {
    Notifier first(options(), fakes_.services());
    first.connection_changed("crm", ConnectionState::kDisconnected, "gone");
    first.deliver_due();
  }
  ASSERT_EQ(rows()[0].state, "pending");
  fakes_.clock.advance_ms(1000);
  Notifier second(options(), fakes_.services());
  EXPECT_EQ(second.deliver_due(), 1u);
  EXPECT_EQ(rows()[0].state, "delivered");
  EXPECT_EQ(events_sent(),
            (std::vector<std::string>{"connection.disconnected", "connection.disconnected"}));
}

TEST_F(NotifierTest, ConnectionEventsFireOncePerOutageAndRecovery) {
  Notifier n(options(), fakes_.services());
  n.connection_seen("crm", ConnectionState::kConnected);
  n.connection_changed("crm", ConnectionState::kRefreshing, "");
  n.connection_changed("crm", ConnectionState::kConnected, "");  // a routine refresh
  n.connection_changed("crm", ConnectionState::kDisconnected, "invalid_grant");
  n.connection_changed("crm", ConnectionState::kRefreshing, "");  // admin presses Refresh
  n.connection_changed("crm", ConnectionState::kDisconnected, "invalid_grant");  // still dead
  n.connection_changed("crm", ConnectionState::kRefreshing, "");
  n.connection_changed("crm", ConnectionState::kConnected, "");  // logged in again
  n.connection_changed("crm", ConnectionState::kRefreshing, "");
  n.connection_changed("crm", ConnectionState::kConnected, "");
  // A host that restarts while disconnected still says recovered.
  n.connection_seen("other", ConnectionState::kDisconnected);
  n.connection_changed("other", ConnectionState::kConnected, "");
  while (n.deliver_due() > 0) {
  }
  EXPECT_EQ(events_sent(),
            (std::vector<std::string>{"connection.disconnected", "connection.recovered",
                                      "connection.recovered"}));
}

TEST_F(NotifierTest, ConnectorFailedAndRecoveredFromTheStatusBoard) {
  Notifier n(options(), fakes_.services());
  StatusBoard board;
  board.set_observer(
      StatusBoard::Observer{[&n](const InstanceStatus& s) { n.instance_changed(s); },
                            [&n](std::string_view name, const std::vector<SubjectStatus>& s) {
                              n.subjects_disabled(name, s);
                            }});
  board.ensure("mirror", InstanceKind::kConnector);
  for (int i = 0; i < 3; ++i) {  // fails, and fails again on each restart: one event
    board.record_sync("mirror", false, 10 + i, "");
    board.set_state("mirror", InstanceState::kFailed);
    board.set_error("mirror", Error::permanent("INVALID_FIELD: No such column 'Foo__c'"));
    board.set_state("mirror", InstanceState::kRunning);
  }
  board.record_sync("mirror", true, 20, "{}");
  board.set_state("mirror", InstanceState::kIdle);
  board.set_error("mirror", std::nullopt);
  board.set_error("mirror", std::nullopt);
  while (n.deliver_due() > 0) {
  }
  EXPECT_EQ(events_sent(), (std::vector<std::string>{"connector.failed", "connector.recovered"}));
  const boost::json::value failed = boost::json::parse(fakes_.http.seen()[0].body);
  EXPECT_EQ(failed.at("connector"), "mirror");
  EXPECT_EQ(failed.at("error_class"), "permanent");
  EXPECT_EQ(failed.at("error"), "INVALID_FIELD: No such column 'Foo__c'");
}

TEST_F(NotifierTest, QuotaPausedIsSentOncePerPauseAndNotAgainAfterARestart) {
  const std::string paused =
      R"({"records":{"in":400,"out":0,"failed":0},"api_quota":{"used":90,"limit":100},)"
      R"("paused":{"reason":"api_quota","message":"API quota threshold reached: 90/100"}})";
  const std::string done = R"({"records":{"in":7,"out":0,"failed":0}})";
  {
    Notifier n(options(), fakes_.services());
    StatusBoard board;
    board.set_observer(
        StatusBoard::Observer{[&n](const InstanceStatus& s) { n.instance_changed(s); },
                              [&n](std::string_view name, const std::vector<SubjectStatus>& s) {
                                n.subjects_disabled(name, s);
                              }});
    board.ensure("mirror", InstanceKind::kConnector);
    board.record_sync("mirror", true, 10, done);
    for (int i = 0; i < 3; ++i) {  // paused three runs in a row, with other changes between
      board.set_state("mirror", InstanceState::kRunning);
      board.record_sync("mirror", true, 20 + i, paused);
      board.set_state("mirror", InstanceState::kIdle);
      board.set_error("mirror", std::nullopt);
    }
    board.record_sync("mirror", false, 30, "");     // a failed run changes no summary
    board.record_sync("mirror", true, 40, done);    // quota back: the pause is over
    board.record_sync("mirror", true, 50, paused);  // a new pause
    while (n.deliver_due() > 0) {
    }
    EXPECT_EQ(events_sent(), (std::vector<std::string>{"quota.paused", "quota.paused"}));
    const boost::json::value body = boost::json::parse(fakes_.http.seen()[0].body);
    EXPECT_EQ(body.at("connector"), "mirror");
    EXPECT_EQ(body.at("reason"), "api_quota");
    EXPECT_EQ(body.at("message"), "API quota threshold reached: 90/100");
    EXPECT_EQ(body.at("quota_used"), 90);
    EXPECT_EQ(body.at("quota_limit"), 100);
    EXPECT_NE(fakes_.http.seen()[0].headers.at("Idempotency-Key"),
              fakes_.http.seen()[1].headers.at("Idempotency-Key"));
  }
  // The next start restores the paused summary: seen, not announced again.
  Notifier n(options(), fakes_.services());
  StatusBoard board;
  board.set_observer(
      StatusBoard::Observer{[&n](const InstanceStatus& s) { n.instance_changed(s); },
                            [&n](std::string_view name, const std::vector<SubjectStatus>& s) {
                              n.subjects_disabled(name, s);
                            }});
  InstanceStatus restored;
  restored.name = "mirror";
  restored.last_success_at_ms = 50;
  restored.last_summary_json = paused;
  board.ensure("mirror", InstanceKind::kConnector);
  board.restore(restored);
  for (const InstanceStatus& s : board.snapshot()) n.instance_seen(s);
  board.set_state("mirror", InstanceState::kIdle);
  board.record_sync("mirror", true, 60, paused);
  while (n.deliver_due() > 0) {
  }
  EXPECT_EQ(events_sent().size(), 2u);
}

TEST_F(NotifierTest, ManyUsersDisabledInOneTransitionAreOneCall) {
  Notifier n(options(), fakes_.services());
  StatusBoard board;
  board.set_observer(
      StatusBoard::Observer{[&n](const InstanceStatus& s) { n.instance_changed(s); },
                            [&n](std::string_view name, const std::vector<SubjectStatus>& s) {
                              n.subjects_disabled(name, s);
                            }});
  board.ensure("rg-sync", InstanceKind::kConnector);
  for (int i = 0; i < 50; ++i) {
    board.set_subject("rg-sync", SubjectStatus{"u" + std::to_string(i) + "@contoso.example", "User",
                                               "active", "", 1});
  }
  board.record_sync("rg-sync", true, 1, "{}");
  // One outage: every user disabled, handed over as one batch.
  for (int i = 0; i < 50; ++i) {
    board.set_subject("rg-sync", SubjectStatus{"u" + std::to_string(i) + "@contoso.example", "User",
                                               "disabled", "connection sf-org is disconnected", 2});
  }
  board.flush_disabled_subjects("rg-sync");
  // Still disabled in the next sync: no new transition, no call.
  board.set_subject("rg-sync", SubjectStatus{"u1@contoso.example", "User", "disabled",
                                             "connection sf-org is disconnected", 3});
  board.record_sync("rg-sync", false, 3, "");
  while (n.deliver_due() > 0) {
  }
  ASSERT_EQ(events_sent(), (std::vector<std::string>{"subjects.disabled"}));
  const boost::json::value body = boost::json::parse(fakes_.http.seen()[0].body);
  EXPECT_EQ(body.at("connector"), "rg-sync");
  EXPECT_EQ(body.at("count"), 50);
  ASSERT_EQ(body.at("subjects").as_array().size(), 50u);
  EXPECT_EQ(body.at("subjects").as_array()[0].at("detail"), "connection sf-org is disconnected");
}

TEST_F(NotifierTest, AWebhookGetsOnlyTheEventsItSubscribedTo) {
  Notifier n(options({NotifyEvent::kConnectorFailed}), fakes_.services());
  n.connection_changed("crm", ConnectionState::kDisconnected, "gone");
  EXPECT_EQ(n.deliver_due(), 0u);
  EXPECT_TRUE(rows().empty());
  EXPECT_EQ(notify_event_from_string("quota.paused"), NotifyEvent::kQuotaPaused);
  EXPECT_EQ(all_notify_events().size(), 6u);
}

TEST_F(NotifierTest, TheThreadDeliversWithoutBeingAsked) {
  NotifierOptions o = options();
  o.idle_poll_ms = 20;
  Notifier n(std::move(o), fakes_.services());
  n.start();
  n.connection_changed("crm", ConnectionState::kDisconnected, "gone");
  EXPECT_TRUE(
      testing::eventually([&] { return rows().size() == 1 && rows()[0].state == "delivered"; }));
  n.stop();
}

}  // namespace
}  // namespace chost::runtime
