// chp::http::ConnectionAuthenticator over the FakeHost: the token is attached, a 401 makes it
// report the token rejected and retry exactly once, and the token never shows in an error or a
// log line.
#include <gtest/gtest.h>
#include <connector_host/sdk/http/authenticator.hpp>
#include <connector_host/sdk/stream.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <string>

namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;

constexpr const char* kOld = "old-access-token-0123456789";
constexpr const char* kNew = "new-access-token-9876543210";

std::string token_json(const char* token) {
  return boost::json::serialize(boost::json::object{
      {"access_token", token}, {"token_type", "Bearer"}, {"instance_url", "http://127.0.0.1:1"}});
}

std::string authorization_of(const FakeHttpRequest& req) {
  std::string value;
  int count = 0;
  for (const auto& [k, v] : req.headers) {
    if (chp::http::iequals(k, "authorization")) {
      value = v;
      ++count;
    }
  }
  return count == 1 ? value : "<" + std::to_string(count) + " headers>";
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  FakeHost host_;
  chp::Context ctx_{FakeHost::table(), host_.ctx()};
  FakeCall fake_call_;
  chp::Call call_{FakeHost::table(), fake_call_.get()};
};

TEST_F(AuthenticatorTest, AttachesTheTokenAndAfterA401RetriesOnceWithTheRefreshedOne) {
  host_.set_connection_token(token_json(kOld));
  host_.set_http_handler([this](const FakeHttpRequest& req) {
    if (authorization_of(req) == std::string("Bearer ") + kNew) {
      return FakeHttpResponse{CHP_OK, 200, {}, "{}"};
    }
    host_.set_connection_token(token_json(kNew));  // what the host's refresh then hands out
    return FakeHttpResponse{CHP_OK, 401, {}, R"([{"errorCode":"INVALID_SESSION_ID"}])"};
  });
  chp::http::ConnectionAuthenticator auth(ctx_);
  chp::http::Request req = chp::http::Request::get("http://127.0.0.1:1/x");
  req.headers.emplace_back("authorization", "Bearer stale-from-the-caller");

  chp::http::Response response = auth.send(call_, req);
  EXPECT_EQ(response.status, 200u);
  auto requests = host_.http_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(authorization_of(requests[0]), std::string("Bearer ") + kOld);
  EXPECT_EQ(authorization_of(requests[1]), std::string("Bearer ") + kNew);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
  EXPECT_EQ(auth.retries_after_401(), 1);

  // The token is kept for the next request: no second connection_token round trip needed.
  EXPECT_EQ(auth.send(call_, req).status, 200u);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
  boost::json::object connection = auth.connection(call_);
  EXPECT_FALSE(connection.contains("access_token"));
  EXPECT_EQ(connection.at("instance_url").as_string(), "http://127.0.0.1:1");
}

TEST_F(AuthenticatorTest, ASecond401IsReturnedAndTheTokenIsInNoErrorOrLog) {
  host_.set_connection_token(token_json(kOld));
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 401, {}, "{}"};
  });
  chp::http::ConnectionAuthenticator auth(ctx_);
  EXPECT_EQ(auth.send(call_, chp::http::Request::get("http://127.0.0.1:1/x")).status, 401u);
  EXPECT_EQ(host_.http_requests().size(), 2u);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);

  // Through the stream helper, as a sync uses it: the 401 that persists is AuthRevokedError.
  chp::StreamSpec spec;
  spec.name = "x";
  spec.request = [](const chp::StreamPosition&) {
    return chp::http::Request::get("http://127.0.0.1:1/x?access_token=never-in-messages");
  };
  spec.parse_page = [](const chp::http::Response&) { return chp::StreamPage{}; };
  spec.record_id = [](const boost::json::object&) { return std::string("id"); };
  spec.send = [&auth](const chp::Call& call, const chp::http::Request& r) {
    return auth.send(call, r);
  };
  try {
    chp::IncrementalStream(ctx_, spec).run(call_);
    FAIL() << "expected AuthRevokedError";
  } catch (const chp::AuthRevokedError& e) {
    EXPECT_EQ(std::string(e.what()).find(kOld), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("never-in-messages"), std::string::npos) << e.what();
  }
  for (const auto& line : host_.logs()) {
    EXPECT_EQ(line.message.find(kOld), std::string::npos) << line.message;
  }
}

TEST_F(AuthenticatorTest, NotConnectedIsAuthRevokedAndNoRequestIsSent) {
  host_.set_connection_token(std::nullopt);
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 200, {}, "{}"};
  });
  chp::http::ConnectionAuthenticator auth(ctx_);
  EXPECT_THROW(auth.send(call_, chp::http::Request::get("http://127.0.0.1:1/x")),
               chp::AuthRevokedError);
  EXPECT_TRUE(host_.http_requests().empty());

  host_.set_connection_token(R"({"token_type":"Bearer"})");
  EXPECT_THROW(auth.send(call_, chp::http::Request::get("http://127.0.0.1:1/x")),
               chp::PermanentError);
  EXPECT_TRUE(host_.http_requests().empty());
}

}  // namespace
