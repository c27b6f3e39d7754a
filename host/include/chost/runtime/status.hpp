// The status model shown by the admin API and CLI: per connector instance its state, last
// error, sync times, status line and per-subject (end user) states. StatusBoard is the
// thread-safe place where the connection manager, scheduler and host callbacks record it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::runtime {

enum class InstanceState {
  // Connection providers.
  kUnauthorized = 1,
  kConnected,
  kRefreshing,
  kDisconnected,  // refresh token rejected: an admin must re-authorize
  // Other connectors.
  kRunning,
  kIdle,
  kSuspended,  // the connection it uses is not connected
  kFailed,
  // Both.
  kDisabled,
};

const char* to_string(InstanceState state);
std::optional<InstanceState> instance_state_from_string(std::string_view name);

enum class InstanceKind { kConnection = 1, kConnector };

// What an admin reads for a subject: "Disabled" when an admin switched it off, else by the
// state the plugin reported: active "Enabled", disabled "Disabled due to an error" (the detail
// says which), suspended "Waiting for the connection".
const char* subject_status_text(std::string_view state, bool admin_disabled = false);

struct SubjectStatus {
  std::string subject_id;
  std::string display_name;
  std::string state;  // active, suspended, disabled
  std::string detail;
  int64_t updated_at_ms = 0;
  bool admin_disabled = false;  // an admin switched it off; kept across plugin reports
};

struct InstanceStatus {
  std::string name;
  InstanceKind kind = InstanceKind::kConnector;
  InstanceState state = InstanceState::kIdle;
  // For a connection provider that also syncs: the state of its sync runs.
  std::optional<InstanceState> sync_state;
  std::optional<Error> last_error;      // class + message, cleared by a success
  int64_t last_sync_at_ms = 0;          // 0: never
  int64_t last_success_at_ms = 0;       // 0: never
  std::string last_summary_json;        // the last successful sync's output; empty: none
  int64_t next_run_at_ms = 0;           // 0: not scheduled
  std::string status_line;              // last report_status of the plugin, or the host's reason
  std::vector<SubjectStatus> subjects;  // sorted by subject_id
};

// The thread-safe record of every instance's status. With a persist sink, every change that an
// admin must still see after a restart (error, sync outcome, next run) is handed to it, so the
// store holds the same as the board; restore() puts stored entries back at start.
//
// An observer (the notifier) hears the same durable changes, and once per transition the
// subjects that became "disabled" in it: the ones one mark_subjects_waiting() disabled, or the
// ones the plugin reported disabled during one sync (handed over by record_sync). Both run under
// the board's lock and must not call back into it.
class StatusBoard {
 public:
  using PersistSink = std::function<void(const InstanceStatus&)>;
  struct Observer {
    std::function<void(const InstanceStatus&)> changed;
    std::function<void(std::string_view name, const std::vector<SubjectStatus>&)> subjects_disabled;
  };
  void set_persist(PersistSink sink);    // before anything else uses the board
  void set_observer(Observer observer);  // before anything else uses the board
  // Hands the subjects that became disabled since the last flush to the observer, as one batch.
  void flush_disabled_subjects(std::string_view name);
  void restore(InstanceStatus status);
  void ensure(std::string_view name, InstanceKind kind);
  void set_state(std::string_view name, InstanceState state);
  void set_sync_state(std::string_view name, InstanceState state);
  void set_error(std::string_view name, std::optional<Error> error);
  void set_status_line(std::string_view name, std::string line);
  void set_last_sync(std::string_view name, int64_t at_ms);
  // One sync outcome: last sync time, and on success the success time and the summary.
  void record_sync(std::string_view name, bool ok, int64_t at_ms, std::string summary_json);
  void set_next_run(std::string_view name, int64_t at_ms);
  // What the plugin reported; an existing subject keeps its admin_disabled switch.
  void set_subject(std::string_view name, SubjectStatus subject);
  // The plugin removed the subject (ABI 1.5 remove_subject): gone from the board, also from a
  // pending batch of newly disabled ones.
  void remove_subject(std::string_view name, std::string_view subject_id);
  // An admin's switch; false when the subject is not on the board.
  bool set_subject_admin_disabled(std::string_view name, std::string_view subject_id,
                                  bool disabled);
  // Subjects an admin switched off.
  std::vector<std::string> admin_disabled_subjects(std::string_view name) const;

  std::optional<InstanceStatus> get(std::string_view name) const;
  std::vector<InstanceStatus> snapshot() const;  // sorted by name

 private:
  InstanceStatus& at(std::string_view name);    // mu_ held
  void persist(const InstanceStatus& s) const;  // mu_ held
  void flush_locked(std::string_view name);     // mu_ held
  mutable std::mutex mu_;
  PersistSink persist_;
  Observer observer_;
  // Subjects that became disabled since the last flush, per instance.
  std::map<std::string, std::vector<SubjectStatus>, std::less<>> newly_disabled_;
  std::map<std::string, InstanceStatus, std::less<>> items_;
};

}  // namespace chost::runtime
