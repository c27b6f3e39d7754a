// FakeAdminBackend: an in-memory AdminBackend for the admin server and client tests. Records
// every call, can fail a named operation with a given Error, and can hold sync_now() until the
// test releases it (for graceful-stop and concurrency tests).
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chost/admin/admin_backend.hpp"

namespace chost::admin::testing {

class FakeAdminBackend : public AdminBackend {
 public:
  static constexpr const char* kGoodState = "state-123";

  // Two connectors: "sf" (connection, 2 users) and "mirror" (uses sf; outbox entries 7 and 9
  // failed, 11 pending).
  FakeAdminBackend();

  // AdminBackend
  std::vector<ConnectorView> connectors() override;
  std::optional<ConnectorView> connector(const std::string& name) override;
  Result<std::vector<SubjectView>> subjects(const std::string& connector) override;
  Result<std::vector<TransitionView>> history(const std::string& name, size_t limit) override;
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
  Result<std::vector<CheckpointView>> checkpoints(const std::string& connector,
                                                  const std::string& after_key,
                                                  size_t limit) override;
  Result<size_t> reset_checkpoints(const std::string& connector,
                                   const std::vector<std::string>& keys) override;
  Result<std::vector<OutboxEntryView>> outbox(const std::string& connector, bool failed,
                                              size_t limit) override;
  Result<std::vector<int64_t>> outbox_retry(const std::string& connector,
                                            const std::vector<int64_t>& ids) override;
  Result<NotificationsView> notifications(size_t limit) override;
  bool healthy(std::string* why_not) override;
  bool ready(std::string* why_not) override;
  std::string metrics_text() override;

  // Test controls.
  void fail(const std::string& op, Error error);  // every later call of `op` fails
  void throw_on(const std::string& op);           // every later call of `op` throws
  void set_ready(bool ready, std::string why_not);
  void set_healthy(bool healthy, std::string why_not);
  void set_authorize_result(std::string json);
  void set_subjects(std::vector<SubjectView> subjects);  // replaces every connector's users
  void hold_sync();                                      // sync_now() blocks until release_sync()
  void release_sync();
  bool wait_sync_entered(int count);       // bounded wait until `count` syncs are held
  std::vector<std::string> calls() const;  // "op:arg", in order
  int call_count(const std::string& op) const;
  std::string last_redirect_uri() const;

 private:
  std::optional<Error> enter(const std::string& op, const std::string& arg);  // mu_ not held
  ConnectorView* find(const std::string& name);                               // mu_ held

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ConnectorView> connectors_;
  std::vector<SubjectView> subjects_;
  std::map<std::string, std::string> checkpoints_;  // of "mirror"
  std::vector<OutboxEntryView> outbox_;             // all of "mirror"; failed ones have an error
  std::map<std::string, Error> failures_;
  std::vector<std::string> throwing_;
  std::vector<std::string> calls_;
  bool ready_ = true;
  bool healthy_ = true;
  std::string why_unhealthy_;
  std::string why_not_;
  std::string authorize_result_ = R"({"authorize_url":"https://login.example.com/authorize?x=1"})";
  std::string last_redirect_uri_;
  bool hold_sync_ = false;
  int syncs_held_ = 0;
};

}  // namespace chost::admin::testing
