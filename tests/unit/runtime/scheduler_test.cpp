// Scheduler with in-process FakeHooks on the real clock: strand exclusivity, deadline miss,
// restart with backoff, suspend/resume on the used connection, graceful stop. Waits are bounded
// polls on observable state, never timed assertions.
#include "chost/runtime/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "chost/runtime/host_callbacks.hpp"
#include "fakes.hpp"

namespace chost::runtime::testing {
namespace {

class FakeHooks final : public PluginHooksPort {
 public:
  std::function<chp_status_code(chp_call*, std::string_view)> on_sync;
  std::function<chp_status_code(chp_call*, std::string_view)> on_refresh;
  chp_status_code authorize(chp_call*, std::string_view) override { return CHP_ERR_UNSUPPORTED; }
  chp_status_code refresh(chp_call* c, std::string_view in) override {
    return on_refresh ? on_refresh(c, in) : CHP_ERR_UNSUPPORTED;
  }
  chp_status_code disable(chp_call*, std::string_view) override { return CHP_OK; }
  chp_status_code sync(chp_call* c, std::string_view in) override { return on_sync(c, in); }
};

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() {
    services = fx.services();
    services.clock = &system_clock();  // asio timers run on real time
    options.worker_threads = 2;
    options.sync_deadline_ms = 60000;
    options.restart_backoff = BackoffPolicy{1, 2, 0.0};
  }
  ScheduledInstance instance(const std::string& name, FakeHooks& hooks,
                             const std::string& uses = "") {
    ctxs.push_back(
        std::make_unique<InstanceContext>(name, services, &board, connections.get(), uses));
    gates.push_back(std::make_unique<HookGate>());
    ScheduledInstance s;
    s.name = name;
    s.hooks = &hooks;
    s.gate = gates.back().get();
    s.ctx = ctxs.back().get();
    s.uses_connection = uses;
    return s;
  }
  const chp_host* host = host_callbacks();
  FakeServices fx;
  RuntimeServices services;
  StatusBoard board;
  SchedulerOptions options;
  std::unique_ptr<ConnectionManager> connections;
  std::vector<std::unique_ptr<InstanceContext>> ctxs;
  std::vector<std::unique_ptr<HookGate>> gates;
};

TEST_F(SchedulerTest, HooksOfOneInstanceNeverOverlap) {
  FakeHooks hooks;
  std::atomic<int> active{0}, max_active{0}, calls{0};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    const int now = ++active;
    max_active.store(std::max(max_active.load(), now));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    --active;
    ++calls;
    return CHP_OK;
  };
  options.worker_threads = 4;
  Scheduler scheduler(options, services, nullptr, &board);
  ScheduledInstance s = instance("crm", hooks);
  HookGate* gate = s.gate;
  ASSERT_TRUE(scheduler.add(s));
  scheduler.start();
  std::thread other([&] {
    // Another hook of the same instance (as a refresh would be) through the gate.
    for (int i = 0; i < 20; ++i) gate->run([&] { return hooks.on_sync(nullptr, ""); });
  });
  for (int i = 0; i < 20; ++i) {
    const int before = calls.load();
    ASSERT_TRUE(scheduler.sync_now("crm"));
    ASSERT_TRUE(eventually([&] { return calls.load() > before; }));
  }
  other.join();
  EXPECT_EQ(max_active.load(), 1);
  EXPECT_TRUE(scheduler.stop(5000).stuck.empty());
}

TEST_F(SchedulerTest, MissedDeadlineFailsTheInstanceAndIsNotReentered) {
  FakeHooks hooks;
  std::atomic<bool> release{false}, saw_cancel{false};
  hooks.on_sync = [&](chp_call* call, std::string_view) {
    for (int i = 0; i < 5000 && !release.load(); ++i) {
      if (host->call_cancelled(call)) saw_cancel = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return CHP_ERR_CANCELLED;
  };
  options.sync_deadline_ms = 5;
  options.restart_backoff = BackoffPolicy{60000, 60000, 0.0};
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually([&] { return board.get("crm")->state == InstanceState::kFailed; }));
  auto st = board.get("crm");
  ASSERT_TRUE(st->last_error);
  EXPECT_EQ(st->last_error->message, "sync exceeded its 5ms deadline");
  EXPECT_TRUE(eventually([&] { return saw_cancel.load(); }));
  Status again = scheduler.sync_now("crm");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("missed its deadline"), std::string::npos);
  EXPECT_EQ(scheduler.sync_calls_ForTest("crm"), 1u);
  release = true;
  EXPECT_TRUE(scheduler.stop(5000).stuck.empty());
  EXPECT_EQ(scheduler.sync_calls_ForTest("crm"), 1u);
}

TEST_F(SchedulerTest, FailedInstanceRestartsWithBackoff) {
  FakeHooks hooks;
  std::atomic<int> calls{0};
  hooks.on_sync = [&](chp_call* call, std::string_view) {
    if (++calls == 1) {
      host->call_set_error(call, {"upstream 503", 12});
      return CHP_ERR_TRANSIENT;
    }
    return CHP_OK;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually(
      [&] { return calls.load() >= 2 && board.get("crm")->state == InstanceState::kIdle; }));
  EXPECT_FALSE(board.get("crm")->last_error);
  EXPECT_GT(board.get("crm")->last_sync_at_ms, 0);
  EXPECT_TRUE(fx.log.contains("sync failed (transient): upstream 503"));
  scheduler.stop(5000);
}

// ABI 1.5 call_set_retry_after: a transient failure that says when to come back is scheduled
// then, not at the (here 1 ms) restart backoff, and status shows it; with another status the
// wish is ignored.
TEST_F(SchedulerTest, ATransientFailureWithRetryAfterIsRetriedThenNotAtTheBackoff) {
  FakeHooks hooks;
  std::atomic<int> calls{0};
  hooks.on_sync = [&](chp_call* call, std::string_view) {
    ++calls;
    host->call_set_error(call, {"rate limited", 12});
    host->call_set_retry_after(call, 3600 * 1000);
    return CHP_ERR_TRANSIENT;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  const int64_t asked_at_ms = system_clock().now_ms();
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually([&] {
    auto s = board.get("crm");
    return s->state == InstanceState::kFailed && s->next_run_at_ms > 0;
  }));
  auto s = board.get("crm");
  EXPECT_GE(s->next_run_at_ms, asked_at_ms + 3600 * 1000);
  EXPECT_LE(s->next_run_at_ms, system_clock().now_ms() + 3600 * 1000);
  ASSERT_TRUE(s->last_error);
  EXPECT_EQ(s->last_error->cls, ErrorClass::kTransient);
  EXPECT_EQ(s->last_error->message, "rate limited (retry in 60m, as the connector asked)");
  EXPECT_TRUE(fx.log.contains("sync failed (transient): rate limited (retry in 60m"));
  EXPECT_EQ(calls.load(), 1);
  scheduler.stop(5000);
}

TEST_F(SchedulerTest, RetryAfterWithAPermanentFailureIsIgnored) {
  FakeHooks hooks;
  hooks.on_sync = [&](chp_call* call, std::string_view) {
    host->call_set_error(call, {"bad object", 10});
    host->call_set_retry_after(call, 3600 * 1000);
    return CHP_ERR_PERMANENT;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually([&] {
    auto s = board.get("crm");
    return s->state == InstanceState::kFailed && s->last_error.has_value();
  }));
  EXPECT_EQ(board.get("crm")->last_error->message, "bad object");
  EXPECT_FALSE(fx.log.contains("as the connector asked"));
  scheduler.stop(5000);
}

TEST_F(SchedulerTest, UserOfAConnectionIsSuspendedAndResumes) {
  connections = std::make_unique<ConnectionManager>(services, ConnectionOptions{}, &board);
  ASSERT_TRUE(fx.store.secret_put("sf", kCredentialsSecretName, R"({"access_token":"at-1"})", 0));
  FakeHooks provider;
  HookGate provider_gate;
  InstanceContext provider_ctx("sf", services, &board, nullptr, "");
  ASSERT_TRUE(connections->add("sf", CredentialInstance{&provider, &provider_ctx, &provider_gate}));
  ASSERT_TRUE(connections->disable("sf", "test"));

  FakeHooks hooks;
  std::mutex mu;
  std::vector<std::string> inputs;
  hooks.on_sync = [&](chp_call*, std::string_view in) {
    std::lock_guard<std::mutex> lock(mu);
    inputs.emplace_back(in);
    return CHP_OK;
  };
  Scheduler scheduler(options, services, connections.get(), &board);
  ScheduledInstance s = instance("crm", hooks, "sf");
  s.every_ms = 3600 * 1000;
  ASSERT_TRUE(scheduler.add(s));
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return board.get("crm")->state == InstanceState::kSuspended; }));
  EXPECT_EQ(scheduler.sync_calls_ForTest("crm"), 0u);
  EXPECT_FALSE(scheduler.sync_now("crm"));

  ASSERT_TRUE(connections->enable("sf"));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !inputs.empty();
  }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(inputs[0], R"({"reason":"resume"})");
  }
  EXPECT_TRUE(eventually([&] { return board.get("crm")->state == InstanceState::kIdle; }));
  scheduler.stop(5000);
}

TEST_F(SchedulerTest, SubjectsOfASuspendedUserShowTheConnectionsReason) {
  connections = std::make_unique<ConnectionManager>(services, ConnectionOptions{}, &board);
  ASSERT_TRUE(fx.store.secret_put("sf", kCredentialsSecretName, R"({"access_token":"at-1"})", 0));
  FakeHooks provider;
  HookGate provider_gate;
  InstanceContext provider_ctx("sf", services, &board, nullptr, "");
  ASSERT_TRUE(connections->add("sf", CredentialInstance{&provider, &provider_ctx, &provider_gate}));
  FakeHooks hooks;
  std::atomic<int> syncs{0};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    ++syncs;
    return CHP_OK;
  };
  Scheduler scheduler(options, services, connections.get(), &board);
  ScheduledInstance s = instance("crm", hooks, "sf");
  s.every_ms = 3600 * 1000;
  ASSERT_TRUE(scheduler.add(s));
  // What the plugin reported on its last run: one user fine, one failed for its own reason.
  board.set_subject("crm", SubjectStatus{"u1", "Ana", "active", "synced 3 message(s)", 1});
  board.set_subject("crm", SubjectStatus{"u2", "Ben", "disabled", "mailbox not found", 1});
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return syncs.load() == 1; }));

  ASSERT_TRUE(connections->disable("sf", "refresh token revoked at the provider"));
  ASSERT_TRUE(eventually([&] { return board.get("crm")->state == InstanceState::kSuspended; }));
  std::optional<InstanceStatus> st = board.get("crm");
  ASSERT_TRUE(st);
  ASSERT_EQ(st->subjects.size(), 2u);
  EXPECT_EQ(st->subjects[0].state, "disabled");
  EXPECT_NE(st->subjects[0].detail.find("connection sf is disabled"), std::string::npos)
      << st->subjects[0].detail;
  EXPECT_NE(st->subjects[0].detail.find("refresh token revoked at the provider"), std::string::npos)
      << st->subjects[0].detail;
  EXPECT_EQ(st->subjects[1].detail, "mailbox not found");  // its own reason stays
  auto stored = fx.store.subject_ForTest("crm", "u1");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, "disabled");
  EXPECT_EQ(stored->detail, st->subjects[0].detail);
  EXPECT_EQ(syncs.load(), 1);  // no plugin code ran for it
  EXPECT_STREQ(subject_status_text(st->subjects[0].state), "Disabled due to an error");
  scheduler.stop(5000);
}

TEST_F(SchedulerTest, StopCancelsAndWaitsForHooksWithinTheGrace) {
  FakeHooks hooks;
  std::atomic<bool> running{false}, returned{false};
  hooks.on_sync = [&](chp_call* call, std::string_view) {
    running = true;
    for (int i = 0; i < 5000 && !host->call_cancelled(call); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    returned = true;
    return CHP_ERR_CANCELLED;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually([&] { return running.load(); }));
  StopReport report = scheduler.stop(5000);
  EXPECT_TRUE(report.stuck.empty());
  EXPECT_TRUE(returned.load());
}

TEST_F(SchedulerTest, StopReportsHooksThatOutliveTheGrace) {
  FakeHooks hooks;
  std::atomic<bool> running{false}, release{false};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    running = true;
    for (int i = 0; i < 5000 && !release.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return CHP_OK;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually([&] { return running.load(); }));
  StopReport report = scheduler.stop(1);
  EXPECT_EQ(report.stuck, std::vector<std::string>{"crm"});
  release = true;  // the destructor then joins the worker
}

TEST_F(SchedulerTest, DisablingOneInstanceLeavesAnotherRunningSyncUndisturbed) {
  FakeHooks a, b;
  std::atomic<bool> a_running{false}, a_release{false}, a_cancelled{false};
  a.on_sync = [&](chp_call* call, std::string_view) {
    a_running = true;
    for (int i = 0; i < 5000 && !a_release.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    a_cancelled = host->call_cancelled(call) != 0;
    return CHP_OK;
  };
  std::atomic<int> b_syncs{0};
  b.on_sync = [&](chp_call*, std::string_view) {
    ++b_syncs;
    return CHP_OK;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ASSERT_TRUE(scheduler.add(instance("a", a)));
  ASSERT_TRUE(scheduler.add(instance("b", b)));
  scheduler.start();
  ASSERT_TRUE(scheduler.sync_now("a"));
  ASSERT_TRUE(eventually([&] { return a_running.load(); }));
  auto idle = scheduler.disable("b", 1000);
  ASSERT_TRUE(idle);
  EXPECT_TRUE(*idle);
  EXPECT_EQ(board.get("b")->state, InstanceState::kDisabled);
  EXPECT_FALSE(scheduler.sync_now("b"));  // disabled
  a_release = true;
  // The board records the run before the scheduler sets the state: wait for both.
  ASSERT_TRUE(eventually([&] {
    const auto st = board.get("a");
    return st->last_sync_at_ms > 0 && st->state == InstanceState::kIdle;
  }));
  EXPECT_FALSE(a_cancelled.load());  // the other connector's sync was not touched
  EXPECT_FALSE(board.get("a")->last_error);

  ASSERT_TRUE(scheduler.enable("b"));  // runs at once
  ASSERT_TRUE(eventually([&] { return b_syncs.load() == 1; }));
  ASSERT_TRUE(scheduler.remove("b", 1000));
  EXPECT_FALSE(scheduler.has("b"));
  EXPECT_TRUE(scheduler.has("a"));
  scheduler.stop(5000);
}

TEST_F(SchedulerTest, AnInstanceAddedWhileRunningIsScheduledAtOnce) {
  FakeHooks hooks;
  std::atomic<int> syncs{0};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    ++syncs;
    return CHP_OK;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  scheduler.start();
  ScheduledInstance s = instance("late", hooks);
  s.every_ms = 3600 * 1000;
  ASSERT_TRUE(scheduler.add(s));
  ASSERT_TRUE(eventually([&] { return syncs.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return board.get("late")->next_run_at_ms > 0; }));
  EXPECT_FALSE(scheduler.add(s));  // one instance per name
  scheduler.stop(5000);
}

// Daily `at:` schedules on the test clock (FakeClock: 2023-11-14T22:13:21Z); the asio timers
// stay real, and every next run here is hours away, so none fires during a test.
class DailyScheduleTest : public SchedulerTest {
 protected:
  DailyScheduleTest() { services.clock = &fx.clock; }
  static constexpr int64_t kNov15Noon = 1'700'049'600'000;  // 2023-11-15T12:00:00Z
};

TEST_F(DailyScheduleTest, NeverSyncedRunsAtOnceThenWaitsForTheNextTimeOfDay) {
  FakeHooks hooks;
  std::atomic<int> syncs{0};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    ++syncs;
    return CHP_OK;
  };
  Scheduler scheduler(options, services, nullptr, &board);
  ScheduledInstance s = instance("daily", hooks);
  s.daily = common::DailyTime{12 * 60, 0};
  ASSERT_TRUE(scheduler.add(s));
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return syncs.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return board.get("daily")->next_run_at_ms > 0; }));
  EXPECT_EQ(board.get("daily")->next_run_at_ms, kNov15Noon);  // across midnight: tomorrow
  scheduler.stop(5000);
  EXPECT_EQ(syncs.load(), 1);
}

TEST_F(DailyScheduleTest, ARestartAfterTodaysRunKeepsTheScheduleInsteadOfSyncingAgain) {
  FakeHooks hooks;
  hooks.on_sync = [&](chp_call*, std::string_view) { return CHP_OK; };
  // Today's 12:00 run happened (the board is restored from the store before the scheduler).
  board.ensure("daily", InstanceKind::kConnector);
  board.record_sync("daily", true, kNov15Noon - 24 * 3600 * 1000, "{}");
  Scheduler scheduler(options, services, nullptr, &board);
  ScheduledInstance s = instance("daily", hooks);
  s.daily = common::DailyTime{12 * 60, 0};
  ASSERT_TRUE(scheduler.add(s));
  scheduler.start();
  // The decision is taken inside start(): no run was queued, the next one is tomorrow noon.
  EXPECT_EQ(board.get("daily")->next_run_at_ms, kNov15Noon);
  EXPECT_EQ(scheduler.sync_calls_ForTest("daily"), 0u);
  scheduler.stop(5000);
  EXPECT_EQ(scheduler.sync_calls_ForTest("daily"), 0u);
}

TEST_F(DailyScheduleTest, ARunMissedWhileTheHostWasDownHappensAtStart) {
  FakeHooks hooks;
  std::atomic<int> syncs{0};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    ++syncs;
    return CHP_OK;
  };
  // Last sync the day before yesterday's slot: today's 12:00 passed while the host was down.
  board.ensure("daily", InstanceKind::kConnector);
  board.record_sync("daily", true, kNov15Noon - 2 * 24 * 3600 * 1000, "{}");
  Scheduler scheduler(options, services, nullptr, &board);
  ScheduledInstance s = instance("daily", hooks);
  s.daily = common::DailyTime{23 * 60, 120};  // 23:00 at +02:00 = 21:00 UTC, passed today
  ASSERT_TRUE(scheduler.add(s));
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return syncs.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return board.get("daily")->next_run_at_ms > 0; }));
  EXPECT_EQ(board.get("daily")->next_run_at_ms, kNov15Noon + 9 * 3600 * 1000);  // Nov 15 21:00Z
  scheduler.stop(5000);
}

}  // namespace
}  // namespace chost::runtime::testing

namespace chost::runtime::testing {
namespace {

// /healthz's signal: a worker pool whose every worker is stuck in a hook fails health() with
// the reason, and passes again once the hook returns.
TEST_F(SchedulerTest, HealthFailsWhileEveryWorkerIsStuckAndRecoversAfter) {
  FakeHooks hooks;
  std::atomic<bool> running{false}, release{false};
  hooks.on_sync = [&](chp_call*, std::string_view) {
    running = true;
    for (int i = 0; i < 20000 && !release.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return CHP_OK;
  };
  options.worker_threads = 1;
  options.heartbeat_interval_ms = 5;
  options.health_max_age_ms = 50;
  Scheduler scheduler(options, services, nullptr, &board);
  EXPECT_TRUE(scheduler.health());  // not started: nothing to be stuck
  ASSERT_TRUE(scheduler.add(instance("crm", hooks)));
  scheduler.start();
  EXPECT_TRUE(eventually([&] { return scheduler.health().ok(); }));
  ASSERT_TRUE(scheduler.sync_now("crm"));
  ASSERT_TRUE(eventually([&] { return running.load(); }));
  ASSERT_TRUE(eventually([&] { return !scheduler.health().ok(); }));
  const Status stuck = scheduler.health();
  ASSERT_FALSE(stuck.ok());
  EXPECT_NE(stuck.error().message.find("scheduler worker pool has not run a task for"),
            std::string::npos)
      << stuck.error().message;
  EXPECT_NE(stuck.error().message.find("(1 of 1 workers in a hook)"), std::string::npos)
      << stuck.error().message;
  release = true;
  EXPECT_TRUE(eventually([&] { return scheduler.health().ok(); }));
  scheduler.stop(5000);
  EXPECT_TRUE(scheduler.health());
}

}  // namespace
}  // namespace chost::runtime::testing
