// ConnectionManager through the fake plugin .so: authorize, single-flight refresh, refresh
// ahead of expiry, rotation durability (failed store, CAS conflict), auth_revoked, backoff,
// keep-alive.
#include "chost/runtime/connection_manager.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "chost/runtime/host_callbacks.hpp"
#include "runtime_fixture.hpp"

namespace chost::runtime::testing {
namespace {

using ConnectionManagerTest = RuntimeFixture;
constexpr int64_t kMinute = 60 * 1000;

bool has_entry(const std::vector<std::string>& history, std::string_view needle) {
  for (const auto& h : history) {
    if (h.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_F(ConnectionManagerTest, AuthorizeStoresCredentialsAndReturnsOnlyPublicOutput) {
  TestInstance& inst = make_instance("sf");
  ASSERT_TRUE(manager->add("sf", credential(inst)));
  EXPECT_EQ(manager->state("sf"), ConnectionState::kUnauthorized);

  auto start = manager->authorize("sf", R"({"step":"start","redirect_uri":"http://x"})");
  ASSERT_TRUE(start);
  EXPECT_NE(start->find("authorize_url"), std::string::npos);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kUnauthorized);

  auto done = manager->authorize("sf", R"({"step":"callback","code":"c0"})");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->find("credentials"), std::string::npos);
  EXPECT_EQ(done->find("rt-1"), std::string::npos);
  EXPECT_EQ(done->find("at-1"), std::string::npos);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);

  auto secret = fx.store.secret_get("sf", kCredentialsSecretName);
  ASSERT_TRUE(secret && secret->has_value());
  EXPECT_NE((*secret)->value.find("rt-1"), std::string::npos);
  auto row = fx.store.get_connection("sf");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->public_json.find("at-1"), std::string::npos);  // token not in public part
  EXPECT_NE((*row)->public_json.find("instance_url"), std::string::npos);
  EXPECT_TRUE(has_entry(fx.store.history_ForTest("sf"), "unauthorized->connected"));

  auto tok = manager->token("sf");
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->access_token, "at-1");
  EXPECT_NE(tok->json.find("https://na1.example"), std::string::npos);
  EXPECT_NE(tok->json.find("Bearer"), std::string::npos);
}

TEST_F(ConnectionManagerTest, TokensFiledUnderConnectionAreKeptSecret) {
  token_in_connection = true;
  TestInstance& inst = make_instance("sf");
  ASSERT_TRUE(manager->add("sf", credential(inst)));
  auto done = manager->authorize("sf", R"({"step":"callback","code":"c0"})");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->find("at-1"), std::string::npos) << *done;  // not echoed to the admin
  auto row = fx.store.get_connection("sf");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->public_json.find("at-1"), std::string::npos);  // not stored in clear
  auto secret = fx.store.secret_get("sf", kCredentialsSecretName);
  ASSERT_TRUE(secret && secret->has_value());
  EXPECT_NE((*secret)->value.find("at-1"), std::string::npos);  // encrypted credentials
  auto tok = manager->token("sf");
  ASSERT_TRUE(tok) << tok.error().message;
  EXPECT_EQ(tok->access_token, "at-1");
  EXPECT_NE(tok->json.find("https://na1.example"), std::string::npos);
}

TEST_F(ConnectionManagerTest, ConcurrentCallersShareOneRefresh) {
  make_connected("sf");
  auto first = manager->token("sf");
  ASSERT_TRUE(first);
  constexpr size_t kCallers = 8;
  // The refresh request blocks until every caller is waiting on it (bounded).
  endpoint.on_refresh = [this] {
    for (int i = 0; i < 5000 && manager->callers_in_refresh_ForTest("sf") < kCallers; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  std::vector<std::thread> threads;
  std::vector<std::string> seen(kCallers);
  for (size_t i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      auto r = manager->token("sf", first->generation);
      seen[i] = r ? r->access_token : "error: " + r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(token_posts(), 2u);  // authorize + exactly one refresh
  for (const auto& s : seen) EXPECT_EQ(s, "at-2");
}

TEST_F(ConnectionManagerTest, RefreshesAheadOfExpiryByTheMargin) {
  endpoint.expires_in_ms = 60 * kMinute;
  make_connected("sf");
  fx.clock.advance_ms(50 * kMinute);  // 10 minutes left, margin is 5
  manager->maintain();
  auto tok = manager->token("sf");
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->access_token, "at-1");
  EXPECT_EQ(token_posts(), 1u);

  fx.clock.advance_ms(6 * kMinute);  // 4 minutes left: within the margin
  manager->maintain();               // queues the refresh on the connection's thread
  ASSERT_TRUE(eventually([&] { return token_posts() == 2u; }));
  tok = manager->token("sf");
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->access_token, "at-2");
  EXPECT_EQ(token_posts(), 2u);

  // Lazily too: a caller close to expiry triggers the refresh itself. The connection's thread
  // may still be finishing the last refresh (its grant applied and stored) when the clock jumps;
  // a caller then joins that one, so ask until the next caller starts its own.
  fx.clock.advance_ms(57 * kMinute);
  EXPECT_TRUE(eventually([&] {
    tok = manager->token("sf");
    return tok && tok->access_token == "at-3";
  }));
  EXPECT_EQ(token_posts(), 3u);
}

TEST_F(ConnectionManagerTest, NoExpiryMeansRefreshOnlyWhenRejected) {
  make_connected("sf");
  fx.clock.advance_ms(24 * 60 * kMinute);
  manager->maintain();
  auto tok = manager->token("sf");
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->access_token, "at-1");
  EXPECT_EQ(token_posts(), 1u);
  tok = manager->token("sf", tok->generation);
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->access_token, "at-2");
  // A stale rejection (of a generation already replaced) does not refresh again.
  auto again = manager->token("sf", tok->generation - 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->access_token, "at-2");
  EXPECT_EQ(token_posts(), 2u);
}

TEST_F(ConnectionManagerTest, StoreBusyDuringTheWriteIsRetriedAndTheRotationKept) {
  options.store_retry_initial_ms = 1;
  make_connected("sf");
  auto t1 = manager->token("sf");
  ASSERT_TRUE(t1);
  fx.store.fail_next_credentials_put = Error::transient("database is locked");
  fx.store.fail_credentials_puts_left = 3;  // of 5 attempts
  auto r = manager->token("sf", t1->generation);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_token, "at-2");
  EXPECT_TRUE(fx.log.contains("could not store credentials (attempt 3 of 5): database is locked"));
  auto secret = fx.store.secret_get("sf", kCredentialsSecretName);
  EXPECT_NE((*secret)->value.find("rt-2"), std::string::npos);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
}

TEST_F(ConnectionManagerTest, RotatedTokenIsNeverHandedOutBeforeItIsStored) {
  options.store_retry_initial_ms = 1;
  make_connected("sf");
  auto t1 = manager->token("sf");
  ASSERT_TRUE(t1);
  fx.store.fail_next_credentials_put = Error::transient("disk full");
  fx.store.fail_credentials_puts_left = 5;
  auto r = manager->token("sf", t1->generation);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().cls, ErrorClass::kAuthRevoked);
  EXPECT_FALSE(fx.log.contains("at-2"));
  EXPECT_FALSE(fx.log.contains("rt-2"));
  // Loud: an error line and the connection's state say why; nothing presents the lost pair.
  EXPECT_TRUE(
      fx.log.contains("could not store the refreshed credentials after 5 attempts: disk full"));
  EXPECT_EQ(manager->state("sf"), ConnectionState::kDisconnected);
  auto row = fx.store.get_connection("sf");
  EXPECT_NE((*row)->reason.find("disk full"), std::string::npos);
  fx.clock.advance_ms(kMinute);
  r = manager->token("sf", t1->generation);
  ASSERT_FALSE(r);
}

TEST_F(ConnectionManagerTest, OldTokenIsNeverPresentedAfterASuccessfulRotation) {
  make_connected("sf");
  auto t1 = manager->token("sf");
  ASSERT_TRUE(t1);
  auto t2 = manager->token("sf", t1->generation);
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->access_token, "at-2");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(manager->token("sf")->access_token, "at-2");
  // A restart (new manager over the same store) resumes from the stored rotation.
  TestInstance& inst = *instances["sf"];
  ConnectionManager restarted(fx.services(), options, &board);
  ASSERT_TRUE(restarted.add("sf", credential(inst)));
  auto t = restarted.token("sf");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->access_token, "at-2");
  auto again = restarted.token("sf", t->generation);
  ASSERT_TRUE(again) << again.error().message;  // rt-2 was the live refresh token
  EXPECT_EQ(again->access_token, "at-3");
}

TEST_F(ConnectionManagerTest, CasConflictAdoptsTheCredentialsStoredElsewhere) {
  make_connected("sf");
  auto t1 = manager->token("sf");
  fx.store.before_secret_put = [this] {
    // Another replica refreshed first and stored its pair.
    auto cur = fx.store.secret_get("sf", kCredentialsSecretName);
    ASSERT_TRUE(fx.store.secret_put("sf", kCredentialsSecretName,
                                    R"({"access_token":"at-other","refresh_token":"rt-other"})",
                                    (*cur)->version));
  };
  auto r = manager->token("sf", t1->generation);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_token, "at-other");
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
}

TEST_F(ConnectionManagerTest, AuthRevokedDisconnectsAndStopsRefreshing) {
  make_connected("sf");
  auto t1 = manager->token("sf");
  endpoint.next_status = 400;
  auto r = manager->token("sf", t1->generation);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().cls, ErrorClass::kAuthRevoked);
  EXPECT_EQ(manager->state("sf"), ConnectionState::kDisconnected);
  EXPECT_TRUE(has_entry(fx.store.history_ForTest("sf"), "refreshing->disconnected"));
  EXPECT_EQ(board.get("sf")->state, InstanceState::kDisconnected);
  const size_t posts = token_posts();
  for (int i = 0; i < 5; ++i) {
    fx.clock.advance_ms(60 * kMinute);
    manager->maintain();
    auto again = manager->token("sf", std::optional<uint64_t>(0));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().cls, ErrorClass::kAuthRevoked);
  }
  EXPECT_EQ(token_posts(), posts);
  EXPECT_EQ(fx.metrics.value("chost_connection_refresh_failures_total{connection=sf,reason="
                             "auth_revoked}"),
            1);  // the one refresh that was sent; refusals without a request are not counted
  // Only an admin brings it back.
  endpoint.next_status.reset();
  ASSERT_TRUE(manager->authorize("sf", R"({"step":"callback","code":"c1"})"));
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
}

TEST_F(ConnectionManagerTest, TransientFailuresBackOffWithGrowingJitteredDelays) {
  make_connected("sf");
  auto t1 = manager->token("sf");
  endpoint.next_status = 503;
  int64_t previous_base = 0;
  for (uint32_t attempt = 1; attempt <= 5; ++attempt) {
    const size_t posts = token_posts();
    auto r = manager->token("sf", t1->generation);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::kTransient);
    EXPECT_EQ(token_posts(), posts + 1);
    const int64_t delay = manager->next_attempt_at_ms_ForTest("sf") - fx.clock.steady_ms();
    const int64_t base = std::min<int64_t>(8000, 1000LL << (attempt - 1));
    EXPECT_GE(delay, base / 2);
    EXPECT_LE(delay, base);
    EXPECT_GE(base, previous_base);
    previous_base = base;
    // While backing off, callers get the shared failure without a new request.
    auto during = manager->token("sf", t1->generation);
    ASSERT_FALSE(during);
    EXPECT_EQ(token_posts(), posts + 1);
    EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
    fx.clock.advance_ms(delay);
  }
  EXPECT_EQ(fx.metrics.value("chost_connection_refresh_failures_total{connection=sf,reason="
                             "transient}"),
            5);
  EXPECT_EQ(fx.metrics.value("chost_connection_refreshes_total{connection=sf}"), 0);
  endpoint.next_status.reset();
  auto ok = manager->token("sf", t1->generation);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->access_token, "at-2");
  EXPECT_EQ(fx.metrics.value("chost_connection_refreshes_total{connection=sf}"), 1);
}

TEST_F(ConnectionManagerTest, KeepAliveRefreshesIdleConnections) {
  options.keepalive_idle_ms = 30 * kMinute;
  make_connected("sf");
  fx.clock.advance_ms(20 * kMinute);
  ASSERT_TRUE(manager->token("sf"));  // use resets the idle timer
  fx.clock.advance_ms(20 * kMinute);
  manager->maintain();
  EXPECT_EQ(token_posts(), 1u);
  fx.clock.advance_ms(11 * kMinute);
  manager->maintain();
  ASSERT_TRUE(eventually([&] { return token_posts() == 2u; }));
  // The answer is applied on the connection's thread after the request: wait for it too.
  EXPECT_TRUE(eventually([&] { return manager->token("sf")->access_token == "at-2"; }));
}

TEST_F(ConnectionManagerTest, DisableAndEnable) {
  make_connected("sf");
  ASSERT_TRUE(manager->disable("sf", ""));
  EXPECT_EQ(manager->state("sf"), ConnectionState::kDisabled);
  auto r = manager->token("sf");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().cls, ErrorClass::kAuthRevoked);
  ASSERT_TRUE(manager->enable("sf"));
  EXPECT_EQ(manager->state("sf"), ConnectionState::kConnected);
}

}  // namespace
}  // namespace chost::runtime::testing
