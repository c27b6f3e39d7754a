// The runtime ports over common/ and http/: log lines in the configured format with registered
// secrets masked, metrics labelled by connector, HTTP responses streamed back, transport
// failures transient and cancelled requests cancelled.
#include "chost/app/common_ports.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "chost/app/http_client_port.hpp"
#include "chost/app/loopback_redirect.hpp"

namespace chost::app {
namespace {

class CommonPortsTest : public ::testing::Test {
 protected:
  CommonPortsTest() {
    log::LogOptions o;
    o.format = log::Format::kJson;
    o.level = log::Level::kInfo;
    o.sink = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    };
    log::init(std::move(o));
  }
  ~CommonPortsTest() override { log::init(log::LogOptions{}); }  // drop the sink into lines_

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(CommonPortsTest, LogLinesAreJsonWithConnectorAndSecretsMasked) {
  runtime::Redactor& redactor = log::redactor();
  redactor.add("tok-port-secret-991");
  CommonLogPort log;
  log.log(runtime::LogLevel::kWarn, "sf", "token tok-port-secret-991 rejected");
  log.log(runtime::LogLevel::kDebug, "sf", "below the level");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find("tok-port-secret-991"), std::string::npos) << lines_[0];
  boost::json::object o = boost::json::parse(lines_[0]).as_object();
  EXPECT_NE(lines_[0].find("sf"), std::string::npos);
  EXPECT_NE(lines_[0].find("rejected"), std::string::npos);
  EXPECT_EQ(redactor.redact("x tok-port-secret-991 y").find("tok-port-secret-991"),
            std::string::npos);
}

TEST_F(CommonPortsTest, MetricsAreLabelledByConnector) {
  metrics::Registry reg;
  RegistryMetricsPort port(reg);
  port.counter_add("chp_plugin_records_total", "sf", 2);
  port.counter_add("chp_plugin_records_total", "sf", 3);
  port.gauge_set("chp_plugin_backlog", "rw", 7);
  port.gauge_set("chost_up", "", 1);
  EXPECT_EQ(reg.value("chp_plugin_records_total", {{"connector", "sf"}}), 5.0);
  EXPECT_EQ(reg.value("chp_plugin_backlog", {{"connector", "rw"}}), 7.0);
  EXPECT_EQ(reg.value("chost_up", {}), 1.0);
}

TEST_F(CommonPortsTest, HttpResponseIsStreamedToTheHandler) {
  http::HttpClient client(http::HttpClientOptions{});
  HttpClientPort port(client);
  auto server = LoopbackRedirect::listen();  // answers GET /callback with a small HTML page
  ASSERT_TRUE(server);
  Result<std::map<std::string, std::string>> got = Error::permanent("not run");
  std::thread t([&] { got = server->wait(10000); });
  std::string body;
  bool saw_content_type = false;
  runtime::HttpResponseHandler handler;
  handler.on_header = [&](std::string_view name, std::string_view) {
    if (name == "Content-Type" || name == "content-type") saw_content_type = true;
  };
  handler.on_body = [&](std::string_view chunk) { body.append(chunk); };
  const std::string url = server->redirect_uri() + "?code=c1";
  runtime::HttpRequestSpec req;
  req.method = "GET";
  req.url = url;
  req.timeout_ms = 10000;
  std::atomic<bool> cancelled{false};
  auto status = port.perform(req, handler, cancelled);
  t.join();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->status, 200u);
  EXPECT_EQ(status->attempts, 1u);
  EXPECT_EQ(status->waited_ms, 0u);
  EXPECT_TRUE(saw_content_type);
  EXPECT_NE(body.find("Authorization received"), std::string::npos);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["code"], "c1");
}

TEST_F(CommonPortsTest, RefusedConnectionIsTransientAndCancelledIsCancelled) {
  http::HttpClient client(http::HttpClientOptions{});
  HttpClientPort port(client);
  runtime::HttpRequestSpec req;
  req.method = "GET";
  req.url = "http://127.0.0.1:1/nothing-listens-here";
  req.timeout_ms = 5000;
  req.no_retry = true;
  std::atomic<bool> cancelled{false};
  auto refused = port.perform(req, {}, cancelled);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().cls, ErrorClass::kTransient);
  cancelled.store(true);
  auto cancel = port.perform(req, {}, cancelled);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().cls, ErrorClass::kCancelled);
}

}  // namespace
}  // namespace chost::app
