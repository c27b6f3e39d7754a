// LoopbackRedirect: a one-shot HTTP listener on 127.0.0.1 (random port) that receives the OAuth
// redirect of an interactive authorize run from the CLI (RFC 8252 loopback redirect), answers
// the browser with a short page and hands back the query parameters. Plain sockets: one request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "chost/common/result.hpp"

namespace chost::app {

class LoopbackRedirect {
 public:
  // Binds 127.0.0.1:`port`; 0 picks a free port. A fixed port is for providers that only accept
  // registered redirect URIs (Salesforce connected apps compare them exactly).
  static Result<LoopbackRedirect> listen(uint16_t port = 0);
  LoopbackRedirect(LoopbackRedirect&& other) noexcept;
  LoopbackRedirect& operator=(LoopbackRedirect&&) = delete;
  ~LoopbackRedirect();

  std::string redirect_uri() const;  // http://127.0.0.1:<port>/callback
  // Waits up to `timeout_ms` for one GET /callback and returns its query parameters.
  Result<std::map<std::string, std::string>> wait(int64_t timeout_ms);

 private:
  LoopbackRedirect(int fd, uint16_t port) : fd_(fd), port_(port) {}
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Follows `url` (and its redirects) with a GET and discards the body: `authorize --follow` for
// headless runs against an authorize endpoint that approves by itself (the local peers).
Status follow_url(const std::string& url, int64_t timeout_ms);

}  // namespace chost::app
