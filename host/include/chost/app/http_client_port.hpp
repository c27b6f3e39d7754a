// HttpClientPort: the runtime's HttpPort over chost_http's HttpClient, so plugin requests get
// the host's proxy, CA bundle, retries, metrics and URL redaction. The runtime's per-call
// cancellation flag becomes the request's CancelToken.
#pragma once

#include "chost/http/http_client.hpp"
#include "chost/runtime/services.hpp"

namespace chost::app {

class HttpClientPort final : public runtime::HttpPort {
 public:
  // `client` must outlive the port.
  explicit HttpClientPort(http::HttpClient& client) : client_(client) {}
  Result<runtime::HttpOutcome> perform(const runtime::HttpRequestSpec& request,
                                       const runtime::HttpResponseHandler& handler,
                                       const std::atomic<bool>& cancelled) override;

 private:
  http::HttpClient& client_;
};

}  // namespace chost::app
