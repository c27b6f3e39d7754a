// Parsing of the admin listen address ("host:port", "[v6]:port") into its parts.
#pragma once

#include <cstdint>
#include <string>

#include "chost/common/result.hpp"

namespace chost::admin {

struct ListenAddress {
  std::string host;  // as an IP literal; "localhost" becomes 127.0.0.1
  uint16_t port = 0;
  bool loopback = true;
  bool ipv6 = false;
};

// kConfig with the reason for anything but an IP literal (or localhost) and a port 0..65535.
Result<ListenAddress> parse_listen_address(const std::string& text);

}  // namespace chost::admin
