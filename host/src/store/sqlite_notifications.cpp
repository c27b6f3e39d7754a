// SqliteStateStore notifications: the durable queue host.notify delivers webhooks from (one row
// per event and webhook; see NotificationRecord).
#include <boost/json/parse.hpp>

#include "sqlite_state_store.hpp"

namespace chost::store {

namespace {

constexpr const char* kColumns =
    "seq, event_id, webhook, event, body, state, attempts, next_attempt_at_ms, last_error, "
    "last_status, created_at_ms, delivered_at_ms";

NotificationRecord read_row(const Stmt& st) {
  NotificationRecord r;
  r.seq = st.int64(0);
  r.event_id = st.text(1);
  r.webhook = st.text(2);
  r.event = st.text(3);
  r.body = st.text(4);
  r.state = st.text(5);
  r.attempts = st.int64(6);
  r.next_attempt_at_ms = st.int64(7);
  r.last_error = st.text(8);
  r.last_status = st.int64(9);
  r.created_at_ms = st.int64(10);
  r.delivered_at_ms = st.int64(11);
  return r;
}

Status check_state(std::string_view state) {
  if (is_valid_notification_state(state)) return {};
  return Error::config("invalid notification state '" + std::string(state) + "'");
}

}  // namespace

Status SqliteStateStore::notify_enqueue(const std::vector<NotificationRecord>& rows) {
  for (const NotificationRecord& r : rows) {
    if (Status s = check_state(r.state); !s) return s;
    if (r.event_id.empty() || r.webhook.empty() || r.event.empty()) {
      return Error::config("a notification needs an event id, a webhook and an event name");
    }
    // Checked here: INSERT OR IGNORE would silently skip a row failing the column's CHECK.
    boost::system::error_code ec;
    boost::json::parse(r.body, ec);
    if (ec) {
      return Error::permanent("notification " + r.event + " for webhook " + r.webhook +
                              ": body is not valid JSON: " + ec.message());
    }
  }
  auto db = core_->acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();
  // OR IGNORE: the same event queued twice (a retried enqueue) stays one delivery per webhook.
  auto st = (*db)->prepare(
      "INSERT OR IGNORE INTO notifications (event_id, webhook, event, body, state, attempts, "
      "next_attempt_at_ms, last_error, last_status, created_at_ms, delivered_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!st) return st.error();
  for (const NotificationRecord& r : rows) {
    (*st)->bind(1, r.event_id).bind(2, r.webhook).bind(3, r.event).bind(4, r.body);
    (*st)->bind(5, r.state).bind(6, r.attempts).bind(7, r.next_attempt_at_ms);
    (*st)->bind(8, r.last_error).bind(9, r.last_status).bind(10, r.created_at_ms);
    (*st)->bind(11, r.delivered_at_ms);
    if (Status s = (*st)->run(); !s) {
      return Error{s.error().cls, "queueing notification " + r.event + " for webhook " + r.webhook +
                                      ": " + s.error().message};
    }
    (*st)->reset();
  }
  return txn->commit();
}

Result<std::vector<NotificationRecord>> SqliteStateStore::notify_due(int64_t now_ms, size_t limit) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("SELECT ") + kColumns +
                           " FROM notifications WHERE state = 'pending' AND "
                           "next_attempt_at_ms <= ?1 ORDER BY seq LIMIT ?2");
  if (!st) return st.error();
  (*st)->bind(1, now_ms).bind(2, static_cast<int64_t>(limit));
  return collect_rows<NotificationRecord>(**st, read_row);
}

Result<std::optional<int64_t>> SqliteStateStore::notify_next_due() {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st =
      (*db)->prepare("SELECT MIN(next_attempt_at_ms) FROM notifications WHERE state = 'pending'");
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row || (*st)->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>((*st)->int64(0));
}

Status SqliteStateStore::notify_update(const NotificationRecord& r) {
  if (Status s = check_state(r.state); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(
      "UPDATE notifications SET state = ?2, attempts = ?3, next_attempt_at_ms = ?4, "
      "last_error = ?5, last_status = ?6, delivered_at_ms = ?7 WHERE seq = ?1");
  if (!st) return st.error();
  (*st)->bind(1, r.seq).bind(2, r.state).bind(3, r.attempts).bind(4, r.next_attempt_at_ms);
  (*st)->bind(5, r.last_error).bind(6, r.last_status).bind(7, r.delivered_at_ms);
  if (Status s = (*st)->run(); !s) return s;
  if ((*db)->changes() == 0) {
    return Error::not_found("no notification " + std::to_string(r.seq));
  }
  return {};
}

Result<std::vector<NotificationRecord>> SqliteStateStore::notify_list(size_t limit) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("SELECT ") + kColumns +
                           " FROM notifications ORDER BY seq DESC LIMIT ?1");
  if (!st) return st.error();
  (*st)->bind(1, static_cast<int64_t>(limit));
  return collect_rows<NotificationRecord>(**st, read_row);
}

Result<NotificationCounts> SqliteStateStore::notify_counts() {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("SELECT state, COUNT(*) FROM notifications GROUP BY state");
  if (!st) return st.error();
  NotificationCounts counts;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return counts;
    const std::string state = (*st)->text(0);
    const int64_t n = (*st)->int64(1);
    if (state == "pending") counts.pending = n;
    if (state == "delivered") counts.delivered = n;
    if (state == "failed") counts.failed = n;
  }
}

}  // namespace chost::store
