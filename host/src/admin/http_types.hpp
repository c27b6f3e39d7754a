// Transport-neutral request and response of the admin server: the router works on these so
// that routing, auth and error mapping are testable without sockets and free of Beast.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace chost::admin {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // origin-form: path and query, as received
  std::string authorization;  // the Authorization header, or empty
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace chost::admin
