// CurlHttpPort: a minimal libcurl implementation of the runtime's HttpPort (one easy handle per
// request, response streamed into the handler, abort when the call is cancelled). Stands in until
// chost_http's HttpClient (proxy, CA bundle, retries, metrics) lands; the Host is the only user.
#pragma once

#include "chost/runtime/services.hpp"

namespace chost::app {

class CurlHttpPort final : public runtime::HttpPort {
 public:
  CurlHttpPort();  // curl_global_init (idempotent, once per process)
  Result<uint32_t> perform(const runtime::HttpRequestSpec& request,
                           const runtime::HttpResponseHandler& handler,
                           const std::atomic<bool>& cancelled) override;
};

}  // namespace chost::app
