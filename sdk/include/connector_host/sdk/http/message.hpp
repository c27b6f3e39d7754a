// HTTP request/response values exchanged with Context::http(). Plain data: the host's HTTP
// client (proxy, CA bundle, retries, redaction) does the transport.
#ifndef CONNECTOR_HOST_SDK_HTTP_MESSAGE_HPP_
#define CONNECTOR_HOST_SDK_HTTP_MESSAGE_HPP_

#include <connector_host/sdk/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chp::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

struct Request {
  std::string method = "GET";
  std::string url;  // absolute http(s) URL
  Headers headers;
  std::string body;
  std::uint32_t timeout_ms = 0;  // 0: the host default (always capped by the call deadline)
  bool no_retry = false;         // never retried by the host, even when idempotent
  bool body_is_secret = false;   // e.g. OAuth token requests: the host never logs the body

  static Request get(std::string url) {
    Request req;
    req.url = std::move(url);
    return req;
  }
};

struct Response {
  std::uint32_t status = 0;  // HTTP status code
  Headers headers;
  std::string body;
  // What the host's client spent to get this answer (it retries idempotent requests after a
  // 429/5xx or a connection failure; sdk/README.md "Retries and waits"): requests sent, this
  // one included, and the time waited between them. Count `attempts` against a request budget.
  // A 1.0-1.4 host does not say: 1 and 0.
  std::uint32_t attempts = 1;
  std::uint64_t waited_ms = 0;

  bool ok() const noexcept { return status >= 200 && status < 300; }

  // First header named `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (iequals(k, name)) return v;
    }
    return std::nullopt;
  }

  // The wait a 429 or 503 asks for, from a `Retry-After` in delta-seconds (capped at a day);
  // std::nullopt without one, or for the HTTP-date form, which the APIs the plugins call do
  // not send (the caller then backs off on its own).
  std::optional<std::int64_t> retry_after_ms() const {
    const std::optional<std::string> v = header("Retry-After");
    if (!v || v->empty() || v->size() > 9) return std::nullopt;
    std::int64_t s = 0;
    for (char c : *v) {
      if (c < '0' || c > '9') return std::nullopt;
      s = s * 10 + (c - '0');
    }
    return std::min<std::int64_t>(s, 24 * 3600) * 1000;
  }

  // The body as a JSON object; a body that is not one is a PermanentError (the remote
  // answered, but not with what the API documents).
  boost::json::object json_object() const {
    return parse_object(body, ErrorClass::kPermanent, "HTTP response body");
  }
};

// Throws for a response that is not 2xx, with `what` (e.g. "GET /items") and the status in the
// message and never the body (it may echo credentials):
//   429, 5xx, 408                → TransientError (with the Retry-After wait when one is sent)
//   401                          → AuthRevokedError (the credentials were refused)
//   any other status             → PermanentError
// Connectors that know better (e.g. a 401 meaning a wrong configured key) check first.
inline void raise_for_status(const Response& response, const std::string& what) {
  if (response.ok()) return;
  const std::string status = "HTTP " + std::to_string(response.status);
  if (response.status == 429 || response.status == 408 || response.status >= 500) {
    std::optional<std::int64_t> wait_ms = response.retry_after_ms();
    // The Retry-After also goes to the scheduler (the next run waits that long).
    throw TransientError(
        what + ": " + status +
            (wait_ms ? ", Retry-After " + std::to_string(*wait_ms / 1000) + " s" : ""),
        wait_ms);
  }
  if (response.status == 401)
    throw AuthRevokedError(what + ": credentials refused (" + status + ")");
  throw PermanentError(what + ": " + status);
}

}  // namespace chp::http

#endif  // CONNECTOR_HOST_SDK_HTTP_MESSAGE_HPP_
