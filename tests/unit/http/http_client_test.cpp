// HttpClient against a loopback server: methods, headers, bodies, streaming, deadlines,
// cancellation, retries (counted at the server), URL redaction, metrics, concurrency.
#include "chost/http/http_client.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chost/common/log.hpp"
#include "chost/common/metrics.hpp"
#include "loopback_server.hpp"

namespace chost::http {
namespace {

using testing::CannedResponse;
using testing::LoopbackServer;
using testing::ReceivedRequest;

HttpClientOptions fast_options() {
  HttpClientOptions o;
  o.connect_timeout_ms = 2000;
  o.default_timeout_ms = 10000;
  o.max_retries = 2;
  o.retry_backoff_ms = 5;
  o.user_agent = "chost-test/1";
  return o;
}

CannedResponse ok(std::string body) {
  CannedResponse r;
  r.body = std::move(body);
  r.headers = {{"Content-Type", "text/plain"}};
  return r;
}

TEST(HttpClient, GetSendsHeadersAndReturnsStatusHeadersAndBody) {
  LoopbackServer server([](const ReceivedRequest& req, size_t) {
    CannedResponse r = ok("hello " + req.header("X-Name").value_or("?"));
    r.status = 201;
    r.headers.emplace_back("X-Echo-Target", req.target);
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/v1/items?limit=5");
  req.headers = {{"X-Name", "sf"}, {"Accept", "application/json"}};
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 201u);
  EXPECT_EQ(res->body, "hello sf");
  EXPECT_EQ(res->header("x-echo-target"), "/v1/items?limit=5");
  EXPECT_EQ(res->header("content-type"), "text/plain");
  EXPECT_EQ(res->attempts, 1u);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].header("User-Agent"), "chost-test/1");
  EXPECT_EQ(seen[0].header("Accept"), "application/json");
}

// Every request asks for gzip (Salesforce pages shrink ~50x) and the caller gets the decoded body.
TEST(HttpClient, AsksForGzipAndDecodesIt) {
  // gzip.compress(b'{"records":["compressed on the wire"]}', mtime=0)
  static const std::string kGzipped(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x2a\x4a\x4d\xce\x2f\x4a\x29\x56\xb2"
      "\x8a\x56\x4a\xce\xcf\x2d\x28\x4a\x2d\x2e\x4e\x4d\x51\xc8\xcf\x53\x28\xc9\x48\x55\x28"
      "\xcf\x2c\x4a\x55\x8a\xad\x05\x00\x09\xce\x9b\xf7\x26\x00\x00\x00",
      58);
  LoopbackServer server([](const ReceivedRequest& req, size_t) {
    if (req.header("Accept-Encoding").value_or("").find("gzip") == std::string::npos) {
      return ok("not asked");
    }
    CannedResponse r;
    r.body = kGzipped;
    r.headers = {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}};
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/query");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, R"({"records":["compressed on the wire"]})");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].header("Accept-Encoding"), "gzip");
}

TEST(HttpClient, PostPutAndDeleteSendMethodAndBody) {
  LoopbackServer server(
      [](const ReceivedRequest& req, size_t) { return ok(req.method + ":" + req.body); });
  HttpClient client(fast_options());
  const std::string big(100 * 1024, 'x');  // large enough that curl would use Expect
  for (const auto& [method, body] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "grant_type=client_credentials"},
                                                        {"PUT", big},
                                                        {"PATCH", "{}"},
                                                        {"DELETE", ""}}) {
    HttpRequest req;
    req.method = method;
    req.url = server.url("/r");
    req.body = body;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    auto res = client.request(req);
    ASSERT_TRUE(res.ok()) << method << ": " << res.error().message;
    EXPECT_EQ(res->body, method + ":" + body);
  }
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[1].header("Expect"), std::nullopt);
  EXPECT_EQ(seen[3].method, "DELETE");
}

TEST(HttpClient, StreamingDeliversFinalHeadersThenBodyChunks) {
  std::string payload;
  for (int i = 0; i < 50000; ++i) payload += std::to_string(i % 10);
  LoopbackServer server([&](const ReceivedRequest&, size_t) {
    CannedResponse r = ok(payload);
    r.headers.emplace_back("X-Page", "1");
    return r;
  });
  HttpClient client(fast_options());
  std::vector<std::pair<std::string, std::string>> headers;
  std::string streamed;
  size_t chunks = 0;
  bool body_before_headers = false;
  ResponseCallbacks cb;
  cb.on_header = [&](std::string_view n, std::string_view v) { headers.emplace_back(n, v); };
  cb.on_body = [&](std::string_view chunk) {
    if (headers.empty()) body_before_headers = true;
    streamed.append(chunk);
    ++chunks;
  };
  HttpRequest req;
  req.url = server.url("/stream");
  auto res = client.request(req, cb);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200u);
  EXPECT_TRUE(res->body.empty());
  EXPECT_EQ(streamed, payload);
  EXPECT_GE(chunks, 1u);
  EXPECT_FALSE(body_before_headers);
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::make_pair(std::string("X-Page"), std::string("1"))),
            headers.end());
}

TEST(HttpClient, ThrowingStreamHandlerFailsTheRequestWithoutCrossingTheBoundary) {
  LoopbackServer server([](const ReceivedRequest&, size_t) { return ok("data"); });
  HttpClient client(fast_options());
  ResponseCallbacks cb;
  cb.on_body = [](std::string_view) { throw std::runtime_error("sink full"); };
  HttpRequest req;
  req.url = server.url("/x");
  auto res = client.request(req, cb);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kPermanent);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClient, ThrowingHeaderHandlerFailsTheRequest) {
  LoopbackServer server([](const ReceivedRequest&, size_t) { return ok(""); });
  HttpClient client(fast_options());
  ResponseCallbacks cb;
  cb.on_header = [](std::string_view, std::string_view) { throw std::runtime_error("no"); };
  HttpRequest req;
  req.url = server.url("/empty");
  auto res = client.request(req, cb);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kPermanent);
}

TEST(HttpClient, DeadlineExceededIsTransient) {
  LoopbackServer server([](const ReceivedRequest&, size_t) {
    CannedResponse r = ok("late");
    r.delay_ms = 5000;
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/slow?access_token=hidden-value-1");
  req.timeout_ms = 200;
  auto res = client.request(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kTransient);
  EXPECT_NE(res.error().message.find("timed out"), std::string::npos) << res.error().message;
  EXPECT_EQ(res.error().message.find("hidden-value-1"), std::string::npos);
  // The deadline covers every attempt: a timed-out GET is not retried past it.
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClient, CancellationDuringTransferIsCancelled) {
  LoopbackServer server([](const ReceivedRequest&, size_t) {
    CannedResponse r = ok("never");
    r.delay_ms = 10000;
    return r;
  });
  HttpClient client(fast_options());
  CancelToken cancel;
  HttpRequest req;
  req.url = server.url("/hang");
  std::thread canceller([&] {
    // Cancel once the request is at the server, so the abort happens mid-transfer.
    for (int i = 0; i < 500 && server.request_count() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    cancel.cancel();
  });
  auto res = client.request(req, &cancel);
  canceller.join();
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kCancelled);
}

TEST(HttpClient, ExternalFlagCancelsBeforeAnyAttempt) {
  LoopbackServer server([](const ReceivedRequest&, size_t) { return ok("x"); });
  HttpClient client(fast_options());
  std::atomic<bool> flag{true};
  CancelToken cancel(flag);
  HttpRequest req;
  req.url = server.url("/x");
  auto res = client.request(req, &cancel);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kCancelled);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(HttpClient, ConnectionRefusedIsRetriedThenTransientWithRedactedUrl) {
  metrics::Registry registry;
  HttpClientOptions o = fast_options();
  o.metrics = &registry;
  HttpClient client(o);
  const uint16_t port = testing::unused_loopback_port();
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) +
            "/services/oauth2/token?code=aPrxSecretCode&client_secret=cs-123456";
  auto res = client.request(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kTransient);
  const std::string& m = res.error().message;
  EXPECT_NE(m.find("GET http://127.0.0.1:" + std::to_string(port) +
                   "/services/oauth2/token?code=***&client_secret=***"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find("aPrxSecretCode"), std::string::npos) << m;
  EXPECT_EQ(m.find("cs-123456"), std::string::npos) << m;
  EXPECT_NE(m.find("3 attempts"), std::string::npos) << m;
  EXPECT_EQ(
      registry.value("chost_http_requests_total", {{"host", "127.0.0.1:" + std::to_string(port)},
                                                   {"method", "GET"},
                                                   {"status_class", "error"},
                                                   {"connector", ""}}),
      3.0);
}

TEST(HttpClient, DroppedConnectionsAreRetriedForGetAndCountedAtTheServer) {
  LoopbackServer server([](const ReceivedRequest&, size_t index) {
    CannedResponse r = ok("third time");
    r.drop_connection = index < 2;
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/flaky");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "third time");
  EXPECT_EQ(res->attempts, 3u);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(HttpClient, RetriesAreBoundedByMaxRetries) {
  LoopbackServer server([](const ReceivedRequest&, size_t) {
    CannedResponse r;
    r.drop_connection = true;
    return r;
  });
  HttpClientOptions o = fast_options();
  o.max_retries = 3;
  HttpClient client(o);
  HttpRequest req;
  req.url = server.url("/down");
  auto res = client.request(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kTransient);
  EXPECT_EQ(server.request_count(), 4u);
}

TEST(HttpClient, ServiceUnavailableWithRetryAfterIsRetried) {
  LoopbackServer server([](const ReceivedRequest&, size_t index) {
    if (index == 0) {
      CannedResponse r;
      r.status = 503;
      r.headers = {{"Retry-After", "0"}, {"X-Attempt", "1"}};
      r.body = "busy";
      return r;
    }
    CannedResponse r = ok("done");
    r.headers.emplace_back("X-Attempt", "2");
    return r;
  });
  HttpClient client(fast_options());
  std::vector<std::string> attempt_headers;
  std::string streamed;
  ResponseCallbacks cb;
  cb.on_header = [&](std::string_view n, std::string_view v) {
    if (n == "X-Attempt") attempt_headers.emplace_back(v);
  };
  cb.on_body = [&](std::string_view c) { streamed.append(c); };
  HttpRequest req;
  req.url = server.url("/busy");
  auto res = client.request(req, cb);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200u);
  EXPECT_EQ(res->attempts, 2u);
  EXPECT_EQ(server.request_count(), 2u);
  // Only the final response reaches a streaming caller.
  EXPECT_EQ(attempt_headers, std::vector<std::string>{"2"});
  EXPECT_EQ(streamed, "done");
}

TEST(HttpClient, RefusedUnresolvableAndDroppedConnectionsSayWhichWithLibcurlsWords) {
  HttpClientOptions o = fast_options();
  o.max_retries = 0;
  HttpClient client(o);
  auto failure = [&](const std::string& url) {
    HttpRequest req;
    req.url = url;
    auto res = client.request(req);
    EXPECT_FALSE(res.ok()) << url;
    return res.ok() ? std::string() : res.error().message;
  };
  std::string refused;
  {
    LoopbackServer closed([](const ReceivedRequest&, size_t) { return ok("x"); });
    refused = closed.url("/x");
  }  // nothing listens there any more
  const std::string refused_message = failure(refused);
  EXPECT_NE(refused_message.find("Connection refused"), std::string::npos) << refused_message;
  const std::string dns_message = failure("http://no-such-host.invalid/x");
  EXPECT_NE(dns_message.find("no-such-host.invalid"), std::string::npos) << dns_message;
  LoopbackServer dropping([](const ReceivedRequest&, size_t) {
    CannedResponse r;
    r.drop_connection = true;
    return r;
  });
  const std::string dropped_message = failure(dropping.url("/x"));
  EXPECT_NE(dropped_message, refused_message);
  EXPECT_NE(dropped_message, dns_message);
  EXPECT_NE(refused_message, dns_message);
}

TEST(HttpClient, PassingServerAndGatewayErrorsAreRetriedForGetsOnly) {
  // One 500 on a query cursor page used to fail the whole sync.
  LoopbackServer server([](const ReceivedRequest&, size_t index) {
    const uint32_t statuses[] = {500, 502, 504};
    if (index < 3) {
      CannedResponse r;
      r.status = statuses[index];
      r.body = "fault";
      return r;
    }
    return ok("page");
  });
  HttpClientOptions o = fast_options();
  o.max_retries = 3;
  HttpClient client(o);
  HttpRequest req;
  req.url = server.url("/services/data/v59.0/query/01gxx-2000");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200u);
  EXPECT_EQ(res->body, "page");
  EXPECT_EQ(res->attempts, 4u);

  LoopbackServer failing([](const ReceivedRequest&, size_t) {
    CannedResponse r;
    r.status = 500;
    return r;
  });
  req.url = failing.url("/token");
  req.method = "POST";
  req.body = "grant_type=refresh_token";
  auto token = client.request(req);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->status, 500u);
  EXPECT_EQ(failing.request_count(), 1u) << "a token POST was sent twice";
  req.method = "GET";
  req.body.clear();
  auto bounded = client.request(req);
  ASSERT_TRUE(bounded.ok());
  EXPECT_EQ(bounded->status, 500u);  // after max_retries, the last answer
  EXPECT_EQ(failing.request_count(), 1u + 4u);
}

TEST(HttpClient, TooManyRequestsForeverReturnsTheLastAnswerAfterMaxRetries) {
  LoopbackServer server([](const ReceivedRequest&, size_t index) {
    CannedResponse r;
    r.status = 429;
    r.headers = {{"Retry-After", "0"}};
    r.body = "slow down " + std::to_string(index);
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/limited");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 429u);
  EXPECT_EQ(res->body, "slow down 2");
  EXPECT_EQ(server.request_count(), 3u);
}

// What the retries cost is on the answer (the plugin sees it through the ABI's on_attempts): two
// 429s, the first asking for 1 s and the second for nothing, then the 200.
TEST(HttpClient, TheAnswerSaysHowManyAttemptsAndHowLongTheWaitsWere) {
  LoopbackServer server([](const ReceivedRequest&, size_t index) {
    if (index < 2) {
      CannedResponse r;
      r.status = 429;
      r.headers = {{"Retry-After", index == 0 ? "1" : "0"}};
      return r;
    }
    return ok("done");
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/limited");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200u);
  EXPECT_EQ(res->attempts, 3u);
  EXPECT_GE(res->waited_ms, 1000u);  // the Retry-After: 1 was waited for
  EXPECT_EQ(server.request_count(), 3u);

  LoopbackServer once([](const ReceivedRequest&, size_t) { return ok("at once"); });
  HttpRequest first;
  first.url = once.url("/");
  auto direct = client.request(first);
  ASSERT_TRUE(direct.ok()) << direct.error().message;
  EXPECT_EQ(direct->attempts, 1u);
  EXPECT_EQ(direct->waited_ms, 0u);
}

TEST(HttpClient, RetryAfterBeyondTheCapIsNotWaitedFor) {
  LoopbackServer server([](const ReceivedRequest&, size_t) {
    CannedResponse r;
    r.status = 503;
    r.headers = {{"Retry-After", "120"}};
    return r;
  });
  HttpClientOptions o = fast_options();
  o.max_retry_after_ms = 1000;
  HttpClient client(o);
  HttpRequest req;
  req.url = server.url("/maintenance");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 503u);
  EXPECT_EQ(res->header("Retry-After"), "120");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClient, PostIsNeverRetried) {
  LoopbackServer server([](const ReceivedRequest& req, size_t) {
    CannedResponse r;
    if (req.target == "/drop") {
      r.drop_connection = true;
    } else {
      r.status = 503;
      r.headers = {{"Retry-After", "0"}};
    }
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.method = "POST";
  req.body = "{}";
  req.url = server.url("/busy");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 503u);
  EXPECT_EQ(server.request_count(), 1u);

  req.url = server.url("/drop");
  auto dropped = client.request(req);
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.error().cls, ErrorClass::kTransient);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(HttpClient, NoRetryFlagDisablesRetriesOfIdempotentRequests) {
  LoopbackServer server([](const ReceivedRequest&, size_t) {
    CannedResponse r;
    r.drop_connection = true;
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/x");
  req.no_retry = true;
  auto res = client.request(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClient, SendsThroughTheConfiguredProxy) {
  LoopbackServer proxy([](const ReceivedRequest& req, size_t) { return ok("via " + req.target); });
  HttpClientOptions o = fast_options();
  o.proxy = proxy.url("");
  HttpClient client(o);
  HttpRequest req;
  req.url = "http://upstream.invalid/v1/x?q=1";
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "via http://upstream.invalid/v1/x?q=1");
}

TEST(HttpClient, EnvironmentProxyIsIgnoredWithoutAConfiguredOne) {
  LoopbackServer proxy([](const ReceivedRequest&, size_t) { return ok("proxy"); });
  LoopbackServer origin([](const ReceivedRequest&, size_t) { return ok("origin"); });
  ::setenv("http_proxy", proxy.url("").c_str(), 1);
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = origin.url("/direct");
  auto res = client.request(req);
  ::unsetenv("http_proxy");
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "origin");
  EXPECT_EQ(proxy.request_count(), 0u);
}

TEST(HttpClient, HeadReturnsHeadersWithoutABody) {
  LoopbackServer server([](const ReceivedRequest&, size_t) {
    CannedResponse r;
    r.headers = {{"X-Total", "42"}};
    return r;
  });
  HttpClient client(fast_options());
  HttpRequest req;
  req.method = "HEAD";
  req.url = server.url("/count");
  auto res = client.request(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200u);
  EXPECT_EQ(res->header("X-Total"), "42");
  EXPECT_TRUE(res->body.empty());
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
}

TEST(HttpClient, RejectsNonHttpUrls) {
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = "file:///etc/passwd";
  auto res = client.request(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().cls, ErrorClass::kPermanent);
}

TEST(HttpClient, RequestsCarryTheCallingConnectorIntoMetrics) {
  LoopbackServer server([](const ReceivedRequest&, size_t) { return ok("x"); });
  metrics::Registry registry;
  HttpClientOptions o = fast_options();
  o.metrics = &registry;
  HttpClient client(o);
  HttpRequest req;
  req.url = server.url("/a");
  req.connector = "crm";
  ASSERT_TRUE(client.request(req).ok());
  req.connector = "mail";
  ASSERT_TRUE(client.request(req).ok());
  ASSERT_TRUE(client.request(req).ok());
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  const auto count = [&](const std::string& connector) {
    return registry.value(
        "chost_http_requests_total",
        {{"host", host}, {"method", "GET"}, {"status_class", "2xx"}, {"connector", connector}});
  };
  EXPECT_EQ(count("crm"), 1.0);
  EXPECT_EQ(count("mail"), 2.0);
  EXPECT_FALSE(count("").has_value());  // nothing was sent for the host itself
  EXPECT_EQ(registry.histogram_count("chost_http_request_duration_seconds",
                                     {{"host", host}, {"method", "GET"}, {"connector", "mail"}}),
            2u);
  EXPECT_NE(registry.render().find("connector=\"crm\""), std::string::npos);
}

TEST(HttpClient, RecordsRequestCountAndLatencyMetrics) {
  LoopbackServer server([](const ReceivedRequest& req, size_t) {
    CannedResponse r = ok("x");
    if (req.target == "/missing") r.status = 404;
    return r;
  });
  metrics::Registry registry;
  HttpClientOptions o = fast_options();
  o.metrics = &registry;
  HttpClient client(o);
  HttpRequest req;
  req.url = server.url("/a");
  ASSERT_TRUE(client.request(req).ok());
  ASSERT_TRUE(client.request(req).ok());
  req.url = server.url("/missing");
  ASSERT_TRUE(client.request(req).ok());
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(registry.value(
                "chost_http_requests_total",
                {{"host", host}, {"method", "GET"}, {"status_class", "2xx"}, {"connector", ""}}),
            2.0);
  EXPECT_EQ(registry.value(
                "chost_http_requests_total",
                {{"host", host}, {"method", "GET"}, {"status_class", "4xx"}, {"connector", ""}}),
            1.0);
  EXPECT_EQ(registry.histogram_count("chost_http_request_duration_seconds",
                                     {{"host", host}, {"method", "GET"}, {"connector", ""}}),
            3u);
  EXPECT_NE(registry.render().find("# TYPE chost_http_request_duration_seconds histogram"),
            std::string::npos);
}

TEST(HttpClient, DebugLogLinesAreRedactedAndOmitBodies) {
  std::mutex mu;
  std::vector<std::string> lines;
  log::init({log::Format::kText, log::Level::kDebug, [&](std::string_view line) {
               std::lock_guard lock(mu);
               lines.emplace_back(line);
             }});
  LoopbackServer server([](const ReceivedRequest&, size_t) { return ok("response-body-77"); });
  HttpClient client(fast_options());
  HttpRequest req;
  req.method = "POST";
  req.url = server.url("/token?code=authcode-991");
  req.body = "client_secret=cs-abcdef&grant_type=authorization_code";
  req.connector = "sf";
  ASSERT_TRUE(client.request(req).ok());
  log::init({log::Format::kText, log::Level::kOff, {}});
  std::lock_guard lock(mu);
  ASSERT_FALSE(lines.empty());
  bool found = false;
  for (const auto& l : lines) {
    EXPECT_EQ(l.find("authcode-991"), std::string::npos) << l;
    EXPECT_EQ(l.find("cs-abcdef"), std::string::npos) << l;
    EXPECT_EQ(l.find("response-body-77"), std::string::npos) << l;
    if (l.find("[sf] http: POST " + server.url("/token?code=***") + " -> 200") !=
        std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  LoopbackServer server([](const ReceivedRequest&, size_t) { return ok("x"); });
  HttpClient client(fast_options());
  HttpRequest req;
  req.url = server.url("/again");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.request(req).ok());
  EXPECT_EQ(server.request_count(), 5u);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(HttpClient, ConcurrentRequestsFromTwoThreads) {
  LoopbackServer server([](const ReceivedRequest& req, size_t) { return ok(req.target); });
  HttpClient client(fast_options());
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  auto worker = [&](int id) {
    for (int i = 0; i < kPerThread; ++i) {
      HttpRequest req;
      const std::string target = "/t" + std::to_string(id) + "/" + std::to_string(i);
      req.url = server.url(target);
      auto res = client.request(req);
      if (!res.ok() || res->body != target) ++failures;
    }
  };
  std::thread a(worker, 1), b(worker, 2);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.request_count(), 2u * kPerThread);
  // Connections go back to the shared cache: never more than one per thread in use.
  EXPECT_LE(server.connection_count(), 2u);
}

TEST(HttpClientOptions, ValidationNamesTheProblemWithoutEchoingTheProxy) {
  HttpClientOptions o = fast_options();
  EXPECT_TRUE(validate_options(o).ok());
  o.proxy = "http://user:pw-secret@proxy.internal:3128";
  EXPECT_TRUE(validate_options(o).ok());
  o.proxy = "ftp://user:pw-secret@proxy.internal";
  auto bad_proxy = validate_options(o);
  ASSERT_FALSE(bad_proxy.ok());
  EXPECT_EQ(bad_proxy.error().cls, ErrorClass::kConfig);
  EXPECT_EQ(bad_proxy.error().message.find("pw-secret"), std::string::npos);
  o.proxy.clear();
  o.ca_file = "/nonexistent/ca.pem";
  auto bad_ca = validate_options(o);
  ASSERT_FALSE(bad_ca.ok());
  EXPECT_NE(bad_ca.error().message.find("/nonexistent/ca.pem"), std::string::npos);
  o.ca_file.clear();
  o.default_timeout_ms = 0;
  EXPECT_FALSE(validate_options(o).ok());
}

TEST(RetryPolicy, IdempotentMethods) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    EXPECT_TRUE(is_idempotent_method(m)) << m;
  }
  for (const char* m : {"POST", "PATCH", "get", "CONNECT"}) {
    EXPECT_FALSE(is_idempotent_method(m)) << m;
  }
}

TEST(RetryPolicy, ParsesRetryAfterSecondsAndDates) {
  EXPECT_EQ(parse_retry_after_ms("0"), 0u);
  EXPECT_EQ(parse_retry_after_ms(" 120 "), 120000u);
  EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), 0u);  // in the past
  const auto future = parse_retry_after_ms("Fri, 31 Dec 2100 23:59:59 GMT");
  ASSERT_TRUE(future.has_value());
  EXPECT_GT(*future, 1000u * 3600 * 24 * 365);
  EXPECT_EQ(parse_retry_after_ms("soon"), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("12abc"), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms(""), std::nullopt);
}

}  // namespace
}  // namespace chost::http
