// Listen address parsing (see listen_address.hpp).
#include "listen_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace chost::admin {

Result<ListenAddress> parse_listen_address(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Error::config("admin listen address '" + text + "': " + why);
  };
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("expected [address]:port");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return bad("expected host:port");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("the port must be a number 0..65535");
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code addr_ec;
  auto address = boost::asio::ip::make_address(host, addr_ec);
  if (addr_ec) return bad("'" + host + "' is not an IP address");
  ListenAddress out;
  out.host = address.to_string();
  out.port = static_cast<uint16_t>(port);
  out.loopback = address.is_loopback();
  out.ipv6 = address.is_v6();
  return out;
}

}  // namespace chost::admin
