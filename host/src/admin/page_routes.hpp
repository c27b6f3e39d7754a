// The admin page's routes: GET / (the page) and GET /assets/<file> (its script and style),
// served without a token because the page itself asks for it; and the security headers every
// admin response carries (the page's Content-Security-Policy allows only its own files).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http_types.hpp"

namespace chost::admin {

// The page's response for `segments` (the percent-decoded path) of a GET, or nullopt when the
// path is not one of the page's. An unknown /assets/ file is a 404.
std::optional<HttpResponse> page_response(const std::vector<std::string>& segments);

// Adds the headers every admin response carries (CSP, framing, sniffing, referrer).
void add_security_headers(HttpResponse& response);

}  // namespace chost::admin
