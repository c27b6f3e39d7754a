// Connection: the concurrency cases of the credential broker (issue 7). A provider's refresh runs
// on its credential instance, never inside its own sync; a waiter leaves at its own deadline or
// cancellation while the refresh goes on; a sent token request is not cancelled by shutdown;
// a 401 that persists after a refresh disconnects with a reason; identity survives a refresh;
// the refresh margin is clamped to a short token's lifetime; disable reaches the plugin once.
#include "chost/runtime/connection.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "chost/runtime/host_callbacks.hpp"
#include "runtime_fixture.hpp"

namespace chost::runtime::testing {
namespace {

using ConnectionTest = RuntimeFixture;
constexpr int64_t kMinute = 60 * 1000;

TEST_F(ConnectionTest, ProviderRefreshRunsOnItsCredentialInstanceNeverInsideItsSync) {
  make_connected("sf");  // the credential instance
  // The provider's sync instance: a second instance of the plugin borrowing its own connection.
  TestInstance sync_inst;
  sync_inst.ctx =
      std::make_unique<InstanceContext>("sf", fx.services(), &board, manager.get(), "sf");
  CallState call(fx.clock, fx.clock.steady_ms() + 1000, nullptr);
  chp_instance* raw = nullptr;
  const std::string config =
      R"({"token_url":"https://login.example/token","api_url":"https://api.example/data"})";
  ASSERT_EQ(plugin->plugin()->create(sync_inst.ctx->handle(), call.handle(),
                                     {config.data(), config.size()}, &raw),
            CHP_OK);
  sync_inst.hooks = std::make_unique<RawInstance>(plugin->plugin(), raw);
  set_mode("sf", "token");
  api_status = [](const std::string& bearer) { return bearer == "at-1" ? 401u : 200u; };
  std::thread::id refresh_thread;
  endpoint.on_refresh = [&] { refresh_thread = std::this_thread::get_id(); };

  HookOutcome out = sync(sync_inst);
  EXPECT_EQ(out.status, CHP_OK) << out.error;
  EXPECT_EQ(token_posts(), 2u);                           // authorize + one refresh for the 401
  EXPECT_NE(refresh_thread, std::this_thread::get_id());  // the connection's own thread
  for (const auto& req : fx.http.seen()) EXPECT_EQ(req.connector, "sf");  // names the caller
  EXPECT_FALSE(fx.log.contains("HOOKS OVERLAP"));
  EXPECT_EQ(manager->token("sf")->access_token, "at-2");
}

TEST_F(ConnectionTest, WaiterLeavesAtItsOwnCancellationWhileTheRefreshGoesOn) {
  make_connected("sf");
  std::atomic<bool> release{false};
  endpoint.on_refresh = [&] {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  std::atomic<bool> cancelled{false};
  TokenRequest req;
  req.rejected_generation = 0;
  req.cancelled = &cancelled;
  std::thread canceller([&] {
    ASSERT_TRUE(eventually([&] { return manager->callers_in_refresh_ForTest("sf") == 1; }));
    cancelled.store(true);
  });
  auto r = manager->token("sf", req);
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().cls, ErrorClass::kCancelled);
  EXPECT_NE(r.error().message.find("the refresh goes on"), std::string::npos);
  release.store(true);
  // The refresh finished without the waiter and its rotation is stored and served.
  ASSERT_TRUE(eventually([&] {
    return manager->state("sf") == ConnectionState::kConnected &&
           manager->token("sf")->access_token == "at-2";
  }));
  auto secret = fx.store.secret_get("sf", kCredentialsSecretName);
  EXPECT_NE((*secret)->value.find("rt-2"), std::string::npos);
}

TEST_F(ConnectionTest, WaiterLeavesAtItsOwnDeadline) {
  make_connected("sf");
  std::atomic<bool> release{false};
  endpoint.on_refresh = [&] {
    fx.clock.advance_ms(10'000);  // the token endpoint is slow: past the caller's deadline
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  TokenRequest req;
  req.rejected_generation = 0;
  req.deadline_steady_ms = fx.clock.steady_ms() + 5'000;
  auto r = manager->token("sf", req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().cls, ErrorClass::kCancelled);
  release.store(true);
  ASSERT_TRUE(eventually([&] { return manager->token("sf")->access_token == "at-2"; }));
}

TEST_F(ConnectionTest, AValidTokenIsServedAtOnceWhileAKeepAliveRefreshIsInFlight) {
  options.keepalive_idle_ms = 30 * kMinute;
  make_connected("sf");
  std::atomic<bool> in_refresh{false}, release{false};
  endpoint.on_refresh = [&] {
    in_refresh.store(true);
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  fx.clock.advance_ms(31 * kMinute);
  manager->maintain();
  ASSERT_TRUE(eventually([&] { return in_refresh.load(); }));
  auto t = manager->token("sf");  // does not wait for the refresh
  ASSERT_TRUE(t);
  EXPECT_EQ(t->access_token, "at-1");
  release.store(true);
  ASSERT_TRUE(eventually([&] { return manager->token("sf")->access_token == "at-2"; }));
}

TEST_F(ConnectionTest, ShutdownDuringASentTokenRequestWaitsForItAndStoresTheRotation) {
  options.refresh_timeout_ms = 1000;
  options.token_response_ms = 120'000;
  make_connected("sf");
  std::atomic<bool> sent{false};
  endpoint.on_refresh = [&] {
    sent.store(true);
    // The provider has rotated; its answer arrives after the host was told to stop and after
    // the refresh's own deadline.
    fx.clock.advance_ms(5000);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  };
  std::thread caller([&] { (void)manager->refresh_now("sf"); });
  ASSERT_TRUE(eventually([&] { return sent.load(); }));
  manager->shutdown_all();  // returns only once the refresh has finished
  caller.join();
  auto secret = fx.store.secret_get("sf", kCredentialsSecretName);
  EXPECT_NE((*secret)->value.find("rt-2"), std::string::npos);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
  for (const auto& req : fx.http.seen()) {
    if (req.body.find("grant_type=refresh_token") != std::string::npos) {
      EXPECT_GE(req.timeout_ms, 120'000u);  // not capped by the 1 s refresh deadline
    }
  }
}

// Another host or process on this state holds a refresh with the same refresh token at the
// provider: the refresh waits for that result to be stored and adopts it, and the refresh
// token is never sent a second time (with rotation, a reuse revokes the whole grant).
TEST_F(ConnectionTest, ARefreshInFlightElsewhereIsAdoptedOnceStoredAndNeverResent) {
  options.refresh_in_flight_wait_ms = 60'000;
  options.refresh_in_flight_poll_ms = 5;
  make_connected("sf");
  endpoint.next_status = 409;
  endpoint.on_refresh = [&] {
    // The other process's request wins and stores its rotation while ours is answered.
    auto cur = fx.store.secret_get("sf", kCredentialsSecretName);
    ASSERT_TRUE(cur && cur->has_value());
    ASSERT_TRUE(fx.store.secret_put("sf", kCredentialsSecretName,
                                    R"({"access_token":"at-theirs","refresh_token":"rt-theirs"})",
                                    (*cur)->version));
  };
  ASSERT_TRUE(manager->refresh_now("sf"));
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
  auto token = manager->token("sf");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->access_token, "at-theirs");
  EXPECT_EQ(token_posts(), 2u);  // authorize, then the one refresh that met the other
}

TEST_F(ConnectionTest, ARefreshInFlightElsewhereThatNeverStoresDisconnectsWithoutResending) {
  options.refresh_in_flight_wait_ms = 50;
  options.refresh_in_flight_poll_ms = 5;
  make_connected("sf");
  endpoint.next_status = 409;
  Status s = manager->refresh_now("sf");
  ASSERT_FALSE(s);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kDisconnected);
  auto token = manager->token("sf");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().cls, ErrorClass::kAuthRevoked);
  auto row = fx.store.get_connection("sf");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_NE((*row)->reason.find("token request is already being processed"), std::string::npos)
      << (*row)->reason;
  EXPECT_NE((*row)->reason.find("not sent again"), std::string::npos) << (*row)->reason;
  // No backoff retry either: the scheduler's maintenance does not send it.
  manager->maintain();
  EXPECT_EQ(token_posts(), 2u);
}

// Salesforce keeps 5 approvals per user and connected app and revokes the oldest on another:
// authorizing a second connection as the same user warns, naming the first, and the first's
// refresh rejected after that says it was probably the limit. (The fake endpoint accepts only
// the newest refresh token, as if each authorize revoked the grant before it.)
TEST_F(ConnectionTest, TheSameUserAuthorizedTwiceWarnsAndTheRevokedOneSaysWhy) {
  make_connected("sf-a");
  fx.clock.advance_ms(kMinute);
  TestInstance& b = make_instance("sf-b");
  ASSERT_TRUE(manager->add("sf-b", credential(b)));
  auto out = manager->authorize("sf-b", R"({"step":"callback","code":"c1"})");
  ASSERT_TRUE(out) << out.error().message;
  const boost::json::value answer = boost::json::parse(*out);
  ASSERT_TRUE(answer.as_object().contains("warnings")) << *out;
  const std::string warning(answer.at("warnings").as_array().back().as_string());
  EXPECT_NE(warning.find("'sf-a'"), std::string::npos) << warning;
  EXPECT_NE(warning.find("5 approvals"), std::string::npos) << warning;

  Status refreshed = manager->refresh_now("sf-a");
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(manager->state("sf-a"), ConnectionState::kDisconnected);
  auto row = fx.store.get_connection("sf-a");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_NE((*row)->reason.find("probably revoked by Salesforce's limit of 5 approvals"),
            std::string::npos)
      << (*row)->reason;
  EXPECT_NE((*row)->reason.find("'sf-b'"), std::string::npos) << (*row)->reason;
}

// A user authorized once is no warning, and a dead grant without another authorize since is
// not blamed on the limit.
TEST_F(ConnectionTest, ADeadGrantWithoutAnotherAuthorizeIsNotBlamedOnTheApprovalLimit) {
  auto& a = make_connected("sf-a");
  (void)a;
  endpoint.next_status = 400;
  ASSERT_FALSE(manager->refresh_now("sf-a"));
  auto row = fx.store.get_connection("sf-a");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->reason.find("approvals"), std::string::npos) << (*row)->reason;
}

TEST_F(ConnectionTest, UnauthorizedRightAfterARefreshForOneDisconnectsWithAReason) {
  make_connected("sf");
  auto t1 = manager->token("sf");
  auto t2 = manager->token("sf", t1->generation);  // 401 -> refresh
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->access_token, "at-2");
  auto t3 = manager->token("sf", t2->generation);  // the fresh token is rejected too
  ASSERT_FALSE(t3);
  EXPECT_EQ(t3.error().cls, ErrorClass::kAuthRevoked);
  EXPECT_NE(t3.error().message.find("HTTP 401 persists after a successful refresh"),
            std::string::npos);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kDisconnected);
  EXPECT_EQ(token_posts(), 2u);  // no refresh spent on it
  ASSERT_TRUE(board.get("sf")->last_error);
}

TEST_F(ConnectionTest, RefreshKeepsTheIdentityTheProviderDoesNotRepeat) {
  make_connected("sf");
  ASSERT_TRUE(manager->token("sf", 0));  // refresh: identity {user_id} only
  auto row = fx.store.get_connection("sf");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_NE((*row)->identity_json.find("integration@example.com"), std::string::npos)
      << (*row)->identity_json;
  EXPECT_NE((*row)->identity_json.find("00Dfake"), std::string::npos);
}

TEST_F(ConnectionTest, MarginLongerThanAShortTokenLifetimeIsClamped) {
  endpoint.expires_in_ms = 60'000;  // a 60 s token, and the margin is 5 minutes
  make_connected("sf");
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(manager->token("sf"));
  EXPECT_EQ(token_posts(), 1u);  // not one refresh per call
  EXPECT_TRUE(fx.log.contains("more than a quarter of the access token's"));
  fx.clock.advance_ms(50'000);  // within 15 s of expiry
  EXPECT_EQ(manager->token("sf")->access_token, "at-2");
}

TEST_F(ConnectionTest, DisableReachesThePluginOnceAlsoAfterARestart) {
  make_connected("sf");
  ASSERT_TRUE(manager->disable("sf", ""));
  ASSERT_TRUE(manager->disable("sf", ""));
  TestInstance& inst = *instances["sf"];
  manager = std::make_unique<ConnectionManager>(fx.services(), options, &board);
  ASSERT_TRUE(manager->add("sf", credential(inst)));
  ASSERT_TRUE(manager->disable("sf", ""));
  size_t runs = 0;
  for (const auto& l : fx.log.lines()) runs += l.find("disable hook ran") != std::string::npos;
  EXPECT_EQ(runs, 1u);
}

}  // namespace
}  // namespace chost::runtime::testing
