// Vocabulary of the HTTP client besides the transfer itself: option validation, which methods
// are idempotent, Retry-After parsing, and header lookup on responses.
#include <curl/curl.h>

#include <cctype>
#include <charconv>
#include <ctime>
#include <fstream>
#include <string>

#include "chost/common/text.hpp"
#include "chost/http/http_client.hpp"

namespace chost::http {

Status validate_proxy_url(std::string_view proxy) {
  if (proxy.empty()) return {};
  bool known = false;
  for (std::string_view scheme :
       {"http://", "https://", "socks4://", "socks4a://", "socks5://", "socks5h://"}) {
    known = known || proxy.substr(0, scheme.size()) == scheme;
  }
  if (!known || proxy.find("://") + 3 >= proxy.size()) {
    // The proxy URL may carry credentials: name only the accepted forms in the error.
    return Error::config("proxy must be an http://, https:// or socks URL with a host");
  }
  return {};
}

Status validate_ca_file(const std::string& ca_file) {
  if (!ca_file.empty() && !std::ifstream(ca_file).good()) {
    return Error::config("CA file '" + ca_file + "' cannot be read");
  }
  return {};
}

Status validate_options(const HttpClientOptions& options) {
  if (options.connect_timeout_ms == 0 || options.default_timeout_ms == 0) {
    return Error::config("http: connect_timeout_ms and default_timeout_ms must be positive");
  }
  for (Status st : {validate_ca_file(options.ca_file), validate_proxy_url(options.proxy)}) {
    if (!st) return Error::config("http: " + st.error().message);
  }
  return {};
}

bool is_idempotent_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

std::optional<uint64_t> parse_retry_after_ms(std::string_view value) {
  value = text::trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    constexpr uint64_t kMaxSeconds = uint64_t{1} << 40;  // keeps the product in range
    return (seconds > kMaxSeconds ? kMaxSeconds : seconds) * 1000;
  }
  // HTTP-date (IMF-fixdate and the obsolete forms): libcurl's parser handles all three.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const time_t now = std::time(nullptr);
  return when <= now ? 0 : static_cast<uint64_t>(when - now) * 1000;
}

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (text::iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace chost::http
