// chp::IncrementalStream over the FakeHost: paging with one transaction per page, the cursor
// kept until a run completes, resume of an interrupted run from its page token, cancellation,
// the deadline budget, changed versus re-read counts and the loop bounds.
#include <gtest/gtest.h>
#include <connector_host/sdk/stream.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;

// A tiny paged API: GET /items?since=C[&page=N] answers the items with updated_at >= C (an
// inclusive "since", as many APIs have) in pages of two, with "next" while more remain.
struct FakeApi {
  struct Item {
    std::string id;
    std::string updated_at;
    std::string name;
  };
  std::vector<Item> items;
  int fail_page = -1;               // answer this page number with 503 (once)
  std::uint32_t fail_status = 503;  // the status of that failure

  static std::string param(const std::string& url, const std::string& key) {
    std::size_t at = url.find(key + "=");
    if (at == std::string::npos) return "";
    at += key.size() + 1;
    return url.substr(at, url.find('&', at) - at);
  }

  FakeHttpResponse answer(const FakeHttpRequest& req) {
    std::string since = param(req.url, "since");
    std::string page_text = param(req.url, "page");
    int page = page_text.empty() ? 0 : std::stoi(page_text);
    if (page == fail_page) {
      fail_page = -1;
      return FakeHttpResponse{CHP_OK, fail_status, {{"Retry-After", "7"}}, "{}"};
    }
    std::vector<Item> match;
    for (const Item& i : items) {
      if (i.updated_at >= since) match.push_back(i);
    }
    boost::json::array out;
    for (std::size_t i = page * 2; i < match.size() && i < page * 2 + 2u; ++i) {
      out.push_back(
          {{"id", match[i].id}, {"updated_at", match[i].updated_at}, {"name", match[i].name}});
    }
    boost::json::object body{{"items", out}};
    if (match.size() > page * 2 + 2u) body["next"] = std::to_string(page + 1);
    return FakeHttpResponse{CHP_OK, 200, {}, boost::json::serialize(body)};
  }
};

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.items = {{"a", "2026-01-03", "A"},
                  {"b", "2026-01-01", "B"},
                  {"c", "2026-01-05", "C"},
                  {"d", "2026-01-02", "D"},
                  {"e", "2026-01-04", "E"}};
    host_.set_http_handler([this](const FakeHttpRequest& req) { return api_.answer(req); });
  }

  chp::StreamSpec spec() {
    chp::StreamSpec s;
    s.name = "items";
    s.request = [](const chp::StreamPosition& at) {
      std::string url = "http://127.0.0.1:1/items?since=" + at.cursor;
      if (at.page_token) url += "&page=" + *at.page_token;
      return chp::http::Request::get(url);
    };
    s.parse_page = [](const chp::http::Response& response) {
      boost::json::object body = response.json_object();
      return chp::StreamPage{body.at("items").as_array(),
                             chp::optional_string(body, "next", chp::ErrorClass::kPermanent)};
    };
    s.record_id = [](const boost::json::object& r) { return std::string(r.at("id").as_string()); };
    s.record_cursor = [](const boost::json::object& r) {
      return std::optional<std::string>(r.at("updated_at").as_string());
    };
    return s;
  }

  std::vector<std::string> requested_urls() const {
    std::vector<std::string> urls;
    for (const FakeHttpRequest& r : host_.http_requests()) urls.push_back(r.url);
    return urls;
  }

  FakeApi api_;
  FakeHost host_;
  chp::Context ctx_{FakeHost::table(), host_.ctx()};
  FakeCall fake_call_;
  chp::Call call_{FakeHost::table(), fake_call_.get()};
};

TEST_F(StreamTest, FirstRunPagesAndCommitsEachPageWithItsCheckpoint) {
  chp::IncrementalStream stream(ctx_, spec());
  chp::StreamResult result = stream.run(call_);

  EXPECT_TRUE(result.complete);
  EXPECT_FALSE(result.resumed);
  EXPECT_EQ(result.pages, 3);
  EXPECT_EQ(result.records, 5);
  EXPECT_EQ(result.changed, 5);
  EXPECT_EQ(result.unchanged, 0);
  EXPECT_EQ(result.cursor, "2026-01-05");
  EXPECT_EQ(host_.commits(), 3u);  // one transaction per page
  EXPECT_EQ(host_.records().size(), 5u);
  EXPECT_EQ(stream.cursor(), "2026-01-05");
  EXPECT_EQ(requested_urls(), (std::vector<std::string>{"http://127.0.0.1:1/items?since=",
                                                        "http://127.0.0.1:1/items?since=&page=1",
                                                        "http://127.0.0.1:1/items?since=&page=2"}));
  EXPECT_EQ(host_.open_transactions(), 0u);
}

TEST_F(StreamTest, NextRunAsksSinceTheCursorAndCountsReReadRecordsApart) {
  chp::IncrementalStream stream(ctx_, spec());
  stream.run(call_);
  api_.items.push_back({"f", "2026-01-06", "F"});
  api_.items[2].name = "C changed";  // c keeps its cursor but changes

  chp::StreamResult result = stream.run(call_);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(requested_urls().back(), "http://127.0.0.1:1/items?since=2026-01-05");
  EXPECT_EQ(result.records, 2);  // c (re-read: inclusive since) and f
  EXPECT_EQ(result.changed, 2);
  EXPECT_EQ(result.cursor, "2026-01-06");

  chp::StreamResult again = stream.run(call_);
  EXPECT_EQ(again.records, 1);  // f only, re-read
  EXPECT_EQ(again.changed, 0);
  EXPECT_EQ(again.unchanged, 1);
  std::optional<boost::json::value> c = ctx_.record_get("items", "c");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->at("name").as_string(), "C changed");
}

TEST_F(StreamTest, AnInterruptedRunResumesFromItsPageTokenWithTheOldCursor) {
  api_.fail_page = 1;
  chp::IncrementalStream first(ctx_, spec());
  try {
    first.run(call_);
    FAIL() << "expected the 503 to fail the run";
  } catch (const chp::TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 503, Retry-After 7 s"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(host_.records().size(), 2u);  // page 0 is committed
  // Page 0 held a and b (up to 2026-01-03); the cursor must not move before the run ends, or a
  // restart would skip d (2026-01-02) on a later page.
  boost::json::object cp = chp::parse_object(*host_.state_value("stream.items"),
                                             chp::ErrorClass::kPermanent, "checkpoint");
  EXPECT_EQ(cp.at("cursor").as_string(), "");
  EXPECT_EQ(cp.at("high").as_string(), "2026-01-03");
  EXPECT_EQ(cp.at("next").as_string(), "1");

  std::size_t before = host_.http_requests().size();
  chp::IncrementalStream second(ctx_, spec());  // a new instance, as after a restart
  chp::StreamResult result = second.run(call_);
  EXPECT_TRUE(result.resumed);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(requested_urls()[before], "http://127.0.0.1:1/items?since=&page=1");
  EXPECT_EQ(result.pages, 2);
  EXPECT_EQ(result.records, 3);
  EXPECT_EQ(host_.records().size(), 5u);
  EXPECT_EQ(result.cursor, "2026-01-05");
  cp = chp::parse_object(*host_.state_value("stream.items"), chp::ErrorClass::kPermanent, "cp");
  EXPECT_FALSE(cp.contains("next"));
}

TEST_F(StreamTest, CancellationStopsBetweenPagesAndKeepsWhatWasCommitted) {
  // Checks: the loop's (1), the first request's (2), then the loop's before page 1 cancels.
  fake_call_.cancel(2);
  chp::IncrementalStream stream(ctx_, spec());
  EXPECT_THROW(stream.run(call_), chp::CancelledError);
  EXPECT_EQ(host_.http_requests().size(), 1u);
  EXPECT_EQ(host_.records().size(), 2u);
  EXPECT_EQ(host_.open_transactions(), 0u);

  chp::testing::FakeCall next_call;
  chp::Call call(FakeHost::table(), next_call.get());
  chp::StreamResult result = stream.run(call);
  EXPECT_TRUE(result.resumed);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(host_.records().size(), 5u);
}

TEST_F(StreamTest, TooLittleTimeBeforeTheDeadlineEndsTheRunCleanlyForTheNextToResume) {
  host_.set_http_handler([this](const FakeHttpRequest& req) {
    fake_call_.set_remaining_ms(1'500);  // below the 2 s page budget after the first page
    return api_.answer(req);
  });
  chp::IncrementalStream stream(ctx_, spec());
  chp::StreamResult result = stream.run(call_);
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(result.pages, 1);
  EXPECT_EQ(result.cursor, "");

  fake_call_.set_remaining_ms(0);  // the deadline passed: cancelled, not a silent no-op
  EXPECT_THROW(stream.run(call_), chp::CancelledError);

  // Less than the budget from the start: the first page still runs, so a short deadline makes
  // progress instead of an endless row of empty successes.
  fake_call_.set_remaining_ms(1'000);
  chp::StreamResult short_run = stream.run(call_);
  EXPECT_EQ(short_run.pages, 1);
  EXPECT_FALSE(short_run.complete);

  fake_call_.set_remaining_ms(60'000);
  host_.set_http_handler([this](const FakeHttpRequest& req) { return api_.answer(req); });
  chp::StreamResult rest = stream.run(call_);
  EXPECT_TRUE(rest.resumed);
  EXPECT_TRUE(rest.complete);
  EXPECT_EQ(rest.pages, 1);  // pages 0 and 1 came in the two short runs
  EXPECT_EQ(host_.records().size(), 5u);
}

TEST_F(StreamTest, AServerRepeatingItsNextTokenIsRefusedAndThePageLimitBoundsARun) {
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 200, {}, R"({"items":[],"next":"same"})"};
  });
  chp::IncrementalStream looping(ctx_, spec());
  EXPECT_THROW(looping.run(call_), chp::PermanentError);
  EXPECT_EQ(host_.http_requests().size(), 2u);

  int n = 0;
  host_.set_http_handler([&n](const FakeHttpRequest&) {
    return FakeHttpResponse{
        CHP_OK, 200, {}, R"({"items":[],"next":"p)" + std::to_string(++n) + R"("})"};
  });
  chp::StreamSpec limited = spec();
  limited.name = "limited";
  limited.max_pages = 3;
  chp::StreamResult result = chp::IncrementalStream(ctx_, limited).run(call_);
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(result.pages, 3);
}

TEST_F(StreamTest, FailedResponsesMapToTheirClassesAndBadRecordsRollThePageBack) {
  api_.fail_page = 0;
  api_.fail_status = 401;
  EXPECT_THROW(chp::IncrementalStream(ctx_, spec()).run(call_), chp::AuthRevokedError);
  api_.fail_page = 0;
  api_.fail_status = 404;
  EXPECT_THROW(chp::IncrementalStream(ctx_, spec()).run(call_), chp::PermanentError);

  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_OK, 200, {}, R"({"items":[{"id":"x","updated_at":"1"},7]})"};
  });
  EXPECT_THROW(chp::IncrementalStream(ctx_, spec()).run(call_), chp::PermanentError);
  EXPECT_TRUE(host_.records().empty());  // the page's good record went with it
  EXPECT_FALSE(host_.state_value("stream.items").has_value());
  EXPECT_EQ(host_.open_transactions(), 0u);
}

TEST_F(StreamTest, DeletedRecordsAreMirroredSoftDeletedAndResetForgetsTheCursor) {
  chp::StreamSpec s = spec();
  s.record_deleted = [](const boost::json::object& r) { return r.at("id").as_string() == "b"; };
  chp::IncrementalStream stream(ctx_, s);
  stream.run(call_);
  EXPECT_TRUE(host_.records().at({"items", "b"}).deleted);
  EXPECT_FALSE(host_.records().at({"items", "a"}).deleted);

  stream.reset();
  EXPECT_EQ(stream.cursor(), "");
  EXPECT_EQ(stream.run(call_).records, 5);
}

TEST_F(StreamTest, ASpecWithoutItsCallbacksIsRefused) {
  chp::StreamSpec s;
  s.name = "x";
  EXPECT_THROW(chp::IncrementalStream(ctx_, s), chp::PermanentError);
}

}  // namespace
