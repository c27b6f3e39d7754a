// Unit tests of the template connector against the SDK's FakeHost: how a plugin author tests
// a connector without a running host or network.
#include "json_mirror.hpp"

#include <gtest/gtest.h>
#include <connector_host/testing/connector_under_test.hpp>

#include <string>

namespace json_mirror {
namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::PluginUnderTest;

constexpr const char* kConfig = R"({"url":"http://127.0.0.1:1/items","api_token":"t0k3n"})";

class JsonMirrorTest : public ::testing::Test {
 protected:
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<JsonMirror>(), host_};
};

TEST_F(JsonMirrorTest, MirrorsItemsAndAdvancesCheckpoint) {
  host_.set_http_handler([](const FakeHttpRequest& req) {
    if (req.url.find("page=2") != std::string::npos) {
      return FakeHttpResponse{CHP_OK, 200, {}, R"({"items":[{"id":3,"updated_at":"2026-03"}]})"};
    }
    return FakeHttpResponse{
        CHP_OK,
        200,
        {},
        R"({"items":[{"id":"a","updated_at":"2026-01"},{"id":"b","updated_at":"2026-02"}],
            "next":"http://127.0.0.1:1/items?page=2"})"};
  });
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  auto result = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(result.ok()) << result.error;

  auto records = host_.records();
  EXPECT_EQ(records.size(), 3u);
  EXPECT_TRUE(records.contains({"items", "3"}));
  boost::json::value summary = boost::json::parse(result.output);
  EXPECT_EQ(summary.at("cursor").as_string(), "2026-03");
  EXPECT_EQ(summary.at("changed").as_int64(), 3);
  EXPECT_EQ(host_.metrics()["records_mirrored_total"], 3.0);
  auto requests = host_.http_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].url, "http://127.0.0.1:1/items");  // no checkpoint yet
  EXPECT_EQ(requests[0].headers.back().second, "Bearer t0k3n");
}

TEST_F(JsonMirrorTest, SendsCheckpointOnNextRun) {
  host_.seed_state("stream.items", R"({"cursor":"2026-01-01T00:00:00Z"})");
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 200, {}, "[]"};
  });
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_EQ(host_.http_requests().size(), 1u);
  EXPECT_EQ(host_.http_requests()[0].url,
            "http://127.0.0.1:1/items?since=2026-01-01T00%3A00%3A00Z");
}

TEST_F(JsonMirrorTest, ServerErrorIsTransientAndCommitsNothing) {
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 503, {}, "busy"};
  });
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  auto result = plugin_.sync("{}");
  EXPECT_EQ(result.status, static_cast<chp_status_code>(CHP_ERR_TRANSIENT));
  EXPECT_NE(result.error.find("503"), std::string::npos);
  EXPECT_TRUE(host_.state().empty());
}

TEST_F(JsonMirrorTest, CancelledBeforeFirstPage) {
  ASSERT_TRUE(plugin_.create(kConfig).ok());
  FakeCall call;
  call.cancel();
  EXPECT_EQ(plugin_.sync("{}", &call).status, static_cast<chp_status_code>(CHP_ERR_CANCELLED));
  EXPECT_TRUE(host_.http_requests().empty());
}

TEST_F(JsonMirrorTest, RejectsNonHttpUrl) {
  auto result = plugin_.create(R"({"url":"file:///etc/passwd"})");
  EXPECT_EQ(result.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_NE(result.error.find("'url'"), std::string::npos);
}

}  // namespace
}  // namespace json_mirror
