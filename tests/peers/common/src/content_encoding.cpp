// Accept-Encoding negotiation and gzip bodies (see content_encoding.h).
#include "chpeer/content_encoding.h"

#include <zlib.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace chpeer {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q-value of one list member's parameters ("q=0.5"); 1 when absent.
double QValue(std::string_view params) {
  while (!params.empty()) {
    std::size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      return std::strtod(std::string(p.substr(2)).c_str(), nullptr);
    }
  }
  return 1.0;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip_q;
  std::optional<double> any_q;
  while (!accept_encoding.empty()) {
    std::size_t comma = accept_encoding.find(',');
    std::string_view member = Trim(accept_encoding.substr(0, comma));
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    std::size_t semi = member.find(';');
    const std::string coding = ToLower(Trim(member.substr(0, semi)));
    const double q = semi == std::string_view::npos ? 1.0 : QValue(member.substr(semi + 1));
    if (coding == "gzip" || coding == "x-gzip") gzip_q = q;
    if (coding == "*") any_q = q;
  }
  if (gzip_q) return *gzip_q > 0;
  return any_q && *any_q > 0;
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's. Level 1 (fastest): the
  // peer must not be what a benchmark measures; at the default level a gzipped full read of
  // 200k records cost the peer 4.6 s of CPU, at level 1 3.7 s (tests/bench/README.md).
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

void MaybeGzip(const Request& request, Response& response) {
  if (response.body.empty()) return;
  response.headers["Vary"] = "Accept-Encoding";
  if (response.headers.count("Content-Encoding")) return;
  auto accept = request.Header("Accept-Encoding");
  if (!accept || !AcceptsGzip(*accept)) return;
  response.body = Gzip(response.body);
  response.headers["Content-Encoding"] = "gzip";
}

}  // namespace chpeer
