// Plain request/response values exchanged between the peers' loopback HTTP server and their
// handlers, plus the URL/form helpers every peer needs. No Beast/Asio types leak from here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chpeer {

// Case-insensitive ordering so header lookups follow HTTP semantics.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;
using ParamMap = std::map<std::string, std::string>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/a/b?x=1"
  std::string path;    // percent-decoded path without the query
  ParamMap query;      // decoded query parameters (last value wins)
  HeaderMap headers;
  std::string body;
  std::string remote_address;

  std::optional<std::string> Header(std::string_view name) const;
  // Decodes an application/x-www-form-urlencoded body.
  ParamMap FormBody() const;
};

struct Response {
  int status = 200;
  HeaderMap headers;
  std::string body;
  // Fault injection hooks the server honours: wait before answering, or drop the connection
  // with a TCP reset instead of answering.
  std::uint32_t delay_ms = 0;
  bool reset_connection = false;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body);
  static Response Empty(int status);
  static Response Redirect(std::string location);
};

using Handler = std::function<Response(const Request&)>;

std::string PercentDecode(std::string_view in, bool plus_is_space);
std::string PercentEncode(std::string_view in);
// Parses "a=1&b=2" (query strings and form bodies).
ParamMap ParseUrlEncoded(std::string_view in);
std::string BuildUrlEncoded(const std::vector<std::pair<std::string, std::string>>& params);
// Splits "/a/b/c" into {"a","b","c"} (empty segments dropped).
std::vector<std::string> SplitPath(std::string_view path);
bool StartsWith(std::string_view s, std::string_view prefix);
std::string ToLower(std::string_view s);

}  // namespace chpeer
