// URL redaction for logs and errors, and the host label.
#include "chost/http/url_redaction.hpp"

#include <gtest/gtest.h>

namespace chost::http {
namespace {

TEST(RedactUrl, KeepsQueryKeysAndDropsValues) {
  EXPECT_EQ(redact_url("https://login.example.com/services/oauth2/token?code=aPrx&state=s&x"),
            "https://login.example.com/services/oauth2/token?code=***&state=***&x");
  EXPECT_EQ(redact_url("http://h/p?empty=&k=v"), "http://h/p?empty=&k=***");
}

TEST(RedactUrl, DropsUserInfoAndFragment) {
  EXPECT_EQ(redact_url("https://user:pa55@h.example:8443/a/b?t=1#frag"),
            "https://h.example:8443/a/b?t=***");
  EXPECT_EQ(redact_url("https://h/p#access_token=abc"), "https://h/p");
}

TEST(RedactUrl, LeavesUrlsWithoutSecretsAlone) {
  EXPECT_EQ(redact_url("https://h.example/v1/users"), "https://h.example/v1/users");
  EXPECT_EQ(redact_url("/relative/path?a=b"), "/relative/path?a=***");
}

TEST(UrlHost, HostAndPortLowerCased) {
  EXPECT_EQ(url_host("https://API.Example.com:8443/x?y=1"), "api.example.com:8443");
  EXPECT_EQ(url_host("http://u:p@127.0.0.1/x"), "127.0.0.1");
  EXPECT_EQ(url_host("/no/host"), "");
}

}  // namespace
}  // namespace chost::http
