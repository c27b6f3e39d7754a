// URL redaction (query values, user info, fragment) and host extraction.
#include "chost/http/url_redaction.hpp"

#include "chost/common/text.hpp"

namespace chost::http {

namespace {

struct UrlParts {
  std::string_view scheme;     // without "://"; empty when not absolute
  std::string_view authority;  // host[:port], user info removed
  std::string_view path;
  std::string_view query;  // without '?'
  bool has_query = false;
};

UrlParts split(std::string_view url) {
  UrlParts p;
  std::string_view rest = url;
  const size_t sep = url.find("://");
  if (sep != std::string_view::npos && url.find_first_of("/?#") > sep) {
    p.scheme = url.substr(0, sep);
    rest = url.substr(sep + 3);
    const size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    const size_t at = authority.rfind('@');
    if (at != std::string_view::npos) authority.remove_prefix(at + 1);
    p.authority = authority;
  }
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t q = rest.find('?');
  p.path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    p.has_query = true;
    p.query = rest.substr(q + 1);
  }
  return p;
}

}  // namespace

std::string redact_url(std::string_view url) {
  const UrlParts p = split(url);
  std::string out;
  out.reserve(url.size());
  if (!p.scheme.empty()) {
    out += p.scheme;
    out += "://";
    out += p.authority;
  }
  out += p.path;
  if (p.has_query) {
    out += '?';
    std::string_view q = p.query;
    bool first = true;
    while (true) {
      const size_t amp = q.find('&');
      const std::string_view param = q.substr(0, amp);
      if (!first) out += '&';
      first = false;
      const size_t eq = param.find('=');
      out += param.substr(0, eq);
      if (eq != std::string_view::npos) out += eq + 1 < param.size() ? "=***" : "=";
      if (amp == std::string_view::npos) break;
      q.remove_prefix(amp + 1);
    }
  }
  return out;
}

std::string url_host(std::string_view url) {
  const UrlParts p = split(url);
  return text::to_lower(p.authority);
}

}  // namespace chost::http
