// HttpClient: the host's one outbound HTTP client (libcurl). Every request a plugin makes goes
// through it (the ABI's http_request callback is a thin adapter), so proxy, CA bundle,
// timeouts, retries, metrics and log redaction are decided here once.
//
// Retries: only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), only after a
// connection-level failure or a 429, 500, 502, 503 or 504 answer, at most max_retries times with
// doubling backoff, never past the request's deadline, never once part of a streamed body was
// handed to the caller. A Retry-After longer than max_retry_after_ms is not waited for: the
// answer is returned. Token POSTs are never retried (a rotated refresh token may be in flight).
// Non-idempotent requests (POST, PATCH) always use a fresh connection, because libcurl itself
// re-sends a request once when a reused keep-alive connection turns out to be dead.
//
// Thread: request() may be called from any number of threads at once; handles and the
// connection/DNS/TLS-session caches are shared through a pool.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/http/cancel_token.hpp"

namespace chost::metrics {
class Registry;
}

namespace chost::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpClientOptions {
  std::string proxy;    // e.g. "http://proxy:3128"; empty: no proxy (environment ignored)
  std::string ca_file;  // PEM bundle; empty: the system's
  uint32_t connect_timeout_ms = 10000;
  uint32_t default_timeout_ms = 30000;  // per request (all attempts), when it names none
  uint32_t max_retries = 2;             // extra attempts after the first
  uint32_t max_retry_after_ms = 30000;  // longest Retry-After honoured
  uint32_t retry_backoff_ms = 250;      // first wait after a connection failure; doubles
  std::string user_agent = "connector-host";
  metrics::Registry* metrics = nullptr;  // optional; not owned, must outlive the client
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http(s) URL
  Headers headers;
  std::string body;
  uint32_t timeout_ms = 0;      // deadline for the whole request incl. retries; 0: default
  bool no_retry = false;        // never retry, even idempotent
  bool body_is_secret = false;  // never log the request body, even at trace
  std::string connector;        // for log lines; may be empty
};

struct HttpResponse {
  uint32_t status = 0;
  Headers headers;         // of the final response, in order received
  std::string body;        // buffered form only; empty when streamed
  uint32_t attempts = 0;   // requests sent, this one included
  uint64_t waited_ms = 0;  // spent waiting between them (Retry-After or backoff)

  // First header with this name (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const;
};

// Streaming delivery: headers of the final response, then its body in chunks, on the calling
// thread before request() returns. Both optional.
struct ResponseCallbacks {
  std::function<void(std::string_view name, std::string_view value)> on_header;
  std::function<void(std::string_view chunk)> on_body;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Buffered: the body lands in HttpResponse::body. Any HTTP status is a success; transport
  // failures and timeouts are Error::transient, cancellation Error::cancelled. Error messages
  // name the method and the redacted URL.
  Result<HttpResponse> request(const HttpRequest& request, const CancelToken* cancel = nullptr);

  // Streaming: the response is handed to `callbacks` (HttpResponse::body stays empty).
  Result<HttpResponse> request(const HttpRequest& request, const ResponseCallbacks& callbacks,
                               const CancelToken* cancel = nullptr);

  const HttpClientOptions& options() const { return options_; }

 private:
  class Impl;
  HttpClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Checks options before a client is built from configuration: the CA file is readable, the
// proxy is an http(s)/socks URL, timeouts are non-zero. Error::config saying which is wrong.
Status validate_options(const HttpClientOptions& options);

// The two parts of validate_options that config loading also checks, so check-config reports
// them at the YAML key. Messages say what is wrong without the "http:" prefix and never echo
// the proxy URL (it may carry credentials).
Status validate_proxy_url(std::string_view proxy);    // empty: no proxy, valid
Status validate_ca_file(const std::string& ca_file);  // empty: the system's, valid

// GET, HEAD, PUT, DELETE, OPTIONS, TRACE (case-sensitive, as HTTP methods are).
bool is_idempotent_method(std::string_view method);

// Retry-After as delta-seconds or an HTTP-date, in milliseconds from now; nullopt when
// unparseable. A date in the past is 0.
std::optional<uint64_t> parse_retry_after_ms(std::string_view value);

}  // namespace chost::http
