// Admin server transport: keep-alive, request limits, concurrency, the connection limit,
// startup errors and graceful stop.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

TEST_F(AdminServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestConnection c(server_->port());
  auto first = c.request("GET", "/api/v1/connectors/sf", kToken);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_TRUE(first->keep_alive);
  auto second = c.request("GET", "/healthz");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

TEST_F(AdminServerTest, ConnectionCloseIsHonoured) {
  TestConnection c(server_->port());
  auto r = c.request("GET", "/healthz", "", "", {{"Connection", "close"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(AdminServerTest, OversizedBodyIsRefusedWith413) {
  TestConnection c(server_->port());
  c.send_raw(
      "POST /api/v1/connectors/sf/authorize HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
      "Authorization: Bearer " +
      std::string(kToken) + "\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(backend_.call_count("authorize"), 0);
}

TEST_F(AdminServerTest, OversizedHeaderIsRefusedWith431) {
  TestConnection c(server_->port());
  c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') +
             "\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(AdminServerTest, MalformedRequestIsRefusedWith400) {
  TestConnection c(server_->port());
  c.send_raw("this is not http\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(AdminServerTest, ServesConcurrentClients) {
  constexpr int kClients = 6;
  constexpr int kRequestsEach = 5;
  std::vector<int> ok(kClients, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      TestConnection c(server_->port());
      for (int n = 0; n < kRequestsEach; ++n) {
        auto r = c.request("GET", "/api/v1/connectors", kToken);
        if (r && r->status == 200) ++ok[i];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(ok[i], kRequestsEach) << "client " << i;
  EXPECT_EQ(backend_.call_count("connectors"), kClients * kRequestsEach);
}

TEST_F(AdminServerTest, ProbesAnswerWhileAWorkerIsBusy) {
  backend_.hold_sync();
  std::optional<TestResponse> synced;
  std::thread slow([&] { synced = post("/api/v1/connectors/mirror/sync"); });
  ASSERT_TRUE(backend_.wait_sync_entered(1));
  auto health = get("/healthz", "");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  backend_.release_sync();
  slow.join();
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->status, 200);
}

TEST_F(AdminServerTest, ConnectionsBeyondTheLimitAreClosedWhenEveryOneIsInARequest) {
  AdminOptions options;
  options.max_connections = 1;
  start(options);
  TestConnection first(server_->port());
  first.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // in a request: not evictable
  TestConnection second(server_->port());
  EXPECT_TRUE(second.closed_by_peer());
  first.send_raw("\r\n");
  auto r = first.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(AdminServerTest, AnIdleConnectionMakesRoomForANewOneAtTheLimit) {
  AdminOptions options;
  options.max_connections = 1;
  start(options);
  TestConnection first(server_->port());
  ASSERT_TRUE(first.request("GET", "/healthz"));  // now an idle keep-alive connection
  TestConnection second(server_->port());
  auto r = second.request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(first.closed_by_peer());  // the longest-idle one gave its place
}

// 300 sockets that never send a byte and 100 that send a request one byte at a time hold more
// than the connection cap: the probe still gets in (an idle socket is evicted for it) and is
// answered; the slow ones are cut at the read timeout. Bounded: every wait has a timeout.
TEST_F(AdminServerTest, ProbesAnswerUnderIdleAndSlowlorisClients) {
  AdminOptions options;
  options.read_timeout_ms = 2000;
  start(options);
  std::vector<std::unique_ptr<TestConnection>> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(std::make_unique<TestConnection>(server_->port()));
  std::vector<std::unique_ptr<TestConnection>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(std::make_unique<TestConnection>(server_->port()));
    slow.back()->send_raw("G");
  }
  for (int round = 0; round < 3; ++round) {
    auto probe = http_call(server_->port(), "GET", "/healthz");
    ASSERT_TRUE(probe) << "round " << round;
    EXPECT_EQ(probe->status, 200);
    auto ready = http_call(server_->port(), "GET", "/readyz");
    ASSERT_TRUE(ready) << "round " << round;
    for (auto& c : slow) c->send_raw("E");
  }
  int cut = 0;
  for (auto& c : slow) cut += c->closed_by_peer() ? 1 : 0;  // each read waits at most 10 s
  EXPECT_EQ(cut, 100);
}

TEST_F(AdminServerTest, GracefulStopFinishesTheRequestInFlight) {
  backend_.hold_sync();
  std::optional<TestResponse> synced;
  std::thread client([&] { synced = post("/api/v1/connectors/mirror/sync"); });
  ASSERT_TRUE(backend_.wait_sync_entered(1));
  std::thread stopper([&] { server_->stop(); });
  // Bounded: up to 10 s on a loaded machine; the threads are joined either way.
  for (int i = 0; i < 10000 && !server_->stopping_ForTest(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool stopping = server_->stopping_ForTest();
  backend_.release_sync();
  client.join();
  stopper.join();
  ASSERT_TRUE(stopping);
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->status, 200);
  EXPECT_FALSE(synced->keep_alive);  // no further requests on a stopping server
  TestConnection after(server_->port());
  EXPECT_FALSE(after.connected());
}

TEST_F(AdminServerTest, StopClosesIdleKeepAliveConnections) {
  TestConnection idle(server_->port());
  ASSERT_TRUE(idle.request("GET", "/healthz"));
  server_->stop();
  EXPECT_TRUE(idle.closed_by_peer());
  server_->stop();  // idempotent
}

TEST_F(AdminServerTest, ASlowRequestIsCutAtTheReadTimeout) {
  AdminOptions options;
  options.read_timeout_ms = 50;
  start(options);
  TestConnection c(server_->port());
  c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // the header never ends
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(AdminServerTest, AnIdleKeepAliveConnectionIsClosedAtTheIdleTimeout) {
  AdminOptions options;
  options.idle_timeout_ms = 50;
  start(options);
  TestConnection c(server_->port());
  auto r = c.request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->keep_alive);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(AdminServerStart, RefusesAnEmptyToken) {
  FakeAdminBackend backend;
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  AdminServer server(options, backend);
  auto started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().cls, ErrorClass::kConfig);
}

TEST(AdminServerStart, RefusesABadListenAddress) {
  FakeAdminBackend backend;
  for (const char* listen : {"nonsense", "example.com:80", "127.0.0.1:99999", "127.0.0.1:"}) {
    AdminOptions options;
    options.listen = listen;
    options.bearer_token = kToken;
    AdminServer server(options, backend);
    auto started = server.start();
    ASSERT_FALSE(started.ok()) << listen;
    EXPECT_EQ(started.error().cls, ErrorClass::kConfig) << listen;
  }
}

TEST(AdminServerStart, ReportsAPortInUseAsTransient) {
  FakeAdminBackend backend;
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  options.bearer_token = kToken;
  AdminServer first(options, backend);
  ASSERT_TRUE(first.start().ok());
  options.listen = "127.0.0.1:" + std::to_string(first.port());
  AdminServer second(options, backend);
  auto started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().cls, ErrorClass::kTransient);
  EXPECT_NE(started.error().message.find(options.listen), std::string::npos);
}

}  // namespace
}  // namespace chost::admin::testing
