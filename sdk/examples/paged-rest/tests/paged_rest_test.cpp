// PagedRest against the SDK's FakeHost: the client-credentials grant (token kept out of the
// public part), paging with the host's token, one retry after a 401, and the error classes.
#include "paged_rest.hpp"

#include <gtest/gtest.h>
#include <connector_host/testing/connector_under_test.hpp>

#include <string>

namespace paged_rest {
namespace {

using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::PluginUnderTest;

constexpr const char* kConfig =
    R"({"base_url":"http://127.0.0.1:1/api/","token_url":"http://127.0.0.1:1/oauth/token",
        "client_id":"app-1","client_secret":"s3cr3t-value","page_size":2})";

class PagedRestTest : public ::testing::Test {
 protected:
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<PagedRest>(), host_};
};

TEST_F(PagedRestTest, AuthorizeRunsTheClientCredentialsGrantAndKeepsTheTokenSecret) {
  host_.set_http_handler([](const FakeHttpRequest& req) {
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.url, "http://127.0.0.1:1/oauth/token");
    EXPECT_NE(req.body.find("grant_type=client_credentials"), std::string::npos);
    EXPECT_NE(req.body.find("client_secret=s3cr3t-value"), std::string::npos);
    EXPECT_NE(req.flags & CHP_HTTP_BODY_IS_SECRET, 0u);
    EXPECT_NE(req.flags & CHP_HTTP_NO_RETRY, 0u);
    return FakeHttpResponse{
        CHP_OK, 200, {}, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600})"};
  });
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  auto result = plugin_.authorize(R"({"step":"start"})");
  ASSERT_TRUE(result.ok()) << result.error;
  chp::Grant grant = chp::grant_from_json(result.output);
  EXPECT_EQ(grant.credentials.at("access_token").as_string(), "at-1");
  EXPECT_FALSE(grant.connection.contains("access_token"));
  EXPECT_EQ(grant.connection.at("base_url").as_string(), "http://127.0.0.1:1/api");
  EXPECT_EQ(grant.identity.user_id, "app-1");
  EXPECT_TRUE(grant.expires_at_ms.has_value());
}

TEST_F(PagedRestTest, AWrongClientSecretIsAConfigErrorWithTheProvidersWords) {
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 401, {}, R"({"error":"invalid_client"})"};
  });
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  auto result = plugin_.authorize("{}");
  EXPECT_EQ(result.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_NE(result.error.find("invalid_client"), std::string::npos);
  EXPECT_EQ(result.error.find("s3cr3t"), std::string::npos);
}

TEST_F(PagedRestTest, SyncPagesWithTheHostsTokenAndRetriesOnceAfterA401) {
  host_.set_connection_token(R"({"access_token":"old","token_type":"Bearer"})");
  host_.set_http_handler([this](const FakeHttpRequest& req) {
    std::string auth;
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization") auth = v;
    }
    if (auth != "Bearer new") {
      host_.set_connection_token(R"({"access_token":"new","token_type":"Bearer"})");
      return FakeHttpResponse{CHP_OK, 401, {}, R"({"error":"expired"})"};
    }
    if (req.url.find("page_token=p2") != std::string::npos) {
      return FakeHttpResponse{CHP_OK, 200, {}, R"({"records":[{"id":"c","updated_at":"3"}]})"};
    }
    return FakeHttpResponse{CHP_OK, 200, {}, R"({"records":[{"id":"a","updated_at":"1"},
        {"id":"b","updated_at":"2"}],"next_page_token":"p2"})"};
  });
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  auto result = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(host_.records().size(), 3u);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
  auto requests = host_.http_requests();
  ASSERT_EQ(requests.size(), 3u);  // the 401, then two pages
  EXPECT_EQ(requests[1].url, "http://127.0.0.1:1/api/records?limit=2");
  EXPECT_EQ(requests[2].url, "http://127.0.0.1:1/api/records?limit=2&page_token=p2");
  boost::json::value summary = boost::json::parse(result.output);
  EXPECT_EQ(summary.at("changed").as_int64(), 3);
  EXPECT_EQ(summary.at("cursor").as_string(), "3");

  ASSERT_TRUE(plugin_.sync(R"({"reason":"schedule"})").ok());
  EXPECT_EQ(host_.http_requests().at(3).url,
            "http://127.0.0.1:1/api/records?limit=2&updated_since=3");
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
}

TEST_F(PagedRestTest, ANonHttpUrlIsRefusedNamingTheField) {
  auto result = plugin_.create(
      R"({"base_url":"ftp://x","token_url":"http://127.0.0.1:1/t","client_id":"a",
          "client_secret":"b"})");
  EXPECT_EQ(result.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_EQ(result.error, "'base_url': must be an http:// or https:// URL");
}

TEST_F(PagedRestTest, TheDescriptorsValidateHookNamesEachBadKeyByPointer) {
  const chp_plugin* d = chp::testing::descriptor_for_test<PagedRest>();
  ASSERT_TRUE(CHP_HAS_MEMBER(d, chp_plugin, validate));
  ASSERT_NE(d->validate, nullptr);
  std::string answer;
  auto sink = [](void* user, chp_str s) { static_cast<std::string*>(user)->assign(s.ptr, s.len); };
  std::string bad = R"({"base_url":"ftp://x","token_url":"file:///t","client_id":"a",
                        "client_secret":"b"})";
  EXPECT_EQ(d->validate(chp_str{bad.data(), bad.size()}, sink, &answer), CHP_ERR_CONFIG);
  EXPECT_EQ(answer,
            R"({"errors":[{"pointer":"/base_url","message":"must be an http:// or https:// URL"},)"
            R"({"pointer":"/token_url","message":"must be an http:// or https:// URL"}]})");
  std::string good(kConfig);
  answer.clear();
  EXPECT_EQ(d->validate(chp_str{good.data(), good.size()}, sink, &answer), CHP_OK);
  EXPECT_TRUE(answer.empty());
}

}  // namespace
}  // namespace paged_rest
