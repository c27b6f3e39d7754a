// HttpClientPort: HttpRequestSpec -> http::HttpRequest, streamed back through the handler.
#include "chost/app/http_client_port.hpp"

namespace chost::app {

Result<runtime::HttpOutcome> HttpClientPort::perform(const runtime::HttpRequestSpec& request,
                                                     const runtime::HttpResponseHandler& handler,
                                                     const std::atomic<bool>& cancelled) {
  http::HttpRequest req;
  req.method = std::string(request.method);
  req.url = std::string(request.url);
  for (const auto& [name, value] : request.headers) {
    req.headers.emplace_back(std::string(name), std::string(value));
  }
  req.body = std::string(request.body);
  req.timeout_ms = request.timeout_ms;
  req.no_retry = request.no_retry;
  req.body_is_secret = request.body_is_secret;
  req.connector = std::string(request.connector);
  http::ResponseCallbacks callbacks{handler.on_header, handler.on_body};
  http::CancelToken cancel(cancelled);
  auto resp = client_.request(req, callbacks, &cancel);
  if (!resp) return resp.error();
  return runtime::HttpOutcome{resp->status, resp->attempts, resp->waited_ms};
}

}  // namespace chost::app
