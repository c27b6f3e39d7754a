// Percent-encoding for URL components and query strings (RFC 3986). Every connector builds
// query URLs and OAuth redirects; one correct encoder here avoids a dozen subtly different ones.
#ifndef CONNECTOR_HOST_SDK_HTTP_URL_HPP_
#define CONNECTOR_HOST_SDK_HTTP_URL_HPP_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chp::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

enum class SpaceEncoding {
  kPercent = 1,  // " " -> "%20": paths and query strings
  kPlus = 2,     // " " -> "+": application/x-www-form-urlencoded bodies
};

// Encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
inline std::string url_encode(std::string_view in, SpaceEncoding spaces = SpaceEncoding::kPercent) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && spaces == SpaceEncoding::kPlus) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// Decodes %XX escapes (and '+' as space when `spaces` is kPlus). std::nullopt on a malformed
// escape, so callers can reject bad input instead of guessing.
inline std::optional<std::string> url_decode(std::string_view in,
                                             SpaceEncoding spaces = SpaceEncoding::kPercent) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) return std::nullopt;
      int hi = hex(in[i + 1]);
      int lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && spaces == SpaceEncoding::kPlus) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "k1=v1&k2=v2" with both sides encoded; order is preserved (some APIs sign the query).
inline std::string encode_query(const QueryParams& params,
                                SpaceEncoding spaces = SpaceEncoding::kPercent) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k, spaces);
    out.push_back('=');
    out += url_encode(v, spaces);
  }
  return out;
}

// Appends `params` to `url`, using '?' or '&' depending on whether it already has a query,
// and keeping any #fragment at the end.
inline std::string append_query(std::string_view url, const QueryParams& params) {
  if (params.empty()) return std::string(url);
  std::string_view fragment;
  if (std::size_t hash = url.find('#'); hash != std::string_view::npos) {
    fragment = url.substr(hash);
    url = url.substr(0, hash);
  }
  std::string out(url);
  if (url.find('?') == std::string_view::npos) {
    out.push_back('?');
  } else if (!url.empty() && url.back() != '?' && url.back() != '&') {
    out.push_back('&');
  }
  out += encode_query(params);
  out += fragment;
  return out;
}

}  // namespace chp::http

#endif  // CONNECTOR_HOST_SDK_HTTP_URL_HPP_
