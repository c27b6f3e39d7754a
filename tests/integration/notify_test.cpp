// host.notify end to end: the real connector-host binary with the salesforce plugin against the
// local Salesforce peer and a webhook receiver in the test, on loopback.
//   the peer revokes the refresh token, the admin presses Refresh → connection.disconnected,
//   queued while the receiver is down (retried, the attempts and the libcurl reason shown by
//   GET /api/v1/notifications), still queued when the host stops;
//   the receiver comes up and the host restarts → the restarted host delivers it;
//   the receiver goes down again and the admin logs in again → connection.recovered, retried
//   until the receiver is back, then delivered;
// the receiver saw each event exactly once, signed (the signature verifies), with the event id
// as Idempotency-Key, and no secret in the host's output.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../unit/common/prometheus_text.hpp"
#include "../unit/http/loopback_server.hpp"
#include "chost/runtime/webhook_signature.hpp"
#include "host_process.hpp"
#include "loopback_http.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

using http::testing::CannedResponse;
using http::testing::LoopbackServer;
using http::testing::ReceivedRequest;

constexpr int kWaitMs = 30000;  // hang guard only
constexpr const char* kSecret = "it-notify-consumer-secret-41ab";
constexpr const char* kWebhookSecret = "it-notify-webhook-secret-9f3e77";
constexpr const char* kAdminToken = "it-notify-admin-token-c0ffee12";

// A free port below the ephemeral range (32768+): while the receiver is down, the host's
// connection attempts to it come from ephemeral ports, and one of those could otherwise be the
// receiver's own port (a TCP self-connect holding it).
uint16_t free_port_below_ephemeral() {
  std::random_device rd;
  for (int i = 0; i < 200; ++i) {
    const uint16_t port = static_cast<uint16_t>(20000 + rd() % 12000);
    try {
      LoopbackServer probe([](const ReceivedRequest&, size_t) { return CannedResponse{}; }, port);
      return port;
    } catch (const std::exception&) {
    }
  }
  return 0;
}

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sf_ = start_salesforce_peer(dir_, kSecret, kWaitMs);
    ASSERT_FALSE(sf_.base_url.empty()) << sf_.process->err();
    setenv("CHOST_IT_SF_KEY", std::string(64, 'd').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    setenv("CHOST_IT_NOTIFY_ADMIN", kAdminToken, 1);
    setenv("CHOST_IT_NOTIFY_SECRET", kWebhookSecret, 1);
    admin_port_ = free_port();
    receiver_port_ = free_port_below_ephemeral();
    ASSERT_NE(receiver_port_, 0);
    write_config("[{ name: Account, fields: [Name] }]");
  }

  void write_config(const std::string& crm_objects) {
    SalesforceHostYaml yaml;
    yaml.crm_objects = crm_objects;
    yaml.extra_host_lines = "  admin: { listen: \"127.0.0.1:" + std::to_string(admin_port_) +
                            "\", token: \"${env:CHOST_IT_NOTIFY_ADMIN}\" }\n"
                            "  notify:\n"
                            "    webhooks:\n"
                            "      - name: ops\n"
                            "        url: \"http://127.0.0.1:" +
                            std::to_string(receiver_port_) +
                            "/hooks/chost\"\n"
                            "        secret: \"${env:CHOST_IT_NOTIFY_SECRET}\"\n"
                            "    initial_backoff: 100ms\n"
                            "    max_backoff: 500ms\n"
                            "    timeout: 5s\n";
    dir_.write("host.yaml", salesforce_host_yaml(sf_, yaml));
  }

  void TearDown() override {
    if (host_) host_->signal(SIGTERM);
    if (sf_.process) sf_.process->signal(SIGTERM);
  }

  void authorize() {
    CommandResult auth =
        run_host_command(dir_.path(),
                         {"authorize", "crm", "-c", "host.yaml", "--follow", "--redirect-port",
                          std::to_string(sf_.redirect_port), "--timeout", "30"},
                         "authorize");
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
    outputs_ += auth.out + auth.err;
  }

  void start_host(const std::string& tag) {
    host_ = std::make_unique<HostProcess>(dir_.path(),
                                          std::vector<std::string>{"run", "-c", "host.yaml"}, tag);
    ASSERT_TRUE(host_->wait_for_log("running; pid", kWaitMs)) << host_->err();
  }

  void stop_host() {
    host_->signal(SIGTERM);
    EXPECT_EQ(host_->wait_exit(kWaitMs), std::optional<int>(0)) << host_->err();
    outputs_ += host_->out() + host_->err();
    host_.reset();
  }

  boost::json::value notifications() {
    HttpReply r = loopback_http(admin_port_, "GET", "/api/v1/notifications", "", kAdminToken);
    if (r.status != 200) return boost::json::object{};
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    return ec ? boost::json::value(boost::json::object{}) : v;
  }

  // The row of `event`, once it has failed at least `attempts` times while pending (the
  // receiver is down); null after the hang guard.
  boost::json::value wait_retrying(const std::string& event, int64_t attempts) {
    for (int i = 0; i < kWaitMs / 50; ++i) {
      boost::json::value v = notifications();
      if (const auto* items = v.as_object().if_contains("notifications")) {
        for (const auto& n : items->as_array()) {
          if (n.at("event") == event.c_str() && n.at("state") == "pending" &&
              n.at("attempts").as_int64() >= attempts) {
            return n;
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return nullptr;
  }

  bool wait_received(size_t count) {
    for (int i = 0; i < kWaitMs / 20; ++i) {
      if (receiver_ && receiver_->request_count() >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  bool wait_queue_empty() {
    for (int i = 0; i < kWaitMs / 50; ++i) {
      boost::json::value v = notifications();
      if (const auto* c = v.as_object().if_contains("counts")) {
        if (c->at("pending") == 0) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void receiver_up() {
    receiver_ = std::make_unique<LoopbackServer>(
        [this](const ReceivedRequest& r, size_t) {
          std::lock_guard<std::mutex> lock(mu_);
          received_.push_back(r);
          return CannedResponse{204, {}, ""};
        },
        receiver_port_);
  }

  boost::json::object crm_view() {
    HttpReply r = loopback_http(admin_port_, "GET", "/api/v1/connectors/crm", "", kAdminToken);
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    return r.status == 200 && !ec && v.is_object() ? v.as_object() : boost::json::object{};
  }

  static int64_t last_sync_ms(const boost::json::object& view) {
    const boost::json::value* v = view.if_contains("last_sync_at_ms");
    return v && v->is_int64() ? v->as_int64() : 0;
  }

  // POST .../crm/sync, then waits (bounded) until a run ended after it.
  void sync_and_wait() {
    const int64_t before = last_sync_ms(crm_view());
    HttpReply sync =
        loopback_http(admin_port_, "POST", "/api/v1/connectors/crm/sync", "", kAdminToken);
    ASSERT_EQ(sync.status, 200) << sync.body;
    for (int i = 0; i < kWaitMs / 50 && last_sync_ms(crm_view()) <= before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GT(last_sync_ms(crm_view()), before) << host_->err();
  }

  size_t received_events(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const ReceivedRequest& r : received_) n += r.header("X-Chost-Event") == event ? 1 : 0;
    return n;
  }

  TempDir dir_;
  SalesforcePeerForTest sf_;
  std::unique_ptr<HostProcess> host_;
  std::unique_ptr<LoopbackServer> receiver_;
  uint16_t admin_port_ = 0;
  uint16_t receiver_port_ = 0;
  std::mutex mu_;
  std::vector<ReceivedRequest> received_;  // across receiver restarts
  std::string outputs_;
};

TEST_F(NotifyTest, AWebhookSeesDisconnectedAndRecoveredExactlyOnceThroughOutagesAndARestart) {
  authorize();  // on the stopped host: unauthorized → connected is no event
  start_host("run-1");

  // The refresh token dies; Refresh says so and the connection is disconnected. The receiver is
  // down: the delivery is retried, with the reason shown to the admin.
  ASSERT_TRUE(peer_control(sf_, "POST", "tokens/revoke"));
  HttpReply refresh =
      loopback_http(admin_port_, "POST", "/api/v1/connectors/crm/refresh", "", kAdminToken);
  EXPECT_NE(refresh.status, 200) << refresh.body;
  boost::json::value pending = wait_retrying("connection.disconnected", 2);
  ASSERT_TRUE(pending.is_object()) << boost::json::serialize(notifications());
  EXPECT_EQ(pending.at("webhook"), "ops");
  EXPECT_NE(std::string(pending.at("last_error").as_string()).find("127.0.0.1"), std::string::npos)
      << pending;
  EXPECT_EQ(pending.at("payload").at("connection"), "crm");
  EXPECT_NE(std::string(pending.at("payload").at("reason").as_string()).find("invalid_grant"),
            std::string::npos)
      << pending;
  stop_host();  // still undelivered

  // The receiver comes up; the restarted host delivers what the first one left.
  receiver_up();
  start_host("run-2");
  ASSERT_TRUE(wait_received(1)) << host_->err();
  ASSERT_TRUE(wait_queue_empty());

  // Down again; the admin logs in again: recovered, retried until the receiver is back.
  receiver_.reset();
  authorize();  // through the running host's admin API
  pending = wait_retrying("connection.recovered", 1);
  ASSERT_TRUE(pending.is_object()) << boost::json::serialize(notifications());
  receiver_up();
  ASSERT_TRUE(wait_received(1)) << host_->err();
  ASSERT_TRUE(wait_queue_empty());
  boost::json::value listed = notifications();
  EXPECT_EQ(listed.at("counts").at("delivered"), 2) << listed;

  // JSON logs: every line of a sync (the host's, the plugin's, its HTTP requests) names the
  // connector.
  HttpReply sync =
      loopback_http(admin_port_, "POST", "/api/v1/connectors/crm/sync", "", kAdminToken);
  EXPECT_EQ(sync.status, 200) << sync.body;
  ASSERT_TRUE(host_->wait_for_log("sync finished", kWaitMs)) << host_->err();
  const std::string log = host_->err();
  int sync_lines = 0;
  for (size_t at = 0, end; at < log.size(); at = end + 1) {
    end = log.find('\n', at);
    if (end == std::string::npos) end = log.size();
    boost::system::error_code ec;
    boost::json::value line = boost::json::parse(log.substr(at, end - at), ec);
    ASSERT_FALSE(ec) << "not a JSON line: " << log.substr(at, end - at);
    const std::string msg(line.at("msg").as_string());
    if (!msg.starts_with("sync ") && !msg.starts_with("http: ")) continue;
    // Webhook deliveries are the host's own requests, not the connector's.
    if (msg.find("/hooks/chost") != std::string::npos) continue;
    ++sync_lines;
    const auto* connector = line.as_object().if_contains("connector");
    EXPECT_TRUE(connector && *connector == "crm") << log.substr(at, end - at);
  }
  EXPECT_GE(sync_lines, 2);  // at least one request and the finish

  // /metrics: the whole output is a valid exposition, with the ops series, and no label carries
  // an email or a secret.
  HttpReply metrics = loopback_http(admin_port_, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const testing::PromParse prom = testing::parse_prometheus_text(metrics.body);
  EXPECT_EQ(prom.problems, std::vector<std::string>{}) << metrics.body;
  auto value = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& sample : prom.samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
    return -1.0;
  };
  EXPECT_EQ(value("chost_connection_state", {{"connection", "crm"}, {"state", "connected"}}), 1);
  EXPECT_EQ(value("chost_connection_state", {{"connection", "crm"}, {"state", "disconnected"}}), 0);
  EXPECT_EQ(value("chost_notifications", {{"state", "delivered"}}), 2);
  EXPECT_EQ(
      value("chost_notification_deliveries_total", {{"webhook", "ops"}, {"result", "delivered"}}),
      2);  // this run delivered both: the disconnect the first run left, and the recovery
  EXPECT_GE(value("chost_notification_deliveries_total", {{"webhook", "ops"}, {"result", "error"}}),
            1);
  EXPECT_GE(value("chost_sync_runs_total", {{"connector", "crm"}, {"result", "ok"}}), 1);
  EXPECT_GE(value("chost_sync_duration_seconds_count", {{"connector", "crm"}}), 1);
  EXPECT_GT(value("chost_connector_last_success_timestamp_seconds", {{"connector", "crm"}}), 0);
  EXPECT_GT(value("chost_uptime_seconds", {}), 0);
  // Records and API quota from the sync summaries: the counters hold at least the last run's
  // figures, the quota gauges are the last run's.
  const HttpReply crm =
      loopback_http(admin_port_, "GET", "/api/v1/connectors/crm", "", kAdminToken);
  ASSERT_EQ(crm.status, 200) << crm.body;
  const boost::json::value summary = boost::json::parse(crm.body).at("last_summary");
  ASSERT_TRUE(summary.is_object()) << crm.body;
  for (const char* kind : {"in", "out", "failed"}) {
    EXPECT_GE(value("chost_sync_records_total", {{"connector", "crm"}, {"kind", kind}}),
              static_cast<double>(summary.at("records").at(kind).as_int64()))
        << kind << " " << metrics.body;
  }
  EXPECT_EQ(value("chost_api_quota_used", {{"connector", "crm"}}),
            static_cast<double>(summary.at("api_quota").at("used").as_int64()));
  EXPECT_EQ(value("chost_api_quota_limit", {{"connector", "crm"}}), 15000);  // the peer's default
  EXPECT_TRUE(prom.types.count("chost_build_info"));
  for (const auto& sample : prom.samples) {
    for (const auto& [k, v] : sample.labels) {
      EXPECT_EQ(v.find('@'), std::string::npos) << sample.name << " " << k << "=" << v;
      for (const char* secret : {kSecret, kWebhookSecret, kAdminToken}) {
        EXPECT_EQ(v.find(secret), std::string::npos) << sample.name;
      }
    }
  }
  stop_host();

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> events;
  for (const ReceivedRequest& r : received_) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hooks/chost");
    const boost::json::value body = boost::json::parse(r.body);
    events.emplace_back(body.at("event").as_string());
    EXPECT_EQ(r.header("X-Chost-Event").value_or(""), body.at("event").as_string());
    EXPECT_EQ(r.header("Idempotency-Key").value_or(""), body.at("id").as_string());
    EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json");
    // As a receiver verifies it: the MAC over "<t>.<body>" and a recent t.
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    EXPECT_TRUE(runtime::verify_webhook_signature(
        kWebhookSecret, r.header("X-Chost-Signature").value_or(""), r.body, now_s, 300))
        << r.header("X-Chost-Signature").value_or("(none)");
    EXPECT_EQ(body.at("connection"), "crm");
  }
  EXPECT_EQ(events, (std::vector<std::string>{"connection.disconnected", "connection.recovered"}));
  for (const char* secret : {kSecret, kWebhookSecret, kAdminToken}) {
    EXPECT_EQ(outputs_.find(secret), std::string::npos) << secret;
  }
}

// A run the org's API quota stops (the salesforce plugin's guard at 90%) ends paused, not
// failed; the webhook hears quota.paused once for the pause, however many runs stay paused and
// also across a restart of the host.
TEST_F(NotifyTest, QuotaPausedIsSentOncePerPauseAlsoAcrossARestart) {
  // Two objects, so each run makes a second call the guard can refuse.
  write_config("[{ name: Account, fields: [Name] }, { name: Contact, fields: [LastName] }]");
  receiver_up();
  authorize();
  start_host("run-1");
  ASSERT_TRUE(peer_control(sf_, "POST", "limits",
                           boost::json::object{{"daily_api_max", 100}, {"daily_api_used", 95}}));
  ASSERT_NO_FATAL_FAILURE(sync_and_wait());
  ASSERT_NO_FATAL_FAILURE(sync_and_wait());
  const boost::json::object crm = crm_view();
  ASSERT_TRUE(crm.at("last_summary").is_object()) << crm;
  EXPECT_EQ(crm.at("last_summary").at("paused").at("reason"), "api_quota") << crm;
  EXPECT_TRUE(crm.at("last_error").is_null()) << crm;
  ASSERT_TRUE(wait_received(1)) << host_->err();
  ASSERT_TRUE(wait_queue_empty());

  stop_host();
  start_host("run-2");
  ASSERT_NO_FATAL_FAILURE(sync_and_wait());
  ASSERT_TRUE(wait_queue_empty());
  EXPECT_EQ(received_events("quota.paused"), 1u);
  EXPECT_EQ(received_events("connector.failed"), 0u);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const ReceivedRequest& r : received_) {
      if (r.header("X-Chost-Event") != "quota.paused") continue;
      const boost::json::value body = boost::json::parse(r.body);
      EXPECT_EQ(body.at("connector"), "crm") << r.body;
      EXPECT_EQ(body.at("reason"), "api_quota") << r.body;
      EXPECT_EQ(body.at("quota_limit"), 100) << r.body;
      EXPECT_GE(body.at("quota_used").as_int64(), 95) << r.body;
      EXPECT_NE(std::string(body.at("message").as_string()).find("API quota threshold reached"),
                std::string::npos)
          << r.body;
    }
  }
  // /metrics has the quota of the last run.
  HttpReply metrics = loopback_http(admin_port_, "GET", "/metrics");
  const testing::PromParse prom = testing::parse_prometheus_text(metrics.body);
  EXPECT_EQ(prom.problems, std::vector<std::string>{}) << metrics.body;
  double limit = -1;
  for (const auto& sample : prom.samples) {
    if (sample.name == "chost_api_quota_limit" &&
        sample.labels == std::map<std::string, std::string>{{"connector", "crm"}}) {
      limit = sample.value;
    }
  }
  EXPECT_EQ(limit, 100) << metrics.body;
  stop_host();
}

}  // namespace
}  // namespace chost::integration
