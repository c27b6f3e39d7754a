// URL redaction for logs and error messages: query values and user info can carry secrets
// (access_token=, code=, signatures), so only their keys are kept.
#pragma once

#include <string>
#include <string_view>

namespace chost::http {

// "https://user:pw@h:8443/p?a=1&b&c=2#f" → "https://h:8443/p?a=***&b&c=***". Text that is not
// an absolute URL is still stripped of anything after '?' and '#'.
std::string redact_url(std::string_view url);

// Host (and port when present) of an absolute URL, lower-cased: "api.example.com:8443".
// Empty when there is none. Used as a metrics label.
std::string url_host(std::string_view url);

}  // namespace chost::http
