// AdminClient against a real AdminServer on loopback (integration): every call, error classes
// carried over the wire, a refused token and a host that is not running.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chost/admin/admin_client.hpp"
#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

class AdminClientTest : public AdminServerTest {
 protected:
  AdminClient client() const { return AdminClient(server_->base_url() + "/", kToken); }
};

TEST_F(AdminClientTest, Probes) {
  auto health = client().healthz();
  ASSERT_TRUE(health.ok()) << health.error().message;
  EXPECT_EQ(health->at("ok"), true);
  auto ready = client().readyz();
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->at("ready"), true);
  backend_.set_ready(false, "connection sf is disconnected");
  auto not_ready = client().readyz();
  ASSERT_TRUE(not_ready.ok());
  EXPECT_EQ(not_ready->at("ready"), false);
  EXPECT_EQ(not_ready->at("reason"), "connection sf is disconnected");
  auto metrics = client().metrics();
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(*metrics, backend_.metrics_text());
}

TEST_F(AdminClientTest, ReadsConnectorsUsersAndHistory) {
  auto list = client().connectors();
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->at("connectors").as_array().size(), 2u);
  auto sf = client().connector("sf");
  ASSERT_TRUE(sf.ok());
  EXPECT_EQ(sf->at("state"), "connected");
  auto users = client().users("sf");
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->at("users").as_array().size(), 2u);
  auto history = client().history("sf", 1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->at("history").as_array().size(), 1u);
}

TEST_F(AdminClientTest, EncodesNamesInPaths) {
  auto odd = client().connector("a/b c");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().cls, ErrorClass::kNotFound);
  EXPECT_EQ(odd.error().message, "no connector named 'a/b c'");
}

TEST_F(AdminClientTest, AuthorizeAndActions) {
  auto started = client().authorize("sf");
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(started->at("authorize_url"), "https://login.example.com/authorize?x=1");
  EXPECT_EQ(backend_.last_redirect_uri(), server_->base_url() + "/oauth/callback");
  ASSERT_TRUE(client().authorize("sf", "http://127.0.0.1:1/cb").ok());
  EXPECT_EQ(backend_.last_redirect_uri(), "http://127.0.0.1:1/cb");

  auto disabled = client().disable("mirror");
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->at("connector").at("state"), "disabled");
  ASSERT_TRUE(client().enable("mirror").ok());
  ASSERT_TRUE(client().refresh("sf").ok());
  ASSERT_TRUE(client().sync("mirror").ok());
  EXPECT_EQ(backend_.call_count("sync"), 1);
}

TEST_F(AdminClientTest, ListsAndRetriesOutboxEntries) {
  auto failed = client().outbox("mirror", "failed");
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(failed->at("entries").as_array().size(), 2u);
  auto pending = client().outbox("mirror", "pending", 10);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->at("entries").as_array().size(), 1u);
  EXPECT_EQ(backend_.calls().back(), "outbox:mirror,pending,10");
  auto some = client().outbox_retry("mirror", {7, 9});
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_EQ(some->at("retried").as_array().size(), 2u);
  auto none = client().outbox_retry("mirror", {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->at("retried").as_array().empty());
  auto unknown = client().outbox_retry("mirror", {12345});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().cls, ErrorClass::kNotFound);
}

TEST_F(AdminClientTest, CarriesErrorClassAndMessage) {
  backend_.fail("refresh", Error::auth_revoked("refresh token revoked; re-authorize sf"));
  auto r = client().refresh("sf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cls, ErrorClass::kAuthRevoked);
  EXPECT_EQ(r.error().message, "refresh token revoked; re-authorize sf");
  backend_.fail("sync", Error::transient("peer down"));
  auto s = client().sync("mirror");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().cls, ErrorClass::kTransient);
}

TEST_F(AdminClientTest, WrongTokenIsAClearErrorWithoutTheToken) {
  AdminClient wrong(server_->base_url(), "not-the-token");
  auto r = wrong.connectors();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cls, ErrorClass::kConfig);
  EXPECT_NE(r.error().message.find("401"), std::string::npos);
  EXPECT_EQ(r.error().message.find("not-the-token"), std::string::npos);
  EXPECT_EQ(backend_.call_count("connectors"), 0);
}

TEST(AdminClientNoHost, SaysNoHostIsAnswering) {
  // A bound socket that does not listen: connecting is refused and no one else takes the port.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  AdminClient client(url, kToken);
  auto r = client.connectors();
  close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cls, ErrorClass::kTransient);
  EXPECT_EQ(r.error().message, "no host answering at " + url + ": connection refused");
  auto health = client.healthz();
  ASSERT_FALSE(health.ok());
}

}  // namespace
}  // namespace chost::admin::testing
