// Config -> runtime option structs.
#include "chost/app/options.hpp"

#include <algorithm>

namespace chost::app {

runtime::ConnectionOptions connection_options(const config::HostSettings& host) {
  runtime::ConnectionOptions o;
  o.refresh_margin_ms = host.credentials.refresh_margin.count();
  o.keepalive_idle_ms = host.credentials.keepalive_idle.count();
  o.refresh_timeout_ms = host.timeouts.refresh.count();
  if (host.timeouts.token_response.count() > 0) {
    o.token_response_ms = host.timeouts.token_response.count();
  }
  o.authorize_timeout_ms = host.timeouts.authorize.count();
  o.disable_timeout_ms = host.timeouts.disable.count();
  // Credential refresh retries follow the same restart policy as failed instances.
  if (host.restart.initial_backoff.count() > 0) {
    o.backoff.initial_ms = host.restart.initial_backoff.count();
  }
  if (host.restart.max_backoff.count() > 0) o.backoff.max_ms = host.restart.max_backoff.count();
  return o;
}

runtime::SchedulerOptions scheduler_options(const config::HostSettings& host) {
  runtime::SchedulerOptions o;
  if (host.timeouts.sync.count() > 0) o.sync_deadline_ms = host.timeouts.sync.count();
  if (host.restart.initial_backoff.count() > 0) {
    o.restart_backoff.initial_ms = host.restart.initial_backoff.count();
  }
  if (host.restart.max_backoff.count() > 0) {
    o.restart_backoff.max_ms = host.restart.max_backoff.count();
  }
  o.restart_backoff.max_ms = std::max(o.restart_backoff.max_ms, o.restart_backoff.initial_ms);
  return o;
}

runtime::NotifierOptions notifier_options(const config::HostSettings& host) {
  runtime::NotifierOptions o;
  for (const config::WebhookConfig& w : host.notify.webhooks) {
    runtime::WebhookTarget t{w.name, w.url, w.secret, {}};
    for (const std::string& e : w.events) {
      // The schema allowed only the names notify_event_from_string knows.
      if (auto event = runtime::notify_event_from_string(e)) t.events.push_back(*event);
    }
    o.webhooks.push_back(std::move(t));
  }
  if (host.notify.max_attempts > 0) o.max_attempts = host.notify.max_attempts;
  if (host.notify.initial_backoff.count() > 0)
    o.backoff.initial_ms = host.notify.initial_backoff.count();
  if (host.notify.max_backoff.count() > 0) o.backoff.max_ms = host.notify.max_backoff.count();
  o.backoff.max_ms = std::max(o.backoff.max_ms, o.backoff.initial_ms);
  // The loader keeps it within (0, 10m].
  if (host.notify.timeout.count() > 0) {
    o.request_timeout_ms = static_cast<uint32_t>(host.notify.timeout.count());
  }
  return o;
}

http::HttpClientOptions http_client_options(const config::HostSettings& host) {
  http::HttpClientOptions o;
  o.proxy = host.http.proxy;
  o.ca_file = host.http.ca_file.string();
  // The loader keeps both within (0, 24h], so they fit the client's uint32 milliseconds.
  if (host.http.connect_timeout.count() > 0) {
    o.connect_timeout_ms = static_cast<uint32_t>(host.http.connect_timeout.count());
  }
  if (host.http.request_timeout.count() > 0) {
    o.default_timeout_ms = static_cast<uint32_t>(host.http.request_timeout.count());
  }
  return o;
}

std::string disabled_key(std::string_view connector) {
  return "disabled/" + std::string(connector);
}

}  // namespace chost::app
