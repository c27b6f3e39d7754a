// The config's durations and settings mapped into the runtime's option structs, in one place so
// the mapping is tested and every caller agrees on it.
#pragma once

#include "chost/config/host_config.hpp"
#include "chost/http/http_client.hpp"
#include "chost/runtime/connection_manager.hpp"
#include "chost/runtime/notifier.hpp"
#include "chost/runtime/scheduler.hpp"

namespace chost::app {

runtime::ConnectionOptions connection_options(const config::HostSettings& host);
runtime::SchedulerOptions scheduler_options(const config::HostSettings& host);
// host.http -> the HTTP client (proxy, CA file, timeouts; metrics is the caller's to set).
// request_timeout is also what RuntimeServices::http_default_timeout_ms should be.
http::HttpClientOptions http_client_options(const config::HostSettings& host);
// host.notify -> the notifier (webhooks with their resolved secrets, backoff, timeout).
runtime::NotifierOptions notifier_options(const config::HostSettings& host);

// Namespace of the host's own key/value state (admin-disabled connectors). Connector names match
// [a-z][a-z0-9-]*, so a leading underscore can never collide with one.
inline constexpr const char* kHostNamespace = "_host";
// Key under kHostNamespace marking a connector disabled by an admin ("1").
std::string disabled_key(std::string_view connector);

}  // namespace chost::app
