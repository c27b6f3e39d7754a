// HttpClient on libcurl: one attempt per curl_easy_perform on a pooled handle, a retry loop
// around it bounded by the request's deadline, metrics and redacted debug logs per attempt.
#include "chost/http/http_client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include "chost/common/log.hpp"
#include "chost/common/metrics.hpp"
#include "chost/common/text.hpp"
#include "chost/http/url_redaction.hpp"
#include "curl_handles.hpp"

namespace chost::http {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kRequestsMetric = "chost_http_requests_total";
constexpr const char* kDurationMetric = "chost_http_request_duration_seconds";
constexpr size_t kMaxIdleHandles = 16;
constexpr size_t kMaxLoggedBodyChars = 2048;
// How often a retry wait looks at the cancel token.
constexpr auto kCancelPollInterval = std::chrono::milliseconds(20);

int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

int64_t ms_until(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
}

// Failures where the server most likely never processed the request, or the connection broke:
// worth another attempt for idempotent requests.
bool is_connection_failure(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_OPERATION_TIMEDOUT:
      return true;
    default:
      return false;
  }
}

std::string status_class(uint32_t status) {
  if (status < 100 || status > 599) return "other";
  return std::to_string(status / 100) + "xx";
}

// Sleeps until `until`, returning false early when cancelled.
bool wait_unless_cancelled(Clock::time_point until, const CancelToken* cancel) {
  while (Clock::now() < until) {
    if (cancel && cancel->cancelled()) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(kCancelPollInterval, until - Clock::now()));
  }
  return !(cancel && cancel->cancelled());
}

// Everything one attempt's libcurl callbacks need, and what they found out.
// 429 and 503 say "later"; 500, 502 and 504 are a gateway's or a server's passing fault, which
// one failing request in a long query cursor must not turn into a failed sync. Only idempotent
// requests get here, so asking again changes nothing at the server.
bool is_retried_status(uint32_t status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

struct Attempt {
  // Inputs.
  const ResponseCallbacks* callbacks = nullptr;  // null: buffer
  const CancelToken* cancel = nullptr;
  bool retry_allowed = false;  // another attempt is permitted if this one asks for it
  Clock::time_point deadline;
  uint32_t max_retry_after_ms = 0;
  uint64_t backoff_ms = 0;

  // Outputs.
  HttpResponse response;
  bool headers_complete = false;  // final (non-1xx) header block ended
  bool retry_planned = false;     // 429/5xx that will be retried: swallow its body
  uint64_t retry_wait_ms = 0;
  bool delivered = false;  // some of the response went to the caller's callbacks
  bool cancelled = false;
  bool handler_failed = false;
  // libcurl's own words for a failure ("Failed to connect to x port 443: Connection refused",
  // "Could not resolve host: x"): curl_easy_strerror only names the class of error.
  char error_text[CURL_ERROR_SIZE] = {};

  void end_of_headers() {
    headers_complete = true;
    const uint32_t status = response.status;
    if (retry_allowed && is_retried_status(status)) {
      uint64_t wait_ms = backoff_ms;
      bool honour = true;
      if (auto ra = response.header("Retry-After")) {
        if (auto parsed = parse_retry_after_ms(*ra)) {
          wait_ms = *parsed;
          honour = wait_ms <= max_retry_after_ms;
        }
      }
      // The next attempt needs some time of its own before the deadline.
      if (honour && static_cast<int64_t>(wait_ms) < ms_until(deadline)) {
        retry_planned = true;
        retry_wait_ms = wait_ms;
        return;
      }
    }
    if (callbacks && callbacks->on_header) {
      delivered = true;
      try {
        for (const auto& [name, value] : response.headers) callbacks->on_header(name, value);
      } catch (...) {
        handler_failed = true;  // the callbacks check this and abort the transfer
      }
    }
  }
};

size_t on_header_line(char* data, size_t size, size_t count, void* user) {
  auto* a = static_cast<Attempt*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  try {
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response (after a 1xx, or the first): forget interim headers.
      a->response.headers.clear();
      a->headers_complete = false;
      const size_t sp = line.find(' ');
      uint32_t status = 0;
      if (sp != std::string_view::npos) {
        const std::string_view code = line.substr(sp + 1, 3);
        std::from_chars(code.data(), code.data() + code.size(), status);
      }
      a->response.status = status;
      return n;
    }
    if (a->headers_complete) return n;  // trailers
    if (text::trim(line).empty()) {
      if (a->response.status >= 200) a->end_of_headers();
      return a->handler_failed ? 0 : n;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    a->response.headers.emplace_back(std::string(text::trim(line.substr(0, colon))),
                                     std::string(text::trim(line.substr(colon + 1))));
  } catch (...) {
    a->handler_failed = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  return n;
}

size_t on_body_data(char* data, size_t size, size_t count, void* user) {
  auto* a = static_cast<Attempt*>(user);
  const size_t n = size * count;
  if (!a->headers_complete) a->end_of_headers();  // HTTP/0.9-like or no blank line seen
  if (a->handler_failed) return 0;
  if (a->retry_planned) return n;
  try {
    if (a->callbacks) {
      a->delivered = true;
      if (a->callbacks->on_body) a->callbacks->on_body(std::string_view(data, n));
    } else {
      a->response.body.append(data, n);
    }
  } catch (...) {
    a->handler_failed = true;
    return 0;
  }
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* a = static_cast<Attempt*>(user);
  if (a->cancel && a->cancel->cancelled()) {
    a->cancelled = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(const HttpClientOptions& options) : options_(options), pool_(kMaxIdleHandles) {
    if (options_.metrics) {
      (void)options_.metrics->describe_counter(
          kRequestsMetric,
          "Outbound HTTP requests (each attempt), by status class and calling connector.");
      (void)options_.metrics->describe_histogram(
          kDurationMetric, "Outbound HTTP request latency (each attempt).",
          {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
    }
  }

  Result<HttpResponse> run(const HttpRequest& req, const ResponseCallbacks* callbacks,
                           const CancelToken* cancel);

 private:
  CURLcode perform(CURL* easy, const HttpRequest& req, int64_t remaining_ms, Attempt* a);
  void record(const HttpRequest& req, const std::string& host, std::string_view outcome,
              Clock::duration elapsed);

  const HttpClientOptions& options_;
  detail::CurlShare share_;  // outlives the pool's handles, which use it
  detail::EasyPool pool_;
};

CURLcode HttpClient::Impl::perform(CURL* easy, const HttpRequest& req, int64_t remaining_ms,
                                   Attempt* a) {
  detail::CurlSlistPtr headers;
  bool has_expect = false;
  for (const auto& [name, value] : req.headers) {
    // "Name;" is libcurl's spelling of a header with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (!appended) return CURLE_OUT_OF_MEMORY;
    headers.release();
    headers.reset(appended);
    if (text::iequals(name, "Expect")) has_expect = true;
  }
  if (!has_expect) {
    // No "Expect: 100-continue" round trip for larger bodies: our peers answer directly.
    curl_slist* appended = curl_slist_append(headers.get(), "Expect:");
    if (!appended) return CURLE_OUT_OF_MEMORY;
    headers.release();
    headers.reset(appended);
  }

  if (share_.get()) curl_easy_setopt(easy, CURLOPT_SHARE, share_.get());
  curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy.c_str());
  if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  // Accept-Encoding: gzip, decoded by libcurl: a Salesforce page of 2,000 records is ~50x
  // smaller on the wire. Callers see the decoded body.
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining_ms));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(options_.connect_timeout_ms, remaining_ms)));

  if (req.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.data());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  if (!is_idempotent_method(req.method)) {
    // libcurl silently re-sends a request once when a reused connection turns out dead, even
    // if the server already had it. A POST must never be sent twice, so it gets its own
    // connection (which may then be reused by later idempotent requests).
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  }

  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header_line);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, a);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body_data);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, a);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, a);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, a->error_text);

  const CURLcode rc = curl_easy_perform(easy);
  // The header list and the error buffer die with this frame and the attempt: make sure the
  // pooled handle no longer points at them.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  if (rc == CURLE_OK && !a->headers_complete) a->end_of_headers();
  return rc;
}

void HttpClient::Impl::record(const HttpRequest& req, const std::string& host,
                              std::string_view outcome, Clock::duration elapsed) {
  if (!options_.metrics) return;
  // `connector` is the plugin instance the request was made for; empty for the host's own.
  (void)options_.metrics->counter_add(kRequestsMetric, {{"host", host},
                                                        {"method", req.method},
                                                        {"status_class", std::string(outcome)},
                                                        {"connector", req.connector}});
  (void)options_.metrics->observe(
      kDurationMetric, {{"host", host}, {"method", req.method}, {"connector", req.connector}},
      std::chrono::duration<double>(elapsed).count());
}

Result<HttpResponse> HttpClient::Impl::run(const HttpRequest& req,
                                           const ResponseCallbacks* callbacks,
                                           const CancelToken* cancel) {
  const std::string shown_url = redact_url(req.url);
  const std::string what = req.method + " " + shown_url;
  if (req.url.rfind("http://", 0) != 0 && req.url.rfind("https://", 0) != 0) {
    return Error::permanent(what + ": only absolute http(s) URLs are supported");
  }
  if (!detail::ensure_curl_global_init()) return Error::permanent("libcurl failed to initialise");
  const std::string host = url_host(req.url);
  const uint32_t timeout_ms = req.timeout_ms ? req.timeout_ms : options_.default_timeout_ms;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  const bool may_retry = !req.no_retry && is_idempotent_method(req.method);
  uint64_t backoff_ms = std::max<uint32_t>(options_.retry_backoff_ms, 1);
  uint64_t waited_ms = 0;  // between attempts, reported with the answer

  if (log::enabled(log::Level::kTrace) && !req.body.empty()) {
    if (req.body_is_secret) {
      log::trace(req.connector, "http: {} request body withheld ({} bytes)", what, req.body.size());
    } else {
      log::trace(req.connector, "http: {} request body: {}", what,
                 std::string_view(req.body).substr(0, kMaxLoggedBodyChars));
    }
  }

  for (uint32_t attempt = 1;; ++attempt) {
    if (cancel && cancel->cancelled()) return Error::cancelled(what + " cancelled");
    const int64_t remaining_ms = ms_until(deadline);
    if (remaining_ms <= 0) {
      return Error::transient(what + " timed out after " + std::to_string(timeout_ms) + " ms");
    }
    Attempt a;
    a.callbacks = callbacks;
    a.cancel = cancel;
    a.retry_allowed = may_retry && attempt <= options_.max_retries;
    a.deadline = deadline;
    a.max_retry_after_ms = options_.max_retry_after_ms;
    a.backoff_ms = backoff_ms;

    auto lease = pool_.acquire();
    if (!lease.get()) return Error::transient(what + ": libcurl could not allocate a handle");
    const auto started = Clock::now();
    const CURLcode rc = perform(lease.get(), req, remaining_ms, &a);
    const auto elapsed = Clock::now() - started;
    const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();

    if (a.handler_failed) {
      record(req, host, "error", elapsed);
      return Error::permanent(what + ": the response handler failed");
    }
    if (rc == CURLE_OK) {
      record(req, host, status_class(a.response.status), elapsed);
      log::debug(req.connector, "http: {} -> {} in {} ms (attempt {})", what, a.response.status,
                 elapsed_ms, attempt);
      if (a.retry_planned) {
        const auto waited_from = Clock::now();
        if (!wait_unless_cancelled(waited_from + std::chrono::milliseconds(a.retry_wait_ms),
                                   cancel)) {
          return Error::cancelled(what + " cancelled");
        }
        waited_ms += static_cast<uint64_t>(ms_since(waited_from));
        backoff_ms *= 2;
        continue;
      }
      a.response.attempts = attempt;
      a.response.waited_ms = waited_ms;
      return std::move(a.response);
    }

    if (a.cancelled) {
      record(req, host, "cancelled", elapsed);
      log::debug(req.connector, "http: {} cancelled after {} ms (attempt {})", what, elapsed_ms,
                 attempt);
      return Error::cancelled(what + " cancelled");
    }
    record(req, host, "error", elapsed);
    std::string reason = a.error_text[0] != '\0' ? a.error_text : curl_easy_strerror(rc);
    // This libcurl words a refused and a reset connection alike; the system's errno does not.
    long os_errno = 0;
    const bool socket_failure =
        rc == CURLE_COULDNT_CONNECT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR;
    if (socket_failure &&
        curl_easy_getinfo(lease.get(), CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno != 0) {
      const std::string errno_text = std::strerror(static_cast<int>(os_errno));
      if (reason.find(errno_text) == std::string::npos) reason += " (" + errno_text + ")";
    }
    log::debug(req.connector, "http: {} failed after {} ms (attempt {}): {}", what, elapsed_ms,
               attempt, reason);
    if (rc == CURLE_OPERATION_TIMEDOUT && ms_until(deadline) <= 0) {
      return Error::transient(what + " timed out after " + std::to_string(timeout_ms) + " ms");
    }
    const auto retry_at = Clock::now() + std::chrono::milliseconds(backoff_ms);
    if (may_retry && attempt <= options_.max_retries && !a.delivered && is_connection_failure(rc) &&
        retry_at < deadline) {
      const auto waited_from = Clock::now();
      if (!wait_unless_cancelled(retry_at, cancel)) return Error::cancelled(what + " cancelled");
      waited_ms += static_cast<uint64_t>(ms_since(waited_from));
      backoff_ms *= 2;
      continue;
    }
    std::string message = what + " failed: " + reason;
    if (attempt > 1) message += " (after " + std::to_string(attempt) + " attempts)";
    return Error::transient(std::move(message));
  }
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {
  detail::ensure_curl_global_init();
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::request(const HttpRequest& request, const CancelToken* cancel) {
  return impl_->run(request, nullptr, cancel);
}

Result<HttpResponse> HttpClient::request(const HttpRequest& request,
                                         const ResponseCallbacks& callbacks,
                                         const CancelToken* cancel) {
  return impl_->run(request, &callbacks, cancel);
}

}  // namespace chost::http
