// Config -> runtime options: every duration lands in the right field, in milliseconds.
#include "chost/app/options.hpp"

#include <gtest/gtest.h>

namespace chost::app {
namespace {

using namespace std::chrono_literals;

TEST(OptionsTest, DurationsMapToMilliseconds) {
  config::HostSettings h;
  h.credentials.refresh_margin = 5min;
  h.credentials.keepalive_idle = 1h;
  h.timeouts.authorize = 2min;
  h.timeouts.refresh = 1min;
  h.timeouts.disable = 30s;
  h.timeouts.sync = 15min;
  h.restart.initial_backoff = 5s;
  h.restart.max_backoff = 10min;
  runtime::ConnectionOptions c = connection_options(h);
  EXPECT_EQ(c.refresh_margin_ms, 300000);
  EXPECT_EQ(c.keepalive_idle_ms, 3600000);
  EXPECT_EQ(c.authorize_timeout_ms, 120000);
  EXPECT_EQ(c.refresh_timeout_ms, 60000);
  EXPECT_EQ(c.disable_timeout_ms, 30000);
  EXPECT_EQ(c.backoff.initial_ms, 5000);
  EXPECT_EQ(c.backoff.max_ms, 600000);
  runtime::SchedulerOptions s = scheduler_options(h);
  EXPECT_EQ(s.sync_deadline_ms, 900000);
  EXPECT_EQ(s.restart_backoff.initial_ms, 5000);
  EXPECT_EQ(s.restart_backoff.max_ms, 600000);
}

TEST(OptionsTest, MaxBackoffNeverBelowInitial) {
  config::HostSettings h;
  h.restart.initial_backoff = 20min;
  h.restart.max_backoff = 1min;
  EXPECT_EQ(scheduler_options(h).restart_backoff.max_ms, 1200000);
}

TEST(OptionsTest, HttpClientOptionsFromHostHttp) {
  config::HostSettings h;
  h.http.proxy = "socks5h://proxy.internal:1080";
  h.http.ca_file = "/etc/chp/ca.pem";
  h.http.connect_timeout = 2s;
  h.http.request_timeout = 45s;
  const http::HttpClientOptions o = http_client_options(h);
  EXPECT_EQ(o.proxy, "socks5h://proxy.internal:1080");
  EXPECT_EQ(o.ca_file, "/etc/chp/ca.pem");
  EXPECT_EQ(o.connect_timeout_ms, 2000u);
  EXPECT_EQ(o.default_timeout_ms, 45000u);
  EXPECT_EQ(o.metrics, nullptr);  // the caller's registry
}

// Settings that never went through the loader keep the client's own defaults, no proxy and
// the system's CAs.
TEST(OptionsTest, HttpClientOptionsKeepTheClientDefaultsForUnsetValues) {
  const http::HttpClientOptions o = http_client_options(config::HostSettings{});
  const http::HttpClientOptions d;
  EXPECT_EQ(o.proxy, "");
  EXPECT_EQ(o.ca_file, "");
  EXPECT_EQ(o.connect_timeout_ms, d.connect_timeout_ms);
  EXPECT_EQ(o.default_timeout_ms, d.default_timeout_ms);
  EXPECT_TRUE(http::validate_options(o).ok());
}

TEST(OptionsTest, DisabledKey) { EXPECT_EQ(disabled_key("sf-org"), "disabled/sf-org"); }

}  // namespace
}  // namespace chost::app
