// Notifier: host.notify's webhooks. Turns runtime transitions into events (a connection
// disconnected or recovered, a connector failed or recovered, subjects disabled due to an
// error), queues each event durably in the state store (one row per subscribed webhook, all
// with the event's id) and delivers the queue at least once from its own thread: POST through
// the host's HTTP client (RuntimeServices::http), signed (webhook_signature.hpp), retried with
// exponential backoff and jitter until a 2xx or max_attempts. Rows left undelivered when the
// host stops are delivered after the next start.
//
// Request: POST <url>, Content-Type: application/json, Idempotency-Key: <event id>,
// X-Chost-Event: <event name>, X-Chost-Signature: t=..,v1=.. . Body (one JSON object):
//   {"id":"evt_..","event":"connection.disconnected","occurred_at":"2026-12-02T17:10:00.000Z",
//    "occurred_at_ms":..,"connection":"crm","state":"disconnected","reason":"..."}
// connector.* events carry "connector", "error_class" and "error" (failed); subjects.disabled
// carries "connector", "count" and "subjects":[{"id","name","detail"}] for every subject that
// became disabled in one transition (one connection outage or one sync run): one call, not one
// per user. quota.paused carries "connector", "reason" ("api_quota"), "message" and, when the
// summary has them, "quota_used" and "quota_limit".
//
// Thread-safety: every method may be called from any thread. The *_changed hooks run under the
// caller's locks (the status board's, a connection listener's): they only write to the store
// and never call back into the runtime.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "chost/common/metrics.hpp"
#include "chost/common/result.hpp"
#include "chost/runtime/backoff.hpp"
#include "chost/runtime/connection.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"

namespace chost::runtime {

enum class NotifyEvent {
  kConnectionDisconnected = 1,
  kConnectionRecovered,
  kConnectorFailed,
  kConnectorRecovered,
  kSubjectsDisabled,
  // A sync ended paused by the provider's API quota (its summary's "paused", sync_summary.hpp):
  // once per pause, until a run ends without one.
  kQuotaPaused,
};

const char* to_string(NotifyEvent event);  // "connection.disconnected", ...
std::optional<NotifyEvent> notify_event_from_string(std::string_view name);
const std::vector<NotifyEvent>& all_notify_events();

struct WebhookTarget {
  std::string name;
  std::string url;
  std::string secret;               // HMAC key; never logged or stored
  std::vector<NotifyEvent> events;  // empty: every event
};

struct NotifierOptions {
  std::vector<WebhookTarget> webhooks;
  int64_t max_attempts = 12;
  BackoffPolicy backoff{10'000, 60 * 60 * 1000, 0.5};
  uint32_t request_timeout_ms = 10'000;
  int64_t idle_poll_ms = 5'000;  // longest sleep of the delivery thread without a wake-up
  // chost_notification_deliveries_total{webhook,result}; optional, must outlive the notifier.
  metrics::Registry* metrics = nullptr;
};

class Notifier {
 public:
  // `services` (store, http, log, clock, random, redactor) must outlive the notifier.
  Notifier(NotifierOptions options, RuntimeServices services);
  ~Notifier();  // stop()
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool active() const { return !options_.webhooks.empty(); }

  // The delivery thread. stop() waits for a delivery in flight (bounded by the request timeout);
  // what is still pending stays queued for the next start.
  void start();
  void stop();

  // Event sources. connection_seen() records a connection's state without an event (the state
  // it was restored in at start: a host restarted while disconnected still reports recovered).
  void connection_seen(const std::string& name, ConnectionState state);
  void connection_changed(const std::string& name, ConnectionState state,
                          const std::string& reason);
  void instance_changed(const InstanceStatus& status);
  // Records an instance's restored status without an event (a host restarted while a
  // connector's last run was paused by quota does not announce that pause again).
  void instance_seen(const InstanceStatus& status);
  void subjects_disabled(std::string_view connector, const std::vector<SubjectStatus>& subjects);

  // Queues one event (`fields` go into the body beside id, event and occurred_at) for every
  // subscribed webhook, durably. Wakes the delivery thread. OK without a subscriber.
  Status emit(NotifyEvent event, boost::json::object fields);

  // Attempts every row due now, once; returns how many were attempted. The thread calls it;
  // tests call it directly with a fake clock.
  size_t deliver_due();

 private:
  void run();
  void wake();
  void quota_changed(const InstanceStatus& status);
  const WebhookTarget* target(std::string_view name) const;

  NotifierOptions options_;
  RuntimeServices sv_;

  std::mutex state_mu_;  // the last-known states below
  std::map<std::string, ConnectionState, std::less<>> connections_;
  std::set<std::string, std::less<>> failed_connectors_;
  std::set<std::string, std::less<>> quota_paused_connectors_;

  struct Thread;
  std::unique_ptr<Thread> thread_;
};

}  // namespace chost::runtime
