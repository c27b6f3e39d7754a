// HostAdminBackend over the Host.
#include "admin_backend.hpp"

#include <connector_host/plugin_api.h>

#include <boost/json.hpp>
#include <map>

#include "chost/app/host.hpp"
#include "chost/runtime/sync_summary.hpp"
#include "chost/store/state_store.hpp"

namespace chost::app {

namespace {

namespace json = boost::json;

// Pending browser flows older than this are dropped (the user gave up).
constexpr auto kFlowLifetime = std::chrono::minutes(15);

admin::ConnectorView view_of(const ConnectorStatus& s) {
  admin::ConnectorView v;
  v.name = s.name;
  v.plugin = s.plugin;
  v.kind = s.kind;
  v.state = s.state;
  v.status_line = s.status_line;
  v.last_error_class = s.last_error_class;
  v.last_error = s.last_error;
  v.uses = s.uses;
  if (s.last_sync_at_ms > 0) v.last_sync_at_ms = s.last_sync_at_ms;
  if (s.last_success_at_ms > 0) v.last_success_at_ms = s.last_success_at_ms;
  if (s.next_run_at_ms > 0) v.next_run_at_ms = s.next_run_at_ms;
  if (s.schedule_every_ms > 0) v.schedule_every_ms = s.schedule_every_ms;
  v.last_summary_json = s.last_summary_json;
  v.identity_json = s.identity_json;
  v.subject_count = static_cast<int>(s.subjects.size());
  return v;
}

}  // namespace

std::vector<admin::ConnectorView> HostAdminBackend::connectors() {
  std::vector<admin::ConnectorView> out;
  for (const ConnectorStatus& s : host_.status()) out.push_back(view_of(s));
  return out;
}

std::optional<admin::ConnectorView> HostAdminBackend::connector(const std::string& name) {
  for (const ConnectorStatus& s : host_.status()) {
    if (s.name == name) return view_of(s);
  }
  return std::nullopt;
}

Result<std::vector<admin::SubjectView>> HostAdminBackend::subjects(const std::string& connector) {
  for (const ConnectorStatus& s : host_.status()) {
    if (s.name != connector) continue;
    std::vector<admin::SubjectView> out;
    for (const auto& u : s.subjects) {
      out.push_back(admin::SubjectView{
          connector, u.subject_id, u.display_name, u.state, u.detail, u.updated_at_ms,
          runtime::subject_status_text(u.state, u.admin_disabled), u.admin_disabled});
    }
    return out;
  }
  return Error::not_found("no connector named '" + connector + "'");
}

Result<std::vector<admin::TransitionView>> HostAdminBackend::history(const std::string& name,
                                                                     size_t limit) {
  if (!connector(name)) return Error::not_found("no connector named '" + name + "'");
  auto h = host_.store().list_history(name, limit);
  if (!h) return h.error();
  std::vector<admin::TransitionView> out;
  for (const auto& e : *h) out.push_back({e.from_state, e.to_state, e.reason, e.at_ms});
  return out;
}

Result<std::string> HostAdminBackend::authorize_start(const std::string& name,
                                                      const std::string& redirect_uri) {
  json::object in{{"step", "start"}, {"redirect_uri", redirect_uri}};
  auto out = host_.authorize(name, json::serialize(in));
  if (!out) return out.error();
  boost::system::error_code ec;
  json::value v = json::parse(*out, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* url = o ? o->if_contains("authorize_url") : nullptr;
  if (url == nullptr || !url->is_string()) return std::string(R"({"state":"connected"})");
  const json::value* state = o->if_contains("state");
  if (state == nullptr || !state->is_string() || state->as_string().empty()) {
    return Error::permanent("plugin returned an authorize_url without a state");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(pending_, [&](const auto& kv) { return kv.second.expires < now; });
    pending_[std::string(state->as_string())] = Pending{name, redirect_uri, now + kFlowLifetime};
  }
  return json::serialize(json::object{{"authorize_url", *url}});
}

Result<std::string> HostAdminBackend::authorize_callback(const std::string& state,
                                                         const std::string& code,
                                                         const std::string& error) {
  Pending flow;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(state);
    if (it == pending_.end() || it->second.expires < std::chrono::steady_clock::now()) {
      return Error::not_found("unknown or expired authorization state");
    }
    flow = it->second;
    pending_.erase(it);  // one use
  }
  if (!error.empty()) {
    return Error::auth_revoked("authorization of '" + flow.name + "' was refused: " + error);
  }
  json::object in{
      {"step", "callback"}, {"code", code}, {"state", state}, {"redirect_uri", flow.redirect_uri}};
  auto out = host_.authorize(flow.name, json::serialize(in));
  if (!out) return out.error();
  return flow.name;
}

Status HostAdminBackend::refresh(const std::string& name) { return host_.refresh(name); }
Status HostAdminBackend::disable(const std::string& name) { return host_.disable(name); }
Status HostAdminBackend::enable(const std::string& name) { return host_.enable(name); }
Status HostAdminBackend::sync_now(const std::string& name) { return host_.sync_now(name); }

Status HostAdminBackend::set_subject_enabled(const std::string& connector,
                                             const std::string& subject, bool enabled) {
  return host_.set_subject_enabled(connector, subject, enabled);
}

Status HostAdminBackend::sync_subject(const std::string& connector, const std::string& subject) {
  HookResult r = host_.sync_subject(connector, subject);
  if (r.ok) return {};
  return Error{error_class_from_string(r.status), r.error};
}

Result<std::vector<admin::CheckpointView>> HostAdminBackend::checkpoints(
    const std::string& connector, const std::string& after_key, size_t limit) {
  if (!this->connector(connector)) {
    return Error::not_found("no connector named '" + connector + "'");
  }
  auto entries = host_.store().list_kv(connector, after_key, limit);
  if (!entries) return entries.error();
  std::vector<admin::CheckpointView> out;
  for (auto& e : *entries) out.push_back({std::move(e.key), std::move(e.value)});
  return out;
}

Result<size_t> HostAdminBackend::reset_checkpoints(const std::string& connector,
                                                   const std::vector<std::string>& keys) {
  auto view = this->connector(connector);
  if (!view) return Error::not_found("no connector named '" + connector + "'");
  // A disabled connector runs no sync that could write a checkpoint back meanwhile; an admin
  // enabling it during the reset is the admin's own race.
  if (view->state != "disabled") {
    return Error::conflict("checkpoints of '" + connector +
                           "' can be reset only while it is disabled; disable it first");
  }
  std::vector<std::string> doomed = keys;
  if (doomed.empty()) {
    std::string after;
    for (;;) {
      auto page = host_.store().list_kv(connector, after, 1000);
      if (!page) return page.error();
      if (page->empty()) break;
      for (const auto& e : *page) doomed.push_back(e.key);
      after = page->back().key;
    }
  }
  auto txn = host_.store().begin(connector);
  if (!txn) return txn.error();
  size_t deleted = 0;
  for (const std::string& key : doomed) {
    auto existing = (*txn)->get(key);
    if (!existing) return existing.error();
    if (!existing->has_value()) continue;
    if (Status st = (*txn)->del(key); !st) return st.error();
    ++deleted;
  }
  if (Status st = (*txn)->commit(); !st) return st.error();
  return deleted;
}

Result<std::vector<admin::OutboxEntryView>> HostAdminBackend::outbox(const std::string& connector,
                                                                     bool failed, size_t limit) {
  auto entries = host_.outbox(
      connector, failed ? Host::OutboxState::kFailed : Host::OutboxState::kPending, limit);
  if (!entries) return entries.error();
  std::vector<admin::OutboxEntryView> out;
  for (const store::OutboxEntry& e : *entries) {
    admin::OutboxEntryView v;
    v.id = e.entry_id;
    v.collection = e.collection;
    v.record_id = e.id;
    v.error = e.error;
    v.attempts = e.attempts;
    v.created_at_ms = e.created_at_ms;
    if (e.failed_at_ms > 0) v.failed_at_ms = e.failed_at_ms;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<admin::OrphanView> HostAdminBackend::orphans() {
  std::vector<admin::OrphanView> out;
  auto found = host_.orphans();
  if (!found) return out;  // a store error shows in /readyz and the connectors' own errors
  for (auto& o : *found) out.push_back(admin::OrphanView{std::move(o.name), std::move(o.holds)});
  return out;
}

Result<std::vector<int64_t>> HostAdminBackend::outbox_retry(const std::string& connector,
                                                            const std::vector<int64_t>& ids) {
  return host_.outbox_retry(connector, ids);
}

bool HostAdminBackend::healthy(std::string* why_not) {
  Status st = host_.health();
  if (!st) *why_not = st.error().message;
  return st.ok();
}

bool HostAdminBackend::ready(std::string* why_not) {
  // A damaged state first: it is why every connection and connector stopped.
  if (std::optional<std::string> damaged = host_.store().damaged()) {
    *why_not = *damaged;
    return false;
  }
  for (const ConnectorStatus& s : host_.status()) {
    if (s.kind == "connection" && s.state != "connected" && s.state != "refreshing" &&
        s.state != "disabled") {
      *why_not = "connection " + s.name + " is " + s.state;
      return false;
    }
  }
  return true;
}

namespace {

// Subject states as /metrics labels them (the admin's words, one token each).
const char* subject_metric_state(const runtime::SubjectStatus& s) {
  if (s.admin_disabled) return "disabled";
  if (s.state == "active") return "enabled";
  if (s.state == "suspended") return "waiting";
  return "disabled_error";
}

}  // namespace

// The scraped series are read at scrape time from the same status the API shows (one source of
// truth); event counters (sync runs, durations, deliveries, HTTP requests) are recorded as they
// happen. Labels carry connector, connection and webhook names only: never a subject (an end
// user's email) or a secret.
std::string HostAdminBackend::metrics_text() {
  metrics::Registry& reg = host_.metrics();
  store::StateStore& store = host_.store();
  (void)reg.describe_gauge("chost_build_info", "Version of this connector-host build; always 1.");
  (void)reg.gauge_set(
      "chost_build_info",
      {{"version", host_.version()},
       {"abi", std::to_string(CHP_ABI_MAJOR) + "." + std::to_string(CHP_ABI_MINOR)}},
      1);
  (void)reg.describe_gauge("chost_uptime_seconds", "Seconds since the admin API started.");
  (void)reg.gauge_set(
      "chost_uptime_seconds", {},
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  (void)reg.describe_gauge("chost_connector_up",
                           "1 when the connector is connected, idle or running, else 0.");
  (void)reg.describe_gauge("chost_connection_state",
                           "1 for the state the connection is in, 0 for the others.");
  (void)reg.describe_gauge("chost_connection_access_token_expiry_seconds",
                           "Seconds until the connection's access token expires (where known).");
  (void)reg.describe_gauge("chost_connector_last_success_timestamp_seconds",
                           "Unix time of the connector's last successful sync.");
  (void)reg.describe_gauge("chost_subjects", "Subjects (end users) by state.");
  (void)reg.describe_gauge("chost_api_quota_used",
                           "API calls of the provider's quota used, after the last successful "
                           "sync (Salesforce: Sforce-Limit-Info api-usage).");
  (void)reg.describe_gauge("chost_api_quota_limit",
                           "The provider's API quota, as of the last successful sync.");
  (void)reg.describe_gauge("chost_outbox_entries", "Write-back outbox entries by state.");
  (void)reg.describe_gauge("chost_notifications", "host.notify deliveries in the queue by state.");
  const double now_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const ConnectorStatus& s : host_.status()) {
    const bool up = s.state == "connected" || s.state == "idle" || s.state == "running" ||
                    s.state == "refreshing";
    (void)reg.gauge_set("chost_connector_up", {{"connector", s.name}}, up ? 1.0 : 0.0);
    if (s.last_success_at_ms > 0) {
      (void)reg.gauge_set("chost_connector_last_success_timestamp_seconds", {{"connector", s.name}},
                          static_cast<double>(s.last_success_at_ms) / 1000);
    }
    const runtime::SyncSummaryFigures figures = runtime::read_sync_summary(s.last_summary_json);
    if (figures.quota_used && figures.quota_limit) {
      (void)reg.gauge_set("chost_api_quota_used", {{"connector", s.name}},
                          static_cast<double>(*figures.quota_used));
      (void)reg.gauge_set("chost_api_quota_limit", {{"connector", s.name}},
                          static_cast<double>(*figures.quota_limit));
    }
    if (s.kind == "connection") {
      for (const char* state :
           {"unauthorized", "connected", "refreshing", "disconnected", "disabled"}) {
        (void)reg.gauge_set("chost_connection_state", {{"connection", s.name}, {"state", state}},
                            s.state == state ? 1.0 : 0.0);
      }
      if (auto row = store.get_connection(s.name);
          row && row->has_value() && (*row)->access_expires_at_ms > 0) {
        (void)reg.gauge_set("chost_connection_access_token_expiry_seconds",
                            {{"connection", s.name}},
                            static_cast<double>((*row)->access_expires_at_ms) / 1000 - now_s);
      }
    }
    if (!s.subjects.empty()) {
      std::map<std::string, int> by_state{
          {"enabled", 0}, {"disabled", 0}, {"disabled_error", 0}, {"waiting", 0}};
      for (const runtime::SubjectStatus& u : s.subjects) ++by_state[subject_metric_state(u)];
      for (const auto& [state, n] : by_state) {
        (void)reg.gauge_set("chost_subjects", {{"connector", s.name}, {"state", state}}, n);
      }
    }
    constexpr size_t kOutboxCountLimit = 100000;
    auto pending = store.outbox_pending(s.name, kOutboxCountLimit);
    auto failed = store.outbox_failed(s.name);
    if (pending && failed && (!pending->empty() || !failed->empty())) {
      (void)reg.gauge_set("chost_outbox_entries", {{"connector", s.name}, {"state", "pending"}},
                          static_cast<double>(pending->size()));
      (void)reg.gauge_set("chost_outbox_entries", {{"connector", s.name}, {"state", "failed"}},
                          static_cast<double>(failed->size()));
    }
  }
  if (auto counts = store.notify_counts(); counts) {
    (void)reg.gauge_set("chost_notifications", {{"state", "pending"}},
                        static_cast<double>(counts->pending));
    (void)reg.gauge_set("chost_notifications", {{"state", "delivered"}},
                        static_cast<double>(counts->delivered));
    (void)reg.gauge_set("chost_notifications", {{"state", "failed"}},
                        static_cast<double>(counts->failed));
  }
  return reg.render();
}

Result<admin::NotificationsView> HostAdminBackend::notifications(size_t limit) {
  store::StateStore& store = host_.store();
  auto rows = store.notify_list(limit);
  if (!rows) return rows.error();
  auto counts = store.notify_counts();
  if (!counts) return counts.error();
  admin::NotificationsView out;
  out.pending = counts->pending;
  out.delivered = counts->delivered;
  out.failed = counts->failed;
  for (const store::NotificationRecord& r : *rows) {
    admin::NotificationView v;
    v.seq = r.seq;
    v.event_id = r.event_id;
    v.webhook = r.webhook;
    v.event = r.event;
    v.state = r.state;
    v.attempts = r.attempts;
    v.last_error = r.last_error;
    v.last_status = r.last_status;
    v.created_at_ms = r.created_at_ms;
    if (r.state == "pending") v.next_attempt_at_ms = r.next_attempt_at_ms;
    if (r.delivered_at_ms > 0) v.delivered_at_ms = r.delivered_at_ms;
    v.body_json = r.body;
    out.items.push_back(std::move(v));
  }
  return out;
}

}  // namespace chost::app
