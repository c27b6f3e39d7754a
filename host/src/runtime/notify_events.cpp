// Notifier, the event side: which runtime transitions are events, their bodies, and the durable
// enqueue (one row per subscribed webhook in one transaction).
#include <sodium.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "chost/runtime/notifier.hpp"
#include "chost/runtime/sync_summary.hpp"

namespace chost::runtime {

namespace json = boost::json;

namespace {

constexpr std::pair<NotifyEvent, const char*> kEventNames[] = {
    {NotifyEvent::kConnectionDisconnected, "connection.disconnected"},
    {NotifyEvent::kConnectionRecovered, "connection.recovered"},
    {NotifyEvent::kConnectorFailed, "connector.failed"},
    {NotifyEvent::kConnectorRecovered, "connector.recovered"},
    {NotifyEvent::kSubjectsDisabled, "subjects.disabled"},
    {NotifyEvent::kQuotaPaused, "quota.paused"},
};

std::string new_event_id() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return std::string("evt_") + hex;
}

// RFC 3339 UTC with milliseconds, e.g. 2026-12-02T17:10:00.123Z.
std::string rfc3339_ms(int64_t at_ms) {
  const std::time_t secs = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(at_ms % 1000));
  return out;
}

bool subscribed(const WebhookTarget& w, NotifyEvent e) {
  if (w.events.empty()) return true;
  for (NotifyEvent x : w.events) {
    if (x == e) return true;
  }
  return false;
}

}  // namespace

const char* to_string(NotifyEvent event) {
  for (const auto& [e, name] : kEventNames) {
    if (e == event) return name;
  }
  return "unknown";
}

std::optional<NotifyEvent> notify_event_from_string(std::string_view name) {
  for (const auto& [e, n] : kEventNames) {
    if (name == n) return e;
  }
  return std::nullopt;
}

const std::vector<NotifyEvent>& all_notify_events() {
  static const std::vector<NotifyEvent> all = [] {
    std::vector<NotifyEvent> v;
    for (const auto& [e, n] : kEventNames) v.push_back(e);
    return v;
  }();
  return all;
}

Status Notifier::emit(NotifyEvent event, json::object fields) {
  std::vector<store::NotificationRecord> rows;
  const int64_t now = sv_.clock->now_ms();
  // The connector or connection the event concerns, for the log line's `connector` field.
  std::string concerns;
  for (const char* key : {"connector", "connection"}) {
    if (const json::value* v = fields.if_contains(key); v && v->is_string() && concerns.empty()) {
      concerns = std::string(v->as_string());
    }
  }
  json::object body;
  body["id"] = new_event_id();
  body["event"] = to_string(event);
  body["occurred_at"] = rfc3339_ms(now);
  body["occurred_at_ms"] = now;
  for (auto& kv : fields) body[kv.key()] = std::move(kv.value());
  const std::string text = json::serialize(body);
  for (const WebhookTarget& w : options_.webhooks) {
    if (!subscribed(w, event)) continue;
    store::NotificationRecord r;
    r.event_id = std::string(body["id"].as_string());
    r.webhook = w.name;
    r.event = to_string(event);
    r.body = text;
    r.state = "pending";
    r.next_attempt_at_ms = now;
    r.created_at_ms = now;
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return {};
  if (Status s = sv_.store->notify_enqueue(rows); !s) {
    sv_.log->log(
        LogLevel::kError, concerns,
        std::string("notify: could not queue ") + to_string(event) + ": " + s.error().message);
    return s;
  }
  sv_.log->log(LogLevel::kInfo, concerns,
               std::string("notify: queued ") + to_string(event) + " " + rows.front().event_id +
                   " for " + std::to_string(rows.size()) + " webhook(s)");
  wake();
  return {};
}

void Notifier::connection_seen(const std::string& name, ConnectionState state) {
  std::lock_guard<std::mutex> lock(state_mu_);
  connections_.try_emplace(name, state);
}

void Notifier::connection_changed(const std::string& name, ConnectionState state,
                                  const std::string& reason) {
  // Refreshing is a step inside connected (or out of disconnected), never an event: only the
  // states either side of it count.
  if (state == ConnectionState::kRefreshing) return;
  std::optional<NotifyEvent> event;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    auto [it, inserted] = connections_.try_emplace(name, ConnectionState::kUnauthorized);
    const ConnectionState before = it->second;
    it->second = state;
    if (state == ConnectionState::kDisconnected && before != ConnectionState::kDisconnected) {
      event = NotifyEvent::kConnectionDisconnected;
    } else if (state == ConnectionState::kConnected && before == ConnectionState::kDisconnected) {
      event = NotifyEvent::kConnectionRecovered;
    }
  }
  if (!event) return;
  (void)emit(*event, json::object{{"connection", name},
                                  {"state", runtime::to_string(state)},
                                  {"reason", sv_.redactor->redact(reason)}});
}

void Notifier::instance_seen(const InstanceStatus& status) {
  if (!read_sync_summary(status.last_summary_json).paused_by_quota) return;
  std::lock_guard<std::mutex> lock(state_mu_);
  quota_paused_connectors_.insert(status.name);
}

void Notifier::instance_changed(const InstanceStatus& status) {
  quota_changed(status);
  const InstanceState st = status.kind == InstanceKind::kConnection
                               ? status.sync_state.value_or(InstanceState::kIdle)
                               : status.state;
  const bool failed = st == InstanceState::kFailed && status.last_error.has_value();
  std::optional<NotifyEvent> event;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    const bool was_failed = failed_connectors_.count(status.name) > 0;
    if (failed && !was_failed) {
      failed_connectors_.insert(status.name);
      event = NotifyEvent::kConnectorFailed;
    } else if (was_failed && !status.last_error && st != InstanceState::kFailed) {
      // The error is cleared only by a sync that succeeded.
      failed_connectors_.erase(status.name);
      event = NotifyEvent::kConnectorRecovered;
    }
  }
  if (!event) return;
  json::object fields{{"connector", status.name}};
  if (*event == NotifyEvent::kConnectorFailed) {
    fields["error_class"] = chost::to_string(status.last_error->cls);
    fields["error"] = sv_.redactor->redact(status.last_error->message);
  }
  (void)emit(*event, std::move(fields));
}

// The last successful run's summary says whether the connector is paused by quota; only the
// change from not paused to paused is an event (the board reports every change of the status,
// many per run).
void Notifier::quota_changed(const InstanceStatus& status) {
  if (status.last_summary_json.empty()) return;
  const SyncSummaryFigures f = read_sync_summary(status.last_summary_json);
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (!f.paused_by_quota) {
      quota_paused_connectors_.erase(status.name);
      return;
    }
    if (!quota_paused_connectors_.insert(status.name).second) return;
  }
  json::object fields{{"connector", status.name},
                      {"reason", "api_quota"},
                      {"message", sv_.redactor->redact(f.pause_message)}};
  if (f.quota_used) fields["quota_used"] = *f.quota_used;
  if (f.quota_limit) fields["quota_limit"] = *f.quota_limit;
  (void)emit(NotifyEvent::kQuotaPaused, std::move(fields));
}

void Notifier::subjects_disabled(std::string_view connector,
                                 const std::vector<SubjectStatus>& subjects) {
  if (subjects.empty()) return;
  json::array items;
  for (const SubjectStatus& s : subjects) {
    items.push_back(json::object{{"id", s.subject_id},
                                 {"name", s.display_name},
                                 {"detail", sv_.redactor->redact(s.detail)}});
  }
  (void)emit(NotifyEvent::kSubjectsDisabled,
             json::object{{"connector", connector},
                          {"count", static_cast<int64_t>(subjects.size())},
                          {"subjects", std::move(items)}});
}

}  // namespace chost::runtime
