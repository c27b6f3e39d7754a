// FakeAdminBackend (see fake_admin_backend.hpp).
#include "fake_admin_backend.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace chost::admin::testing {

FakeAdminBackend::FakeAdminBackend() {
  ConnectorView sf;
  sf.name = "sf";
  sf.plugin = "salesforce";
  sf.kind = "connection";
  sf.state = "connected";
  sf.status_line = "connected as admin@example.com";
  sf.last_sync_at_ms = 1700000000000;
  sf.identity_json = R"({"user_id":"005xx","username":"admin@example.com","org":"00Dxx"})";
  sf.subject_count = 2;
  ConnectorView mirror;
  mirror.name = "mirror";
  mirror.plugin = "rg-sync";
  mirror.kind = "connector";
  mirror.state = "suspended";
  mirror.status_line = "waiting for sf";
  mirror.last_error = "connection sf is disconnected";
  mirror.last_error_class = "auth_revoked";
  mirror.uses = "sf";
  mirror.next_run_at_ms = 1700000060000;
  connectors_ = {mirror, sf};  // sorted by name
  checkpoints_ = {{"delta/ada@example.com/inbox", "https://graph.example/delta?token=1"},
                  {"delta/bob@example.com/inbox", "https://graph.example/delta?token=2"},
                  {"poll/ada@example.com", "1700000000000"}};
  subjects_ = {{"sf", "u1", "Ada", "active", "", 1700000000001, "", false},
               {"sf", "u2", "Bob", "disabled", "token revoked", 1700000000002, "", false}};
  outbox_ = {
      {7, "Account", "001A", "INVALID_FIELD: No such column 'Foo__c'", 2, 1700000000000,
       1700000001000},
      {9, "Contact", "003B", "REQUIRED_FIELD_MISSING: LastName", 1, 1700000000500, 1700000001500},
      {11, "Account", "001C", "", 0, 1700000002000, std::nullopt}};
}

std::optional<Error> FakeAdminBackend::enter(const std::string& op, const std::string& arg) {
  std::lock_guard lock(mu_);
  calls_.push_back(op + ":" + arg);
  if (std::find(throwing_.begin(), throwing_.end(), op) != throwing_.end()) {
    throw std::runtime_error("fake failure in " + op);
  }
  auto it = failures_.find(op);
  if (it != failures_.end()) return it->second;
  return std::nullopt;
}

ConnectorView* FakeAdminBackend::find(const std::string& name) {
  for (auto& c : connectors_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<ConnectorView> FakeAdminBackend::connectors() {
  enter("connectors", "");
  std::lock_guard lock(mu_);
  return connectors_;
}

std::optional<ConnectorView> FakeAdminBackend::connector(const std::string& name) {
  enter("connector", name);
  std::lock_guard lock(mu_);
  if (auto* c = find(name)) return *c;
  return std::nullopt;
}

Result<std::vector<SubjectView>> FakeAdminBackend::subjects(const std::string& connector) {
  if (auto e = enter("subjects", connector)) return *e;
  std::lock_guard lock(mu_);
  if (!find(connector)) return Error::not_found("no connector named '" + connector + "'");
  std::vector<SubjectView> out;
  for (const auto& s : subjects_) {
    if (s.connector == connector) out.push_back(s);
  }
  return out;
}

Result<std::vector<CheckpointView>> FakeAdminBackend::checkpoints(const std::string& connector,
                                                                  const std::string& after_key,
                                                                  size_t limit) {
  if (auto e = enter("checkpoints", connector + "," + after_key + "," + std::to_string(limit))) {
    return *e;
  }
  std::lock_guard lock(mu_);
  if (!find(connector)) return Error::not_found("no connector named '" + connector + "'");
  std::vector<CheckpointView> out;
  if (connector != "mirror") return out;
  for (auto it = checkpoints_.upper_bound(after_key); it != checkpoints_.end(); ++it) {
    if (out.size() == limit) break;
    out.push_back({it->first, it->second});
  }
  return out;
}

Result<size_t> FakeAdminBackend::reset_checkpoints(const std::string& connector,
                                                   const std::vector<std::string>& keys) {
  std::string arg = connector;
  for (const auto& k : keys) arg += "," + k;
  if (auto e = enter("reset-checkpoints", arg)) return *e;
  std::lock_guard lock(mu_);
  ConnectorView* c = find(connector);
  if (!c) return Error::not_found("no connector named '" + connector + "'");
  if (c->state != "disabled") return Error::conflict("disable it first");
  if (keys.empty()) {
    const size_t n = checkpoints_.size();
    checkpoints_.clear();
    return n;
  }
  size_t n = 0;
  for (const auto& k : keys) n += checkpoints_.erase(k);
  return n;
}

void FakeAdminBackend::set_subjects(std::vector<SubjectView> subjects) {
  std::lock_guard lock(mu_);
  subjects_ = std::move(subjects);
}

Result<std::vector<TransitionView>> FakeAdminBackend::history(const std::string& name,
                                                              size_t limit) {
  if (auto e = enter("history", name + "," + std::to_string(limit))) return *e;
  std::lock_guard lock(mu_);
  if (!find(name)) return Error::not_found("no connection named '" + name + "'");
  std::vector<TransitionView> all = {{"refreshing", "connected", "refreshed", 30},
                                     {"connected", "refreshing", "expiring", 20},
                                     {"", "connected", "authorized", 10}};
  if (all.size() > limit) all.resize(limit);
  return all;
}

Result<std::string> FakeAdminBackend::authorize_start(const std::string& name,
                                                      const std::string& redirect_uri) {
  if (auto e = enter("authorize", name)) return *e;
  std::lock_guard lock(mu_);
  if (!find(name)) return Error::not_found("no connection named '" + name + "'");
  last_redirect_uri_ = redirect_uri;
  return authorize_result_;
}

Result<std::string> FakeAdminBackend::authorize_callback(const std::string& state,
                                                         const std::string& code,
                                                         const std::string& error) {
  // The code is a secret: it is not recorded in calls().
  if (auto e = enter("callback", state + "," + error)) return *e;
  if (state != kGoodState) return Error::not_found("unknown or expired OAuth state");
  if (!error.empty()) return Error::auth_revoked("the provider answered " + error);
  if (code.empty()) return Error::config("no code");
  return std::string("sf");
}

Status FakeAdminBackend::refresh(const std::string& name) {
  if (auto e = enter("refresh", name)) return *e;
  std::lock_guard lock(mu_);
  if (!find(name)) return Error::not_found("no connection named '" + name + "'");
  return {};
}

Status FakeAdminBackend::disable(const std::string& name) {
  if (auto e = enter("disable", name)) return *e;
  std::lock_guard lock(mu_);
  auto* c = find(name);
  if (!c) return Error::not_found("no connector named '" + name + "'");
  c->state = "disabled";
  return {};
}

Status FakeAdminBackend::enable(const std::string& name) {
  if (auto e = enter("enable", name)) return *e;
  std::lock_guard lock(mu_);
  auto* c = find(name);
  if (!c) return Error::not_found("no connector named '" + name + "'");
  c->state = c->kind == "connection" ? "connected" : "idle";
  return {};
}

Status FakeAdminBackend::set_subject_enabled(const std::string& connector,
                                             const std::string& subject, bool enabled) {
  if (auto e = enter(enabled ? "user-enable" : "user-disable", connector + "/" + subject)) {
    return *e;
  }
  std::lock_guard lock(mu_);
  for (SubjectView& s : subjects_) {
    if (s.connector == connector && s.subject_id == subject) {
      s.admin_disabled = !enabled;
      s.status = enabled ? "Enabled" : "Disabled";
      return {};
    }
  }
  return Error::not_found("connector '" + connector + "' has no user '" + subject + "'");
}

Status FakeAdminBackend::sync_subject(const std::string& connector, const std::string& subject) {
  if (auto e = enter("user-sync", connector + "/" + subject)) return *e;
  std::lock_guard lock(mu_);
  for (const SubjectView& s : subjects_) {
    if (s.connector == connector && s.subject_id == subject) return {};
  }
  return Error::not_found("connector '" + connector + "' has no user '" + subject + "'");
}

Status FakeAdminBackend::sync_now(const std::string& name) {
  if (auto e = enter("sync", name)) return *e;
  std::unique_lock lock(mu_);
  if (!find(name)) return Error::not_found("no connector named '" + name + "'");
  if (hold_sync_) {
    ++syncs_held_;
    cv_.notify_all();
    // Bounded so that a broken test cannot hang the suite.
    cv_.wait_for(lock, std::chrono::seconds(20), [this] { return !hold_sync_; });
    --syncs_held_;
  }
  return {};
}

Result<std::vector<OutboxEntryView>> FakeAdminBackend::outbox(const std::string& connector,
                                                              bool failed, size_t limit) {
  if (auto e = enter("outbox", connector + "," + (failed ? "failed" : "pending") + "," +
                                   std::to_string(limit))) {
    return *e;
  }
  std::lock_guard lock(mu_);
  if (!find(connector)) return Error::not_found("no connector named '" + connector + "'");
  std::vector<OutboxEntryView> out;
  if (connector != "mirror") return out;
  for (const OutboxEntryView& entry : outbox_) {
    if (!entry.error.empty() == failed && out.size() < limit) out.push_back(entry);
  }
  return out;
}

Result<std::vector<int64_t>> FakeAdminBackend::outbox_retry(const std::string& connector,
                                                            const std::vector<int64_t>& ids) {
  std::string arg = connector;
  for (int64_t id : ids) arg += "," + std::to_string(id);
  if (auto e = enter("outbox-retry", arg)) return *e;
  std::lock_guard lock(mu_);
  if (!find(connector)) return Error::not_found("no connector named '" + connector + "'");
  for (int64_t id : ids) {
    auto it = std::find_if(outbox_.begin(), outbox_.end(), [&](const OutboxEntryView& entry) {
      return entry.id == id && !entry.error.empty();
    });
    if (it == outbox_.end())
      return Error::not_found("no failed outbox entry " + std::to_string(id));
  }
  std::vector<int64_t> retried;
  for (OutboxEntryView& entry : outbox_) {
    if (entry.error.empty()) continue;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), entry.id) == ids.end()) continue;
    entry.error.clear();
    entry.failed_at_ms.reset();
    retried.push_back(entry.id);
  }
  return retried;
}

Result<NotificationsView> FakeAdminBackend::notifications(size_t limit) {
  if (auto e = enter("notifications", std::to_string(limit))) return *e;
  NotificationsView v;
  NotificationView n;
  n.seq = 7;
  n.event_id = "evt_0123";
  n.webhook = "ops";
  n.event = "connection.disconnected";
  n.state = "pending";
  n.attempts = 2;
  n.last_error = "HTTP 503";
  n.last_status = 503;
  n.created_at_ms = 10;
  n.next_attempt_at_ms = 40;
  n.body_json = R"({"id":"evt_0123","event":"connection.disconnected","connection":"sf"})";
  v.items.push_back(n);
  v.pending = 1;
  v.delivered = 3;
  if (v.items.size() > limit) v.items.resize(limit);
  return v;
}

bool FakeAdminBackend::healthy(std::string* why_not) {
  std::lock_guard lock(mu_);
  if (!healthy_) *why_not = why_unhealthy_;
  return healthy_;
}

void FakeAdminBackend::set_healthy(bool healthy, std::string why_not) {
  std::lock_guard lock(mu_);
  healthy_ = healthy;
  why_unhealthy_ = std::move(why_not);
}

bool FakeAdminBackend::ready(std::string* why_not) {
  enter("ready", "");
  std::lock_guard lock(mu_);
  if (!ready_) *why_not = why_not_;
  return ready_;
}

std::string FakeAdminBackend::metrics_text() {
  enter("metrics", "");
  return "# TYPE chost_connectors gauge\nchost_connectors 2\n";
}

void FakeAdminBackend::fail(const std::string& op, Error error) {
  std::lock_guard lock(mu_);
  failures_.insert_or_assign(op, std::move(error));
}

void FakeAdminBackend::throw_on(const std::string& op) {
  std::lock_guard lock(mu_);
  throwing_.push_back(op);
}

void FakeAdminBackend::set_ready(bool ready, std::string why_not) {
  std::lock_guard lock(mu_);
  ready_ = ready;
  why_not_ = std::move(why_not);
}

void FakeAdminBackend::set_authorize_result(std::string json) {
  std::lock_guard lock(mu_);
  authorize_result_ = std::move(json);
}

void FakeAdminBackend::hold_sync() {
  std::lock_guard lock(mu_);
  hold_sync_ = true;
}

void FakeAdminBackend::release_sync() {
  std::lock_guard lock(mu_);
  hold_sync_ = false;
  cv_.notify_all();
}

bool FakeAdminBackend::wait_sync_entered(int count) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return syncs_held_ >= count; });
}

std::vector<std::string> FakeAdminBackend::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int FakeAdminBackend::call_count(const std::string& op) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(calls_.begin(), calls_.end(), [&](const std::string& c) {
    return c.rfind(op + ":", 0) == 0;
  }));
}

std::string FakeAdminBackend::last_redirect_uri() const {
  std::lock_guard lock(mu_);
  return last_redirect_uri_;
}

}  // namespace chost::admin::testing
