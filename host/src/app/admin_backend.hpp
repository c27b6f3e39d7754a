// HostAdminBackend: the admin API's AdminBackend implemented over the Host (status, connection
// history from the store, authorize flows with their pending OAuth states, actions).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "chost/admin/admin_backend.hpp"

namespace chost::app {

class Host;

class HostAdminBackend final : public admin::AdminBackend {
 public:
  explicit HostAdminBackend(Host& host) : host_(host), started_(std::chrono::steady_clock::now()) {}

  std::vector<admin::ConnectorView> connectors() override;
  std::optional<admin::ConnectorView> connector(const std::string& name) override;
  Result<std::vector<admin::SubjectView>> subjects(const std::string& connector) override;
  Result<std::vector<admin::TransitionView>> history(const std::string& name,
                                                     size_t limit) override;
  Result<std::string> authorize_start(const std::string& name,
                                      const std::string& redirect_uri) override;
  Result<std::string> authorize_callback(const std::string& state, const std::string& code,
                                         const std::string& error) override;
  Status refresh(const std::string& name) override;
  Status disable(const std::string& name) override;
  Status enable(const std::string& name) override;
  Status sync_now(const std::string& name) override;
  Status set_subject_enabled(const std::string& connector, const std::string& subject,
                             bool enabled) override;
  Status sync_subject(const std::string& connector, const std::string& subject) override;
  Result<std::vector<admin::CheckpointView>> checkpoints(const std::string& connector,
                                                         const std::string& after_key,
                                                         size_t limit) override;
  Result<size_t> reset_checkpoints(const std::string& connector,
                                   const std::vector<std::string>& keys) override;
  Result<std::vector<admin::OutboxEntryView>> outbox(const std::string& connector, bool failed,
                                                     size_t limit) override;
  Result<std::vector<int64_t>> outbox_retry(const std::string& connector,
                                            const std::vector<int64_t>& ids) override;
  std::vector<admin::OrphanView> orphans() override;
  Result<admin::NotificationsView> notifications(size_t limit) override;
  bool healthy(std::string* why_not) override;
  bool ready(std::string* why_not) override;
  std::string metrics_text() override;

 private:
  struct Pending {
    std::string name;
    std::string redirect_uri;
    std::chrono::steady_clock::time_point expires;
  };
  Host& host_;
  std::chrono::steady_clock::time_point started_;
  std::mutex mu_;
  std::map<std::string, Pending> pending_;  // OAuth state -> flow; bounded by expiry
};

}  // namespace chost::app
