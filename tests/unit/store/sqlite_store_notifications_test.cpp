// The notification queue: enqueue one event for several webhooks at once, the same event twice
// stays one row per webhook, due rows by time and order, updates, counts, a reopen keeps
// everything, validation.
#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace chost::store {
namespace {

using testing::OpenOrDie;
using testing::TempDir;

NotificationRecord Row(std::string event_id, std::string webhook, int64_t due_ms) {
  NotificationRecord r;
  r.event_id = std::move(event_id);
  r.webhook = std::move(webhook);
  r.event = "connection.disconnected";
  r.body = R"({"event":"connection.disconnected","connection":"crm"})";
  r.next_attempt_at_ms = due_ms;
  r.created_at_ms = 100;
  return r;
}

class NotificationQueueTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("state.db"); }
  TempDir dir_;
};

TEST_F(NotificationQueueTest, AnEventIsQueuedOncePerWebhookAndDueInOrder) {
  auto store = OpenOrDie(path());
  ASSERT_TRUE(store->notify_enqueue({Row("e1", "ops", 100), Row("e1", "pager", 100)}));
  ASSERT_TRUE(store->notify_enqueue({Row("e2", "ops", 500)}));
  // Queued again (e.g. a retried enqueue): still one row per (event, webhook).
  ASSERT_TRUE(store->notify_enqueue({Row("e1", "ops", 100)}));

  auto due = store->notify_due(200, 10);
  ASSERT_TRUE(due.ok()) << due.error().message;
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].webhook, "ops");
  EXPECT_EQ((*due)[1].webhook, "pager");
  EXPECT_LT((*due)[0].seq, (*due)[1].seq);
  EXPECT_EQ((*due)[0].body, R"({"event":"connection.disconnected","connection":"crm"})");
  auto next = store->notify_next_due();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->value_or(-1), 100);
  EXPECT_EQ(store->notify_due(600, 10)->size(), 3u);
  EXPECT_EQ(store->notify_due(600, 1)->size(), 1u);
}

TEST_F(NotificationQueueTest, UpdatesMoveRowsOutOfTheDueSetAndAreCounted) {
  {
    auto store = OpenOrDie(path());
    ASSERT_TRUE(
        store->notify_enqueue({Row("e1", "ops", 0), Row("e2", "ops", 0), Row("e3", "ops", 0)}));
    auto due = store->notify_due(10, 10);
    ASSERT_EQ(due->size(), 3u);
    NotificationRecord delivered = (*due)[0];
    delivered.state = "delivered";
    delivered.attempts = 2;
    delivered.last_status = 200;
    delivered.delivered_at_ms = 50;
    ASSERT_TRUE(store->notify_update(delivered));
    NotificationRecord retry = (*due)[1];
    retry.attempts = 1;
    retry.last_error = "connect to 127.0.0.1:9 failed: Connection refused";
    retry.next_attempt_at_ms = 1000;
    ASSERT_TRUE(store->notify_update(retry));
    NotificationRecord gave_up = (*due)[2];
    gave_up.state = "failed";
    gave_up.attempts = 12;
    gave_up.last_status = 500;
    gave_up.last_error = "HTTP 500";
    ASSERT_TRUE(store->notify_update(gave_up));
  }
  auto store = OpenOrDie(path());  // everything survives a restart
  EXPECT_TRUE(store->notify_due(999, 10)->empty());
  auto later = store->notify_due(1000, 10);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].event_id, "e2");
  EXPECT_EQ((*later)[0].attempts, 1);
  EXPECT_EQ((*later)[0].last_error, "connect to 127.0.0.1:9 failed: Connection refused");
  auto counts = store->notify_counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 1);
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->failed, 1);
  auto list = store->notify_list(10);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].event_id, "e3");  // newest first
  EXPECT_EQ((*list)[0].state, "failed");
  EXPECT_EQ((*list)[2].delivered_at_ms, 50);
}

TEST_F(NotificationQueueTest, RefusesBadRowsAndUnknownUpdates) {
  auto store = OpenOrDie(path());
  NotificationRecord bad = Row("e1", "ops", 0);
  bad.state = "sent";
  EXPECT_EQ(store->notify_enqueue({bad}).error().cls, ErrorClass::kConfig);
  NotificationRecord not_json = Row("e1", "ops", 0);
  not_json.body = "{";
  auto s = store->notify_enqueue({Row("e0", "ops", 0), not_json});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("for webhook ops"), std::string::npos) << s.error().message;
  EXPECT_TRUE(store->notify_list(10)->empty());  // all or nothing
  NotificationRecord ghost = Row("e9", "ops", 0);
  ghost.seq = 42;
  EXPECT_EQ(store->notify_update(ghost).error().cls, ErrorClass::kNotFound);
}

}  // namespace
}  // namespace chost::store
