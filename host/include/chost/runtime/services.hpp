// The runtime's outbound ports (logging, metrics, HTTP) and RuntimeServices, the pointers every
// runtime component receives (none owned; all must outlive the runtime). The store
// (store::StateStore), log levels and the redactor (common/'s own) are leaf interfaces the
// runtime depends on directly; log lines, metrics and HTTP are narrow ports so tests can fake
// them and adapters bind the real logger, metrics registry and libcurl client.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chost/common/log_level.hpp"
#include "chost/common/redactor.hpp"
#include "chost/common/result.hpp"
#include "chost/runtime/clock.hpp"
#include "chost/store/state_store.hpp"

namespace chost::runtime {

using LogLevel = chost::log::Level;

// Receives already-redacted lines. `connector` is empty for host-level lines.
class LogPort {
 public:
  virtual ~LogPort() = default;
  virtual void log(LogLevel level, std::string_view connector, std::string_view message) = 0;
};

// The runtime registers each access/refresh token it sees, so a plugin that logs one by mistake
// (raw or percent-encoded) still cannot leak it.
using Redactor = chost::log::Redactor;

// Prometheus-style sink. Names are complete (already prefixed); one label: connector.
class MetricsPort {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  virtual ~MetricsPort() = default;
  virtual void counter_add(std::string_view name, std::string_view connector, double delta) = 0;
  virtual void gauge_set(std::string_view name, std::string_view connector, double value) = 0;
  // The host's own series with more labels (e.g. result, class). Label values are the host's
  // words (connector names, outcomes), never a subject id or a secret. Defaults: dropped (fakes
  // that do not observe them).
  virtual void counter_add(std::string_view name, const Labels& labels, double delta) {
    (void)name, (void)labels, (void)delta;
  }
  // Histogram in seconds (the default buckets).
  virtual void observe_seconds(std::string_view name, const Labels& labels, double seconds) {
    (void)name, (void)labels, (void)seconds;
  }
};

struct HttpRequestSpec {
  std::string_view method;
  std::string_view url;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  uint32_t timeout_ms = 0;  // already capped by the hook's deadline; never 0 here
  bool no_retry = false;
  bool body_is_secret = false;
  std::string_view connector;  // the calling connector, for the HTTP client's log lines
};

struct HttpResponseHandler {
  std::function<void(std::string_view name, std::string_view value)> on_header;
  std::function<void(std::string_view chunk)> on_body;
};

// What a request came to, beyond the answer streamed into the handler.
struct HttpOutcome {
  uint32_t status = 0;     // HTTP status of the answer delivered (the last attempt's)
  uint32_t attempts = 1;   // requests sent, retries included
  uint64_t waited_ms = 0;  // spent waiting between attempts
};

class HttpPort {
 public:
  virtual ~HttpPort() = default;
  // Performs the request, streaming the response into `handler`.
  // Transport failures are kTransient, an abort because `cancelled` became true kCancelled.
  virtual Result<HttpOutcome> perform(const HttpRequestSpec& request,
                                      const HttpResponseHandler& handler,
                                      const std::atomic<bool>& cancelled) = 0;
};

struct RuntimeServices {
  store::StateStore* store = nullptr;  // required
  HttpPort* http = nullptr;            // optional: http_request returns CHP_ERR_UNSUPPORTED
  LogPort* log = nullptr;              // required
  MetricsPort* metrics = nullptr;      // optional
  Redactor* redactor = nullptr;        // required
  const Clock* clock = nullptr;        // required
  RandomSource* random = nullptr;      // required
  uint32_t http_default_timeout_ms = 30000;
};

}  // namespace chost::runtime
