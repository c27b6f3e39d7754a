// Scheduler: runs connector instances' sync hooks on a worker pool (Boost.Asio, kept out of this
// header) with one strand per instance, so two hooks of one instance never overlap. Handles
// `every:` and daily `at:` timers, sync_now(), per-call deadlines with a watchdog (a hook that
// misses its deadline gets its cancellation flag set, the instance is marked failed and is not
// called again until the stuck call returns), restart of failed instances with backoff, suspension
// of connectors whose `uses:` connection is not connected (resumed by themselves), periodic
// ConnectionManager::maintain(), and a graceful stop.
//
// Each instance has its own lifecycle: add, enable, disable and remove act on one instance while
// the others keep running (disable and remove cancel only that instance's sync and wait for it).
// Every sync outcome is logged and recorded on the StatusBoard (error, last sync, summary).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/daily_time.hpp"
#include "chost/common/result.hpp"
#include "chost/runtime/backoff.hpp"
#include "chost/runtime/connection_manager.hpp"
#include "chost/runtime/instance_context.hpp"
#include "chost/runtime/plugin_port.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"

namespace chost::runtime {

struct SchedulerOptions {
  size_t worker_threads = 4;
  int64_t sync_deadline_ms = 15 * 60 * 1000;
  BackoffPolicy restart_backoff{5000, 10 * 60 * 1000, 0.5};
  int64_t maintenance_interval_ms = 10 * 1000;  // ConnectionManager::maintain() period
  // Liveness: the timer thread beats every heartbeat_interval_ms and posts a beat to the worker
  // pool; health() fails when either has not beaten for health_max_age_ms (a stuck timer loop,
  // or every worker stuck in a hook so nothing else can run).
  int64_t heartbeat_interval_ms = 1000;
  int64_t health_max_age_ms = 60 * 1000;
};

// One connector instance to schedule. Pointers are not owned and must outlive the scheduler.
struct ScheduledInstance {
  std::string name;
  PluginHooksPort* hooks = nullptr;
  HookGate* gate = nullptr;
  InstanceContext* ctx = nullptr;
  int64_t every_ms = 0;                    // 0: only sync_now() and resume (unless `daily`)
  std::optional<common::DailyTime> daily;  // schedule: {at, tz}; never with every_ms
  std::string uses_connection;             // empty: none
  bool enabled = true;
  bool provides_connection = false;  // status goes to sync_state, not state
};

struct StopReport {
  std::vector<std::string> stuck;  // instances whose hook had not returned within the grace
};

class Scheduler {
 public:
  // `connections` may be null when no instance uses or provides a connection.
  Scheduler(SchedulerOptions options, RuntimeServices services, ConnectionManager* connections,
            StatusBoard* board);
  // Stops (grace 0) if still running, then waits for every worker thread, including one that
  // is stuck in a hook: a caller that must not wait should exit the process instead.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Registers an instance; when the scheduler runs and the instance is enabled, its first
  // `every:` run is immediate. kConflict when the name is taken.
  Status add(ScheduledInstance instance);
  // Stops scheduling the instance, cancels its sync in flight and waits up to `grace_ms` for it,
  // then forgets it. False when its hook had not returned within the grace (the caller must keep
  // what the hook uses alive, or exit).
  bool remove(std::string_view name, int64_t grace_ms);
  // Disable: no more runs; a sync in flight is cancelled and waited for up to `grace_ms` (false
  // when it had not returned). Enable: schedules a run now. kNotFound for an unknown name.
  Result<bool> disable(std::string_view name, int64_t grace_ms);
  Status enable(std::string_view name);
  void start();  // threads, timers; first `every:` runs are immediate
  // Queues a sync (reason "manual"). kNotFound, kConfig (disabled), kTransient when the
  // instance is stuck in a call that missed its deadline or suspended.
  // `subjects` non-empty: that run reads only these subjects (ABI 1.2 sync input "subjects").
  Status sync_now(std::string_view name, std::vector<std::string> subjects = {});
  // Stops scheduling, cancels every call in flight, waits up to `grace_ms` for them.
  StopReport stop(int64_t grace_ms);

  // OK while both loops turn (always before start and after stop); else kTransient saying
  // which loop stalled and for how long. For /healthz.
  Status health() const;

  bool has(std::string_view name) const;
  size_t sync_calls_ForTest(std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The sync hook's input (plugin_api.h): {"reason", "subjects"?, "disabled_subjects"?}.
std::string sync_input_json(std::string_view reason, const std::vector<std::string>& only,
                            const std::vector<std::string>& admin_disabled);

// While `instance` cannot run because `connection` is not connected, every subject it last
// reported active shows "disabled" with the connection's state and reason (e.g. "connection
// sf is disconnected: refresh rejected, admin must re-authorize: invalid_grant: expired
// access/refresh token"), on the board and in the store, so `status` shows it on a stopped
// host too. No plugin code runs for this; the plugin reports its subjects again when it runs.
void mark_subjects_waiting(const RuntimeServices& services, StatusBoard& board,
                           ConnectionManager& connections, const std::string& instance,
                           const std::string& connection);

}  // namespace chost::runtime
