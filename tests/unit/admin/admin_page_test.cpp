// The admin page's routes (host/src/admin/page_routes.cpp) over real loopback HTTP: the page
// and its files are served without a token and compiled in; every response carries the
// security headers; the page's files keep to what the CSP allows (no inline script or style,
// nothing from another origin); the API behind it still refuses requests without the token.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "page_assets.hpp"
#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

void expect_security_headers(const TestResponse& r, const std::string& what) {
  const std::string csp = r.header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << what << ": " << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << what << ": " << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(r.header("x-frame-options"), "DENY") << what;
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << what;
  EXPECT_EQ(r.header("referrer-policy"), "no-referrer") << what;
  EXPECT_EQ(r.header("cache-control"), "no-store") << what;
}

TEST_F(AdminServerTest, ServesThePageAndItsFilesWithoutAToken) {
  auto page = get("/", "");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<title>connector-host admin</title>"), std::string::npos);
  expect_security_headers(*page, "/");
  auto script = get("/assets/page.js", "");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script->body.find("sessionStorage"), std::string::npos);
  auto style = get("/assets/page.css", "");
  ASSERT_TRUE(style);
  EXPECT_EQ(style->status, 200);
  EXPECT_EQ(style->header("content-type"), "text/css; charset=utf-8");
  // Serving the page compares no token: it is the same for everyone.
  EXPECT_EQ(server_->token_checks_ForTest(), 0u);
}

TEST_F(AdminServerTest, TheServedFilesAreTheCompiledInOnesByteForByte) {
  ASSERT_EQ(page_assets().size(), 3u);
  for (const PageAsset& asset : page_assets()) {
    const std::string path =
        asset.name == "index.html" ? "/" : "/assets/" + std::string(asset.name);
    auto r = get(path, "");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, asset.bytes) << path;
    EXPECT_EQ(r->header("content-type"), asset.content_type) << path;
  }
}

TEST_F(AdminServerTest, UnknownPageFilesAre404AndPostsToThePageAreRefused) {
  for (const char* path : {"/assets/nope.js", "/assets/", "/assets/index.html", "/assets/a/b"}) {
    auto r = get(path, "");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    expect_security_headers(*r, path);
  }
  // Only GET serves the page; anything else is an API call and needs the token.
  auto post_page = post("/", "", "");
  ASSERT_TRUE(post_page);
  EXPECT_EQ(post_page->status, 401);
}

TEST_F(AdminServerTest, ApiResponsesCarryTheSecurityHeadersAndNoStore) {
  auto ok = get("/api/v1/connectors");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  expect_security_headers(*ok, "api ok");
  auto refused = get("/api/v1/connectors", "");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  expect_security_headers(*refused, "api 401");
  auto callback = get("/oauth/callback?state=x&code=y", "");
  ASSERT_TRUE(callback);
  expect_security_headers(*callback, "callback");
  // The callback page follows the same CSP: its style comes from the page's style sheet.
  EXPECT_EQ(callback->body.find("<style"), std::string::npos);
  EXPECT_EQ(callback->body.find("style="), std::string::npos);
  EXPECT_NE(callback->body.find("/assets/page.css"), std::string::npos);
}

TEST_F(AdminServerTest, EveryApiCallThePageMakesIsRefusedWithoutTheToken) {
  const std::pair<const char*, const char*> calls[] = {
      {"GET", "/api/v1/connectors"},
      {"GET", "/api/v1/connectors/sf/history?limit=20"},
      {"GET", "/api/v1/connectors/mirror/users?offset=0&limit=25"},
      {"GET", "/api/v1/connectors/mirror/outbox?state=failed"},
      {"POST", "/api/v1/connectors/sf/authorize"},
      {"POST", "/api/v1/connectors/sf/refresh"},
      {"POST", "/api/v1/connectors/sf/disable"},
      {"POST", "/api/v1/connectors/sf/enable"},
      {"POST", "/api/v1/connectors/mirror/sync"},
      {"POST", "/api/v1/connectors/sf/users/u1/disable"},
      {"POST", "/api/v1/connectors/sf/users/u1/sync"},
  };
  for (const auto& [method, path] : calls) {
    for (const std::string& token : {std::string(), std::string("wrong-token")}) {
      auto r = http_call(server_->port(), method, path, token);
      ASSERT_TRUE(r) << method << " " << path;
      EXPECT_EQ(r->status, 401) << method << " " << path;
    }
  }
  for (const char* op : {"connectors", "history", "subjects", "authorize", "refresh", "disable",
                         "enable", "sync", "user-disable", "user-sync"}) {
    EXPECT_EQ(backend_.call_count(op), 0) << op;
  }
}

// What the CSP enforces in the browser, checked on the files themselves so a violation fails
// here with the offending text rather than as a silently dead button.
TEST(AdminPageFiles, KeepToTheContentSecurityPolicy) {
  const std::regex inline_handler(R"(\son[a-z]+\s*=)", std::regex::icase);
  const std::regex style_attribute(R"(\sstyle\s*=)", std::regex::icase);
  const std::regex inline_script(R"(<script(?![^>]*\ssrc=)[^>]*>)", std::regex::icase);
  const std::regex other_origin(R"((src|href)\s*=\s*"(https?:)?//)", std::regex::icase);
  for (const PageAsset& asset : page_assets()) {
    const std::string text(asset.bytes);
    if (asset.name.ends_with(".html")) {
      EXPECT_FALSE(std::regex_search(text, inline_handler)) << asset.name;
      EXPECT_FALSE(std::regex_search(text, style_attribute)) << asset.name;
      EXPECT_FALSE(std::regex_search(text, inline_script)) << asset.name;
      EXPECT_EQ(text.find("<style"), std::string::npos) << asset.name;
      EXPECT_FALSE(std::regex_search(text, other_origin)) << asset.name;
    }
    if (asset.name.ends_with(".js")) {
      // DOM built from text nodes only: API values can never become markup.
      EXPECT_EQ(text.find("innerHTML"), std::string::npos) << asset.name;
      EXPECT_EQ(text.find("eval("), std::string::npos) << asset.name;
      EXPECT_EQ(text.find(".style."), std::string::npos) << asset.name;
      EXPECT_EQ(text.find("localStorage"), std::string::npos) << asset.name;
    }
    EXPECT_EQ(text.find("http://"), std::string::npos) << asset.name;
    EXPECT_EQ(text.find("https://"), std::string::npos) << asset.name;
  }
}

}  // namespace
}  // namespace chost::admin::testing
