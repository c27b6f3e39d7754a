// AdminServer: the host's admin HTTP/1.1 endpoint (probes, metrics, /api/v1, OAuth callback).
// Loopback by default; every route but /healthz, /readyz, /metrics, /oauth/callback and the
// admin page (GET / and /assets/<file>, which asks for the token itself) needs
// `Authorization: Bearer <token>`. Requests are parsed on the server's own I/O threads and
// handled on a small worker pool so that a slow backend call (a plugin hook) never stalls the
// probes. The transport (Boost.Beast) stays inside the .cpp files.
//
// Routes (JSON unless noted; errors are {"error":{"class":..,"message":..}}):
//   GET  /healthz                         200 "ok" or 503 "unhealthy: <why>" (text): this
//                                         server's I/O and workers answer and the backend's
//                                         scheduler loops still turn
//   GET  /readyz                          200 "ready" or 503 "not ready: <why>" (text)
//   GET  /metrics                         Prometheus text exposition
//   GET  /                                the admin page (HTML); /assets/<file> its files
//   GET  /api/v1/connectors               {"connectors":[..],"orphans":[{"name","holds"}]}
//   GET  /api/v1/connectors/{name}        the connector
//   GET  /api/v1/connectors/{name}/users[?offset=&limit=&status=&q=]
//                                         {"connector":..,"users":[..],"total":N,"offset":N,
//                                         "counts":{"enabled","disabled","error","waiting"}}
//                                         (+"limit"); without limit: every match
//   GET  /api/v1/connectors/{name}/history?limit=N  {"connector":..,"history":[..]}
//   GET  /api/v1/connectors/{name}/checkpoints[?after=KEY&limit=N]
//                                         {"connector":..,"checkpoints":[{"key","value"}],
//                                         "next_after":KEY|null}
//   POST /api/v1/connectors/{name}/checkpoints/reset  body {"keys":[..]} optional (all);
//                                         only while disabled (409); {"ok","reset":N}
//   POST /api/v1/connectors/{name}/authorize  body {"redirect_uri":..} optional;
//                                         answers the backend's {"authorize_url":..} or
//                                         {"state":"connected"}
//   POST /api/v1/connectors/{name}/{refresh|disable|enable|sync}
//                                         {"ok":true,"connector":{..}}
//   GET  /api/v1/connectors/{name}/outbox?state=failed|pending&limit=N  (default failed, 100)
//                                         {"connector":..,"state":..,"entries":[..]}
//   POST /api/v1/connectors/{name}/outbox/retry  body {"ids":[..]} optional (none: all failed)
//                                         {"ok":true,"connector":..,"retried":[ids]}
//   GET  /api/v1/notifications?limit=N   {"notifications":[..],"counts":{pending,delivered,
//                                         failed}}: host.notify deliveries, newest first
//   GET  /oauth/callback?state=&code=[&error=]   small HTML page (no bearer token: the
//                                         browser lands here; the OAuth state validates it)
// Error classes map to HTTP: not_found 404, config 400, conflict 409, auth_revoked 409,
// others 500.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "chost/admin/admin_backend.hpp"
#include "chost/common/result.hpp"

namespace chost::admin {

struct AdminOptions {
  // "host:port"; port 0 picks a free port (see AdminServer::port()). A non-loopback address
  // is allowed but logged as a warning.
  std::string listen = "127.0.0.1:8080";
  // Required for everything but probes and the OAuth callback; must not be empty.
  std::string bearer_token;
  // How browsers reach this server, e.g. "https://admin.example.com"; the default redirect
  // URI is public_url + "/oauth/callback". Empty: "http://<listen address>:<port>".
  std::string public_url;

  int io_threads = 1;      // parse and write
  int worker_threads = 2;  // backend calls
  // At the cap a new connection takes the place of the longest-waiting connection that has not
  // begun a request (an idle keep-alive, or a socket that never sent a byte); with none such it
  // is closed at once. Probes so stay reachable however many sockets sit idle.
  size_t max_connections = 256;
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  int64_t read_timeout_ms = 10 * 1000;       // to receive one whole request once it started
  int64_t idle_timeout_ms = 60 * 1000;       // keep-alive connection without a request
  int64_t first_byte_timeout_ms = 5 * 1000;  // a new connection that has not sent a byte yet
  int64_t write_timeout_ms = 10 * 1000;
  int64_t stop_timeout_ms = 5 * 1000;  // stop() waits this long for in-flight requests
};

class AdminServer {
 public:
  // `backend` must outlive the server.
  AdminServer(AdminOptions options, AdminBackend& backend);
  ~AdminServer();  // stop()s
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds, listens and starts the threads. kConfig for a bad listen address or an empty
  // token; kTransient when the address cannot be bound (e.g. in use).
  Status start();
  // Graceful: stops accepting, closes idle connections, lets requests being handled finish
  // and answer (up to stop_timeout_ms), then closes the rest and joins the threads. A backend
  // call still running is waited for. Idempotent.
  void stop();

  uint16_t port() const;         // the bound port, after start()
  std::string base_url() const;  // "http://127.0.0.1:<port>", after start()

  uint64_t token_checks_ForTest() const;  // constant-time token comparisons made
  bool stopping_ForTest() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chost::admin
