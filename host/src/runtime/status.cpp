// StatusBoard and the state names shown to admins.
#include "chost/runtime/status.hpp"

#include <algorithm>

namespace chost::runtime {

const char* subject_status_text(std::string_view state, bool admin_disabled) {
  if (admin_disabled) return "Disabled";
  if (state == "active") return "Enabled";
  if (state == "disabled") return "Disabled due to an error";
  if (state == "suspended") return "Waiting for the connection";
  return "Unknown";
}

const char* to_string(InstanceState state) {
  switch (state) {
    case InstanceState::kUnauthorized:
      return "unauthorized";
    case InstanceState::kConnected:
      return "connected";
    case InstanceState::kRefreshing:
      return "refreshing";
    case InstanceState::kDisconnected:
      return "disconnected";
    case InstanceState::kRunning:
      return "running";
    case InstanceState::kIdle:
      return "idle";
    case InstanceState::kSuspended:
      return "suspended";
    case InstanceState::kFailed:
      return "failed";
    case InstanceState::kDisabled:
      return "disabled";
  }
  return "unknown";
}

std::optional<InstanceState> instance_state_from_string(std::string_view name) {
  for (int i = static_cast<int>(InstanceState::kUnauthorized);
       i <= static_cast<int>(InstanceState::kDisabled); ++i) {
    auto s = static_cast<InstanceState>(i);
    if (name == to_string(s)) return s;
  }
  return std::nullopt;
}

InstanceStatus& StatusBoard::at(std::string_view name) {
  auto it = items_.find(name);
  if (it == items_.end()) {
    it = items_.emplace(std::string(name), InstanceStatus{}).first;
    it->second.name = std::string(name);
  }
  return it->second;
}

void StatusBoard::ensure(std::string_view name, InstanceKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = at(name);
  s.kind = kind;
  if (kind == InstanceKind::kConnection) s.state = InstanceState::kUnauthorized;
}

void StatusBoard::set_state(std::string_view name, InstanceState state) {
  std::lock_guard<std::mutex> lock(mu_);
  at(name).state = state;
}

void StatusBoard::set_sync_state(std::string_view name, InstanceState state) {
  std::lock_guard<std::mutex> lock(mu_);
  at(name).sync_state = state;
}

void StatusBoard::set_persist(PersistSink sink) {
  std::lock_guard<std::mutex> lock(mu_);
  persist_ = std::move(sink);
}

void StatusBoard::set_observer(Observer observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observer_ = std::move(observer);
}

void StatusBoard::persist(const InstanceStatus& s) const {
  if (persist_) persist_(s);
  if (observer_.changed) observer_.changed(s);
}

void StatusBoard::flush_locked(std::string_view name) {
  auto it = newly_disabled_.find(name);
  if (it == newly_disabled_.end()) return;
  std::vector<SubjectStatus> batch = std::move(it->second);
  newly_disabled_.erase(it);
  if (observer_.subjects_disabled && !batch.empty()) observer_.subjects_disabled(name, batch);
}

void StatusBoard::flush_disabled_subjects(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  flush_locked(name);
}

void StatusBoard::restore(InstanceStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = at(status.name);
  s.last_error = std::move(status.last_error);
  s.last_sync_at_ms = status.last_sync_at_ms;
  s.last_success_at_ms = status.last_success_at_ms;
  s.last_summary_json = std::move(status.last_summary_json);
  s.next_run_at_ms = status.next_run_at_ms;
  if (s.status_line.empty()) s.status_line = std::move(status.status_line);
}

void StatusBoard::set_error(std::string_view name, std::optional<Error> error) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = at(name);
  s.last_error = std::move(error);
  persist(s);
}

void StatusBoard::record_sync(std::string_view name, bool ok, int64_t at_ms,
                              std::string summary_json) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = at(name);
  s.last_sync_at_ms = at_ms;
  if (ok) {
    s.last_success_at_ms = at_ms;
    if (!summary_json.empty()) s.last_summary_json = std::move(summary_json);
  }
  persist(s);
  flush_locked(name);  // what the plugin reported during this sync is one transition
}

void StatusBoard::set_status_line(std::string_view name, std::string line) {
  std::lock_guard<std::mutex> lock(mu_);
  at(name).status_line = std::move(line);
}

void StatusBoard::set_last_sync(std::string_view name, int64_t at_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  at(name).last_sync_at_ms = at_ms;
}

void StatusBoard::set_next_run(std::string_view name, int64_t at_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = at(name);
  if (s.next_run_at_ms == at_ms) return;
  s.next_run_at_ms = at_ms;
  persist(s);
}

void StatusBoard::set_subject(std::string_view name, SubjectStatus subject) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& subjects = at(name).subjects;
  auto it = std::lower_bound(
      subjects.begin(), subjects.end(), subject.subject_id,
      [](const SubjectStatus& s, const std::string& id) { return s.subject_id < id; });
  const bool was_disabled =
      it != subjects.end() && it->subject_id == subject.subject_id && it->state == "disabled";
  if (subject.state == "disabled" && !was_disabled) {
    auto& pending = newly_disabled_[std::string(name)];
    std::erase_if(pending,
                  [&](const SubjectStatus& p) { return p.subject_id == subject.subject_id; });
    pending.push_back(subject);
  }
  if (it != subjects.end() && it->subject_id == subject.subject_id) {
    subject.admin_disabled = it->admin_disabled;
    *it = std::move(subject);
  } else {
    subjects.insert(it, std::move(subject));
  }
}

void StatusBoard::remove_subject(std::string_view name, std::string_view subject_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(at(name).subjects,
                [&](const SubjectStatus& s) { return s.subject_id == subject_id; });
  if (auto it = newly_disabled_.find(std::string(name)); it != newly_disabled_.end()) {
    std::erase_if(it->second, [&](const SubjectStatus& s) { return s.subject_id == subject_id; });
  }
}

bool StatusBoard::set_subject_admin_disabled(std::string_view name, std::string_view subject_id,
                                             bool disabled) {
  std::lock_guard<std::mutex> lock(mu_);
  for (SubjectStatus& s : at(name).subjects) {
    if (s.subject_id == subject_id) {
      s.admin_disabled = disabled;
      return true;
    }
  }
  return false;
}

std::vector<std::string> StatusBoard::admin_disabled_subjects(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  auto it = items_.find(name);
  if (it == items_.end()) return out;
  for (const SubjectStatus& s : it->second.subjects) {
    if (s.admin_disabled) out.push_back(s.subject_id);
  }
  return out;
}

std::optional<InstanceStatus> StatusBoard::get(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(name);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

std::vector<InstanceStatus> StatusBoard::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<InstanceStatus> out;
  out.reserve(items_.size());
  for (const auto& [name, s] : items_) out.push_back(s);
  return out;
}

}  // namespace chost::runtime
