// Scheduler: Boost.Asio worker pool with a strand per instance, plus one timer thread for the
// `every:` timers, deadline watchdogs and connection maintenance (so timers still fire when every
// worker is busy or stuck in a hook). Instances are shared_ptr-owned so that a timer or a posted
// run of an instance that was removed meanwhile finds it marked removed instead of freed.
#include "chost/runtime/scheduler.hpp"

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "chost/runtime/connection.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/sync_summary.hpp"
#include "duration_text.hpp"
#include "status_codes.hpp"

namespace chost::runtime {

namespace asio = boost::asio;

namespace {

// The longest "retry after" a connector may ask for: a day; a longer wish is cut to it, so a
// bad value cannot park a connector for good.
constexpr uint64_t kMaxRetryAfterMs = 24ull * 3600 * 1000;

// A summary is shown on one log line; a long one is cut.
std::string log_summary(const std::string& output) {
  constexpr size_t kMax = 400;
  if (output.size() <= kMax) return output;
  return output.substr(0, kMax) + "...";
}

}  // namespace

std::string sync_input_json(std::string_view reason, const std::vector<std::string>& only,
                            const std::vector<std::string>& admin_disabled) {
  boost::json::object o{{"reason", reason}};
  if (!only.empty()) o["subjects"] = boost::json::array(only.begin(), only.end());
  if (!admin_disabled.empty()) {
    o["disabled_subjects"] = boost::json::array(admin_disabled.begin(), admin_disabled.end());
  }
  return boost::json::serialize(o);
}

void mark_subjects_waiting(const RuntimeServices& sv, StatusBoard& board,
                           ConnectionManager& connections, const std::string& instance,
                           const std::string& connection) {
  if (connection.empty()) return;
  std::optional<InstanceStatus> st = board.get(instance);
  if (!st || st->subjects.empty()) return;
  std::shared_ptr<Connection> c = connections.find(connection);
  const std::string reason = c ? c->reason() : std::string();
  const std::string detail = "connection " + connection + " is " +
                             (c ? to_string(c->state()) : "missing") +
                             (reason.empty() ? "" : ": " + reason);
  const int64_t now = sv.clock->now_ms();
  for (const SubjectStatus& s : st->subjects) {
    if (s.state != "active") continue;  // keeps its own reason (e.g. not found)
    store::SubjectRecord row{s.subject_id, s.display_name, "disabled", detail, now};
    if (Status put = sv.store->upsert_subject(instance, row); !put) {
      sv.log->log(LogLevel::kWarn, instance,
                  "could not store subject " + s.subject_id + ": " + put.error().message);
    }
    board.set_subject(instance,
                      SubjectStatus{s.subject_id, s.display_name, "disabled", detail, now});
  }
  board.flush_disabled_subjects(instance);  // one connection outage: one batch
}

struct Scheduler::Impl {
  struct Inst {
    ScheduledInstance spec;
    std::unique_ptr<asio::strand<asio::io_context::executor_type>> strand;
    std::unique_ptr<asio::steady_timer> timer;     // next scheduled run (timer thread)
    std::unique_ptr<asio::steady_timer> watchdog;  // deadline of the call in flight
    bool queued = false;
    bool in_flight = false;
    bool deadline_missed = false;
    bool suspended = false;
    bool removed = false;
    // sync_now for some subjects only: the next manual run reads just these (empty: all).
    std::vector<std::string> only_subjects;
    bool full_requested = false;
    uint32_t failures = 0;
    size_t calls = 0;
    CancelFlag cancel;
  };
  using InstPtr = std::shared_ptr<Inst>;

  SchedulerOptions opt;
  RuntimeServices sv;
  ConnectionManager* connections;
  StatusBoard* board;
  asio::io_context workers;
  asio::io_context timers;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> workers_guard;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> timers_guard;
  std::vector<std::thread> threads;
  std::unique_ptr<asio::steady_timer> maintenance_timer;
  bool maintenance_queued = false;
  std::unique_ptr<asio::steady_timer> heartbeat_timer;
  // Steady ms of the last beat of each loop (the timer thread, a task run by a worker).
  std::atomic<int64_t> timer_beat_ms{0};
  std::atomic<int64_t> worker_beat_ms{0};
  std::atomic<bool> worker_beat_queued{false};

  mutable std::mutex mu;
  std::condition_variable idle_cv;
  std::map<std::string, InstPtr, std::less<>> insts;
  bool started = false;
  bool stopping = false;
  size_t in_flight = 0;

  void set_state(Inst& in, InstanceState s) {
    if (!board) return;
    if (in.spec.provides_connection) {
      board->set_sync_state(in.spec.name, s);
    } else {
      board->set_state(in.spec.name, s);
    }
  }

  bool connection_ok(const Inst& in) const {
    if (in.spec.uses_connection.empty() || !connections) return true;
    const auto st = connections->state(in.spec.uses_connection);
    return st == ConnectionState::kConnected || st == ConnectionState::kRefreshing;
  }

  static bool scheduled(const Inst& in) { return in.spec.every_ms > 0 || in.spec.daily; }

  // After a run: `every:` waits its interval; a daily schedule waits for the next time of day.
  int64_t next_delay_ms(const Inst& in) const {
    if (!in.spec.daily) return in.spec.every_ms;
    const int64_t now = sv.clock->now_ms();
    return common::next_daily_run_ms(*in.spec.daily, now) - now;
  }

  // The first run once scheduling starts: `every:` at once. A daily schedule at once only when
  // its latest time of day passed with no sync since (the host was down then, or it never
  // synced), else at the next one: a restart neither repeats nor skips a day's run.
  int64_t first_delay_ms(const Inst& in) const {
    if (!in.spec.daily) return 0;
    const int64_t now = sv.clock->now_ms();
    std::optional<InstanceStatus> st = board ? board->get(in.spec.name) : std::nullopt;
    const int64_t last = st ? st->last_sync_at_ms : 0;
    if (last < common::previous_daily_run_ms(*in.spec.daily, now)) return 0;
    return common::next_daily_run_ms(*in.spec.daily, now) - now;
  }

  InstPtr find(std::string_view name) const {
    auto it = insts.find(name);
    return it == insts.end() ? nullptr : it->second;
  }

  // mu held.
  void schedule_in(const InstPtr& in, int64_t delay_ms, const std::string& reason) {
    if (stopping || !started || in->removed || !in->spec.enabled) return;
    if (board) board->set_next_run(in->spec.name, sv.clock->now_ms() + delay_ms);
    asio::post(timers, [this, in, delay_ms, reason] {
      in->timer->expires_after(std::chrono::milliseconds(delay_ms));
      in->timer->async_wait([this, in, reason](const boost::system::error_code& ec) {
        if (!ec) post_run(in, reason);
      });
    });
  }

  void post_run(const InstPtr& in, const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping || in->queued || in->removed || !in->spec.enabled) return;
    in->queued = true;
    asio::post(*in->strand, [this, in, reason] { run(in, reason); });
  }

  // mu held. A damaged state store ends scheduling: a sync could only fail, and every attempt
  // would touch the file again. The connector shows the store's reason; a restart after the
  // admin repaired or replaced the file resumes it.
  bool stopped_for_damaged_store(Inst& in) {
    std::optional<std::string> why = sv.store ? sv.store->damaged() : std::nullopt;
    if (!why) return false;
    if (board) {
      board->set_error(in.spec.name, Error::permanent(*why));
      board->set_next_run(in.spec.name, 0);
    }
    set_state(in, InstanceState::kFailed);
    sv.log->log(LogLevel::kError, in.spec.name, "no more syncs: " + *why);
    return true;
  }

  void run(const InstPtr& inp, const std::string& reason) {
    Inst& in = *inp;
    CancelFlag cancel = make_cancel_flag();
    {
      std::lock_guard<std::mutex> lock(mu);
      in.queued = false;
      if (stopping || in.removed || !in.spec.enabled) return;
      if (stopped_for_damaged_store(in)) return;
      if (!connection_ok(in)) {
        in.suspended = true;
        set_state(in, InstanceState::kSuspended);
        if (board) {
          if (board && connections) {
            mark_subjects_waiting(sv, *board, *connections, in.spec.name, in.spec.uses_connection);
          }
        }
        if (board) {
          board->set_status_line(in.spec.name, "waiting for connection " + in.spec.uses_connection);
          board->set_next_run(in.spec.name, 0);
        }
        return;
      }
      in.suspended = false;
      in.in_flight = true;
      in.deadline_missed = false;
      in.cancel = cancel;
      ++in.calls;
      ++in_flight;
      if (board) board->set_next_run(in.spec.name, 0);
    }
    set_state(in, InstanceState::kRunning);
    const int64_t deadline_ms = opt.sync_deadline_ms;
    asio::post(timers, [this, inp, deadline_ms, cancel] {
      inp->watchdog->expires_after(std::chrono::milliseconds(deadline_ms));
      inp->watchdog->async_wait(
          [this, inp, deadline_ms, cancel](const boost::system::error_code& ec) {
            if (ec) return;
            std::lock_guard<std::mutex> lock(mu);
            if (!inp->in_flight || inp->cancel != cancel) return;
            cancel->store(true);
            inp->deadline_missed = true;
            const std::string msg = "sync exceeded its " + duration_text(deadline_ms) + " deadline";
            // The reason first: a reader never sees "failed" without why.
            if (board) board->set_error(inp->spec.name, Error::transient(msg));
            set_state(*inp, InstanceState::kFailed);
            sv.log->log(LogLevel::kError, inp->spec.name,
                        msg + "; cancelled, waiting for it to return");
          });
    });
    std::vector<std::string> only;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (reason == "manual" && !in.full_requested) only = std::move(in.only_subjects);
      in.only_subjects.clear();
      in.full_requested = false;
    }
    const std::string input = sync_input_json(
        reason, only,
        board ? board->admin_disabled_subjects(in.spec.name) : std::vector<std::string>{});
    const int64_t started_ms = sv.clock->steady_ms();
    HookOutcome out =
        run_hook(*in.spec.ctx, *in.spec.gate, sv.clock->steady_ms() + deadline_ms, cancel,
                 [&](chp_call* call) { return in.spec.hooks->sync(call, input); });
    asio::post(timers, [inp] { inp->watchdog->cancel(); });
    finish(inp, out, sv.clock->steady_ms() - started_ms);
  }

  void finish(const InstPtr& inp, const HookOutcome& out, int64_t took_ms) {
    Inst& in = *inp;
    std::lock_guard<std::mutex> lock(mu);
    in.in_flight = false;
    --in_flight;
    idle_cv.notify_all();
    const std::string& name = in.spec.name;
    const bool lost = in.spec.ctx->take_connection_lost();
    if (board) board->record_sync(name, out.status == CHP_OK, sv.clock->now_ms(), out.output);
    if (sv.metrics) {
      const std::string result =
          out.status == CHP_OK ? "ok" : to_string(error_class_of_code(out.status));
      sv.metrics->counter_add("chost_sync_runs_total", {{"connector", name}, {"result", result}},
                              1);
      sv.metrics->observe_seconds("chost_sync_duration_seconds", {{"connector", name}},
                                  static_cast<double>(took_ms) / 1000.0);
      if (out.status != CHP_OK) {
        sv.metrics->counter_add("chost_sync_errors_total", {{"connector", name}, {"class", result}},
                                1);
      } else {
        const SyncSummaryFigures f = read_sync_summary(out.output);
        for (const auto& [kind, n] :
             {std::pair{"in", f.records_in}, std::pair{"out", f.records_out},
              std::pair{"failed", f.records_failed}}) {
          if (n) {
            sv.metrics->counter_add("chost_sync_records_total",
                                    {{"connector", name}, {"kind", kind}}, static_cast<double>(*n));
          }
        }
      }
    }
    if (stopping || in.removed || !in.spec.enabled) {
      set_state(in,
                in.spec.enabled && !in.removed ? InstanceState::kIdle : InstanceState::kDisabled);
      return;
    }
    if (stopped_for_damaged_store(in)) return;
    if (in.deadline_missed) {
      ++in.failures;
      schedule_in(inp, backoff_delay_ms(opt.restart_backoff, in.failures, *sv.random), "restart");
      return;  // state and error were set by the watchdog
    }
    if (out.status == CHP_OK) {
      in.failures = 0;
      set_state(in, InstanceState::kIdle);
      if (board) board->set_error(name, std::nullopt);
      sv.log->log(LogLevel::kInfo, name,
                  "sync finished in " + duration_text(took_ms) +
                      (out.output.empty() ? "" : ": " + log_summary(out.output)));
      if (scheduled(in)) schedule_in(inp, next_delay_ms(in), "schedule");
      return;
    }
    if (out.status == CHP_ERR_AUTH_REVOKED && (lost || !connection_ok(in))) {
      in.suspended = true;
      set_state(in, InstanceState::kSuspended);
      if (board && connections) {
        mark_subjects_waiting(sv, *board, *connections, in.spec.name, in.spec.uses_connection);
      }
      if (board) {
        board->set_status_line(name, "waiting for connection " + in.spec.uses_connection);
        board->set_error(name,
                         Error::auth_revoked(out.error.empty() ? "connection lost" : out.error));
      }
      return;  // the connection listener resumes it
    }
    ++in.failures;
    const ErrorClass cls = error_class_of_code(out.status);
    std::string error = out.error.empty() ? "sync failed" : out.error;
    // A transient failure that says when to come back (ABI 1.5 call_set_retry_after, e.g. a
    // rate limit's Retry-After) is retried then, not at the restart backoff; status shows why.
    const int64_t delay_ms =
        out.retry_after_ms > 0
            ? static_cast<int64_t>(std::min<uint64_t>(out.retry_after_ms, kMaxRetryAfterMs))
            : backoff_delay_ms(opt.restart_backoff, in.failures, *sv.random);
    if (out.retry_after_ms > 0) {
      error += " (retry in " + duration_text(delay_ms) + ", as the connector asked)";
    }
    if (board) board->set_error(name, Error{cls, error});
    set_state(in, InstanceState::kFailed);
    sv.log->log(LogLevel::kWarn, name,
                std::string("sync failed (") + to_string(cls) + "): " + error);
    schedule_in(inp, delay_ms, out.retry_after_ms > 0 ? "retry-after" : "restart");
  }

  void on_connection(const std::string& conn, ConnectionState state) {
    std::vector<InstPtr> resume;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!started || stopping) return;
      for (auto& [name, in] : insts) {
        if (in->spec.uses_connection != conn || !in->spec.enabled) continue;
        if (state == ConnectionState::kConnected && in->suspended) {
          resume.push_back(in);
        } else if (state != ConnectionState::kConnected && state != ConnectionState::kRefreshing &&
                   !in->in_flight) {
          in->suspended = true;
          set_state(*in, InstanceState::kSuspended);
          if (board) {
            mark_subjects_waiting(sv, *board, *connections, in->spec.name,
                                  in->spec.uses_connection);
          }
        }
      }
    }
    for (const InstPtr& in : resume) post_run(in, "resume");
  }

  // mu held: waits until `in` has no sync in flight, at most `grace_ms`.
  bool wait_idle(std::unique_lock<std::mutex>& lock, const InstPtr& in, int64_t grace_ms) {
    return idle_cv.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, grace_ms)),
                            [&] { return !in->in_flight; });
  }

  void arm_heartbeat() {
    timer_beat_ms = sv.clock->steady_ms();
    // One beat in the pool at a time: a stuck pool does not pile them up.
    if (!worker_beat_queued.exchange(true)) {
      asio::post(workers, [this] {
        worker_beat_ms = sv.clock->steady_ms();
        worker_beat_queued = false;
      });
    }
    heartbeat_timer->expires_after(std::chrono::milliseconds(opt.heartbeat_interval_ms));
    heartbeat_timer->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) arm_heartbeat();
    });
  }

  void arm_maintenance() {
    if (!connections || opt.maintenance_interval_ms <= 0) return;
    maintenance_timer->expires_after(std::chrono::milliseconds(opt.maintenance_interval_ms));
    maintenance_timer->async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stopping) return;
        if (!maintenance_queued) {
          maintenance_queued = true;
          asio::post(workers, [this] {
            connections->maintain();  // queues refreshes on the connections' threads; no wait
            std::lock_guard<std::mutex> l(mu);
            maintenance_queued = false;
          });
        }
      }
      arm_maintenance();
    });
  }
};

Scheduler::Scheduler(SchedulerOptions options, RuntimeServices services,
                     ConnectionManager* connections, StatusBoard* board)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = options;
  impl_->sv = services;
  impl_->connections = connections;
  impl_->board = board;
  impl_->maintenance_timer = std::make_unique<asio::steady_timer>(impl_->timers);
  impl_->heartbeat_timer = std::make_unique<asio::steady_timer>(impl_->timers);
  if (connections) {
    Impl* impl = impl_.get();
    connections->add_listener([impl](const std::string& name, ConnectionState state) {
      impl->on_connection(name, state);
    });
  }
}

Scheduler::~Scheduler() {
  bool running;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    running = impl_->started && !impl_->stopping;
  }
  if (running) stop(0);
  impl_->workers_guard.reset();
  impl_->timers_guard.reset();
  impl_->timers.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

Status Scheduler::add(ScheduledInstance instance) {
  auto in = std::make_shared<Impl::Inst>();
  in->strand = std::make_unique<asio::strand<asio::io_context::executor_type>>(
      asio::make_strand(impl_->workers.get_executor()));
  in->timer = std::make_unique<asio::steady_timer>(impl_->timers);
  in->watchdog = std::make_unique<asio::steady_timer>(impl_->timers);
  in->spec = std::move(instance);
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->find(in->spec.name)) {
    return Error::conflict("connector " + in->spec.name + " is already scheduled");
  }
  if (impl_->board) {
    impl_->board->ensure(in->spec.name, in->spec.provides_connection ? InstanceKind::kConnection
                                                                     : InstanceKind::kConnector);
    impl_->set_state(*in, in->spec.enabled ? InstanceState::kIdle : InstanceState::kDisabled);
  }
  impl_->insts[in->spec.name] = in;
  if (Impl::scheduled(*in)) impl_->schedule_in(in, impl_->first_delay_ms(*in), "schedule");
  return {};
}

bool Scheduler::remove(std::string_view name, int64_t grace_ms) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  Impl::InstPtr in = impl_->find(name);
  if (!in) return true;
  in->removed = true;
  if (in->cancel) in->cancel->store(true);
  asio::post(impl_->timers, [in] { in->timer->cancel(); });
  const bool idle = impl_->wait_idle(lock, in, grace_ms);
  impl_->insts.erase(impl_->insts.find(name));
  return idle;
}

Result<bool> Scheduler::disable(std::string_view name, int64_t grace_ms) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  Impl::InstPtr in = impl_->find(name);
  if (!in) return Error::not_found("no connector named " + std::string(name));
  in->spec.enabled = false;
  in->suspended = false;
  if (in->cancel && in->in_flight) in->cancel->store(true);
  asio::post(impl_->timers, [in] { in->timer->cancel(); });
  if (impl_->board) impl_->board->set_next_run(name, 0);
  const bool idle = impl_->wait_idle(lock, in, grace_ms);
  impl_->set_state(*in, InstanceState::kDisabled);
  return idle;
}

Status Scheduler::enable(std::string_view name) {
  Impl::InstPtr in;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    in = impl_->find(name);
    if (!in) return Error::not_found("no connector named " + std::string(name));
    if (in->spec.enabled) return {};
    in->spec.enabled = true;
    in->failures = 0;
    impl_->set_state(*in, InstanceState::kIdle);
    if (!impl_->started || impl_->stopping) return {};
  }
  impl_->post_run(in, "resume");
  return {};
}

void Scheduler::start() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->started) return;
    impl_->started = true;
  }
  impl_->workers_guard =
      std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
          impl_->workers.get_executor());
  impl_->timers_guard =
      std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
          impl_->timers.get_executor());
  const size_t n = std::max<size_t>(1, impl_->opt.worker_threads);
  for (size_t i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->workers.run(); });
  impl_->threads.emplace_back([this] { impl_->timers.run(); });
  asio::post(impl_->timers, [this] { impl_->arm_maintenance(); });
  impl_->timer_beat_ms = impl_->sv.clock->steady_ms();
  impl_->worker_beat_ms = impl_->sv.clock->steady_ms();
  asio::post(impl_->timers, [this] { impl_->arm_heartbeat(); });
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& [name, in] : impl_->insts) {
    if (Impl::scheduled(*in)) impl_->schedule_in(in, impl_->first_delay_ms(*in), "schedule");
  }
}

Status Scheduler::sync_now(std::string_view name, std::vector<std::string> subjects) {
  Impl::InstPtr in;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    in = impl_->find(name);
    if (!in) return Error::not_found("no connector named " + std::string(name));
    if (!in->spec.enabled) return Error::config("connector " + std::string(name) + " is disabled");
    if (impl_->stopping || !impl_->started) return Error::transient("the host is not running");
    if (in->in_flight && in->deadline_missed) {
      return Error::transient("connector " + std::string(name) +
                              " is still running a sync that missed its deadline");
    }
    if (!impl_->connection_ok(*in)) {
      return Error::transient("connector " + std::string(name) + " is suspended: connection " +
                              in->spec.uses_connection + " is not connected");
    }
    if (subjects.empty()) {
      in->full_requested = true;
    } else {
      for (std::string& s : subjects) in->only_subjects.push_back(std::move(s));
    }
  }
  impl_->post_run(in, "manual");
  return {};
}

StopReport Scheduler::stop(int64_t grace_ms) {
  StopReport report;
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->stopping = true;
  for (auto& [name, in] : impl_->insts) {
    if (in->cancel) in->cancel->store(true);
    Impl::InstPtr p = in;
    asio::post(impl_->timers, [p] { p->timer->cancel(); });
  }
  asio::post(impl_->timers, [this] {
    impl_->maintenance_timer->cancel();
    impl_->heartbeat_timer->cancel();
  });
  impl_->idle_cv.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, grace_ms)),
                          [this] { return impl_->in_flight == 0; });
  for (auto& [name, in] : impl_->insts) {
    if (in->in_flight) report.stuck.push_back(name);
  }
  if (!report.stuck.empty()) {
    impl_->sv.log->log(LogLevel::kWarn, "",
                       std::to_string(report.stuck.size()) +
                           " connector(s) still running after the shutdown grace period");
  }
  return report;
}

Status Scheduler::health() const {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->started || impl_->stopping) return {};
  }
  const int64_t now = impl_->sv.clock->steady_ms();
  const int64_t timer_age = now - impl_->timer_beat_ms.load();
  const int64_t worker_age = now - impl_->worker_beat_ms.load();
  if (timer_age > impl_->opt.health_max_age_ms) {
    return Error::transient("scheduler timer loop has not turned for " + duration_text(timer_age));
  }
  if (worker_age > impl_->opt.health_max_age_ms) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    return Error::transient(
        "scheduler worker pool has not run a task for " + duration_text(worker_age) + " (" +
        std::to_string(impl_->in_flight) + " of " +
        std::to_string(std::max<size_t>(1, impl_->opt.worker_threads)) + " workers in a hook)");
  }
  return {};
}

bool Scheduler::has(std::string_view name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->find(name) != nullptr;
}

size_t Scheduler::sync_calls_ForTest(std::string_view name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto in = impl_->find(name);
  return in ? in->calls : 0;
}

}  // namespace chost::runtime
