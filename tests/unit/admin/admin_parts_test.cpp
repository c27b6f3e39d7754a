// The admin server's pure parts: bearer token check, listen address parsing, HTML escaping
// and the error-class to HTTP status mapping.
#include <gtest/gtest.h>

#include "admin_json.hpp"
#include "bearer_auth.hpp"
#include "callback_page.hpp"
#include "listen_address.hpp"

namespace chost::admin {
namespace {

TEST(BearerAuth, AcceptsOnlyTheExactToken) {
  BearerAuth auth("tok-123");
  EXPECT_TRUE(auth.check("Bearer tok-123"));
  EXPECT_TRUE(auth.check("BEARER tok-123"));
  EXPECT_TRUE(auth.check("Bearer  tok-123 "));
  EXPECT_FALSE(auth.check("Bearer tok-12"));
  EXPECT_FALSE(auth.check("Bearer tok-1234"));
  EXPECT_FALSE(auth.check("Bearer TOK-123"));
  EXPECT_FALSE(auth.check("Basic tok-123"));
  EXPECT_FALSE(auth.check("Bearertok-123"));
  EXPECT_FALSE(auth.check("tok-123"));
  EXPECT_FALSE(auth.check(""));
  EXPECT_FALSE(auth.check("Bearer "));
  EXPECT_EQ(auth.checks(), 11u);
}

TEST(BearerAuth, EmptyTokenNeverMatches) {
  BearerAuth auth("");
  EXPECT_FALSE(auth.check("Bearer "));
  EXPECT_FALSE(auth.check(""));
}

TEST(ListenAddress, ParsesIpv4Ipv6AndLocalhost) {
  auto v4 = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  EXPECT_TRUE(v4->loopback);
  auto local = parse_listen_address("localhost:0");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->host, "127.0.0.1");
  auto v6 = parse_listen_address("[::1]:9000");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->ipv6);
  EXPECT_TRUE(v6->loopback);
  auto any = parse_listen_address("0.0.0.0:8080");
  ASSERT_TRUE(any.ok());
  EXPECT_FALSE(any->loopback);
}

TEST(ListenAddress, RefusesMalformedAddresses) {
  for (const char* bad : {"", "8080", "127.0.0.1", "127.0.0.1:x", "127.0.0.1:70000", "[::1]9000",
                          "host.example:80", ":80"}) {
    auto r = parse_listen_address(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().cls, ErrorClass::kConfig) << bad;
  }
}

TEST(CallbackPage, EscapesTitleAndMessage) {
  EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  std::string page = callback_page("T<", "M&");
  EXPECT_NE(page.find("T&lt;"), std::string::npos);
  EXPECT_NE(page.find("M&amp;"), std::string::npos);
  EXPECT_EQ(page.find("T<"), std::string::npos);
}

TEST(AdminJson, MapsErrorClassesToHttpStatuses) {
  EXPECT_EQ(http_status_for(ErrorClass::kNotFound), 404);
  EXPECT_EQ(http_status_for(ErrorClass::kConfig), 400);
  EXPECT_EQ(http_status_for(ErrorClass::kConflict), 409);
  EXPECT_EQ(http_status_for(ErrorClass::kAuthRevoked), 409);
  EXPECT_EQ(http_status_for(ErrorClass::kTransient), 500);
  EXPECT_EQ(http_status_for(ErrorClass::kPermanent), 500);
  EXPECT_EQ(http_status_for(ErrorClass::kCancelled), 500);
}

TEST(AdminJson, MalformedIdentityBecomesAnEmptyObject) {
  ConnectorView view;
  view.name = "x";
  view.identity_json = "not json";
  auto v = to_json(view);
  EXPECT_TRUE(v.at("identity").is_object());
  EXPECT_TRUE(v.at("identity").as_object().empty());
}

}  // namespace
}  // namespace chost::admin
