// LoopbackRedirect: receives one redirect on 127.0.0.1 with decoded query parameters, ignores
// other paths, gives up after its timeout; an encoded query value round-trips through it.
#include "chost/app/loopback_redirect.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "chost/common/text.hpp"

namespace chost::app {
namespace {

TEST(LoopbackRedirectTest, ReceivesTheRedirectQuery) {
  auto l = LoopbackRedirect::listen();
  ASSERT_TRUE(l) << l.error().message;
  const std::string uri = l->redirect_uri();
  EXPECT_EQ(uri.rfind("http://127.0.0.1:", 0), 0u);
  Status followed;
  std::thread browser([&] {
    followed = follow_url(uri + "?code=" + text::url_encode("a b/c&d") + "&state=s-1", 10000);
  });
  auto params = l->wait(10000);
  browser.join();
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_TRUE(followed);
  EXPECT_EQ((*params)["code"], "a b/c&d");
  EXPECT_EQ((*params)["state"], "s-1");
}

TEST(LoopbackRedirectTest, OtherPathsAreNotTheRedirect) {
  auto l = LoopbackRedirect::listen();
  ASSERT_TRUE(l);
  const std::string base = l->redirect_uri().substr(0, l->redirect_uri().rfind('/'));
  std::thread browser([&] {
    (void)follow_url(base + "/favicon.ico", 10000);
    (void)follow_url(l->redirect_uri() + "?error=access_denied", 10000);
  });
  auto params = l->wait(10000);
  browser.join();
  ASSERT_TRUE(params);
  EXPECT_EQ((*params)["error"], "access_denied");
  EXPECT_EQ(params->count("code"), 0u);
}

TEST(LoopbackRedirectTest, TheSamePortIsUsableAgainRightAfterAnAuthorization) {
  // The connected app registers one redirect port; a second authorize right after the first
  // (the admin logs in again) finds the first one's connection in TIME_WAIT.
  uint16_t port = 0;
  {
    auto l = LoopbackRedirect::listen();
    ASSERT_TRUE(l);
    const std::string uri = l->redirect_uri();  // http://127.0.0.1:<port>/callback
    port = static_cast<uint16_t>(std::stoi(uri.substr(17, uri.rfind('/') - 17)));
    std::thread browser([&] { (void)follow_url(l->redirect_uri() + "?code=c1&state=s", 10000); });
    auto params = l->wait(10000);
    browser.join();
    ASSERT_TRUE(params);
  }
  auto again = LoopbackRedirect::listen(port);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->redirect_uri(), "http://127.0.0.1:" + std::to_string(port) + "/callback");
}

TEST(LoopbackRedirectTest, GivesUpWhenNothingArrives) {
  auto l = LoopbackRedirect::listen();
  ASSERT_TRUE(l);
  auto params = l->wait(50);
  ASSERT_FALSE(params);
  EXPECT_EQ(params.error().cls, ErrorClass::kCancelled);
}

}  // namespace
}  // namespace chost::app
