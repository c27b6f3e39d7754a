// Test support: one HTTP/1.1 request to a server on 127.0.0.1 (the peers' control APIs, the
// host's admin API) over a one-shot connection, bounded by socket timeouts.
#pragma once

#include <cstdint>
#include <string>

namespace chost::integration {

struct HttpReply {
  int status = 0;    // 0: no answer (connect, send or receive failed)
  std::string body;  // up to EOF (the request says Connection: close)
};

// `body` is sent as application/json when not empty; `bearer` as an Authorization header when
// not empty. Each socket operation gives up after `timeout_ms`.
HttpReply loopback_http(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "", const std::string& bearer = "",
                        int timeout_ms = 10000);

}  // namespace chost::integration
