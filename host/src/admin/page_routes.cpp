// The admin page's routes and the security headers (see page_routes.hpp).
#include "page_routes.hpp"

#include "page_assets.hpp"

namespace chost::admin {
namespace {

// Only the page's own files: no inline script or style (the page sets no style attributes),
// no frames, no forms posting elsewhere; fetch() reaches this origin only.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

HttpResponse asset_response(const PageAsset& asset) {
  HttpResponse r;
  r.status = 200;
  r.content_type = std::string(asset.content_type);
  r.body = std::string(asset.bytes);
  return r;
}

const PageAsset* find_asset(std::string_view name) {
  for (const PageAsset& asset : page_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace

std::optional<HttpResponse> page_response(const std::vector<std::string>& segments) {
  if (segments.empty() || (segments.size() == 1 && segments[0] == "index.html")) {
    if (const PageAsset* index = find_asset("index.html")) return asset_response(*index);
    return std::nullopt;
  }
  if (segments[0] != "assets") return std::nullopt;
  // index.html is the page, not an asset: one URL for it keeps relative links simple.
  const PageAsset* asset =
      segments.size() == 2 && segments[1] != "index.html" ? find_asset(segments[1]) : nullptr;
  if (asset == nullptr) {
    HttpResponse r;
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "no such file\n";
    return r;
  }
  return asset_response(*asset);
}

void add_security_headers(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace chost::admin
