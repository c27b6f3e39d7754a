// chp::Context, chp::Transaction and chp::Call over the FakeHost table: RAII rollback,
// commit failures, CAS secrets, cancellation, HTTP mapping and the borrowed token.
#include <gtest/gtest.h>
#include <connector_host/sdk/sdk.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;

class ContextTest : public ::testing::Test {
 protected:
  FakeHost host_;
  chp::Context ctx_{FakeHost::table(), host_.ctx()};
  FakeCall fake_call_;
  chp::Call call_{FakeHost::table(), fake_call_.get()};
};

TEST_F(ContextTest, TransactionRollsBackWhenNotCommitted) {
  {
    chp::Transaction txn = ctx_.begin();
    txn.put("checkpoint", "42");
    txn.upsert_record("items", "a", boost::json::object{{"x", 1}});
    EXPECT_EQ(host_.open_transactions(), 1u);
  }
  EXPECT_EQ(host_.open_transactions(), 0u);
  EXPECT_EQ(host_.rollbacks(), 1u);
  EXPECT_FALSE(ctx_.state_get("checkpoint").has_value());
  EXPECT_TRUE(host_.records().empty());
  // Staged writes dropped without an exception: a forgotten commit(), said out loud.
  auto logs = host_.logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, CHP_LOG_WARN);
  EXPECT_NE(logs[0].message.find("2 staged write(s) was destroyed without commit()"),
            std::string::npos)
      << logs[0].message;
}

TEST_F(ContextTest, NoForgottenCommitWarningForRollbackUnwindingOrNothingStaged) {
  {
    chp::Transaction txn = ctx_.begin();
    txn.put("k", "v");
    txn.rollback();
  }
  { chp::Transaction empty = ctx_.begin(); }
  {
    chp::Transaction txn = ctx_.begin();
    txn.put("k", "v");
    txn.commit();
  }
  EXPECT_TRUE(host_.logs().empty());
}

TEST_F(ContextTest, TransactionRollsBackWhenAnExceptionUnwinds) {
  auto batch = [&] {
    chp::Transaction txn = ctx_.begin();
    txn.put("checkpoint", "42");
    throw chp::TransientError("page fetch failed");
  };
  EXPECT_THROW(batch(), chp::TransientError);
  EXPECT_EQ(host_.open_transactions(), 0u);
  EXPECT_FALSE(ctx_.state_get("checkpoint").has_value());
  EXPECT_TRUE(host_.logs().empty());  // the exception is the report; no second one
}

TEST_F(ContextTest, CommitAppliesEveryWriteTogether) {
  host_.seed_state("old", "x");
  std::int64_t entry = host_.seed_outbox("items", "z", R"({"v":1})");
  chp::Transaction txn = ctx_.begin();
  txn.put("checkpoint", "42");
  txn.del("old");
  txn.upsert_record("items", "a", boost::json::object{{"x", 1}}, /*deleted=*/true);
  txn.outbox_add("items", "b", boost::json::object{{"y", 2}});
  txn.outbox_done(entry);
  txn.commit();
  EXPECT_FALSE(txn.is_open());
  EXPECT_EQ(ctx_.state_get("checkpoint"), "42");
  EXPECT_FALSE(ctx_.state_get("old").has_value());
  ASSERT_TRUE(host_.records().contains({"items", "a"}));
  EXPECT_TRUE(host_.records().at({"items", "a"}).deleted);
  EXPECT_EQ(ctx_.record_get("items", "a"), boost::json::parse(R"({"x":1})"));
  auto pending = ctx_.outbox_pending(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, "b");
  EXPECT_EQ(pending[0].record, boost::json::parse(R"({"y":2})"));
  EXPECT_EQ(host_.rollbacks(), 0u);
}

TEST_F(ContextTest, FailedCommitThrowsTransientAndAppliesNothing) {
  host_.set_commit_status(CHP_ERR_TRANSIENT);
  chp::Transaction txn = ctx_.begin();
  txn.put("checkpoint", "42");
  EXPECT_THROW(txn.commit(), chp::TransientError);
  EXPECT_FALSE(txn.is_open());
  EXPECT_EQ(host_.open_transactions(), 0u);
  EXPECT_FALSE(ctx_.state_get("checkpoint").has_value());
  EXPECT_THROW(txn.put("k", "v"), chp::PermanentError) << "ended transactions reject writes";
}

TEST_F(ContextTest, MovedTransactionIsRolledBackOnce) {
  chp::Transaction outer = ctx_.begin();
  {
    chp::Transaction inner = std::move(outer);
    EXPECT_FALSE(outer.is_open());
    inner.put("k", "v");
  }
  EXPECT_EQ(host_.rollbacks(), 1u);
  EXPECT_EQ(host_.open_transactions(), 0u);
}

TEST_F(ContextTest, SecretPutIsCompareAndSwap) {
  EXPECT_FALSE(ctx_.secret_get("refresh_token").has_value());
  EXPECT_TRUE(ctx_.secret_put("refresh_token", "r1", 0));
  EXPECT_FALSE(ctx_.secret_put("refresh_token", "r1-again", 0)) << "must not exist";
  auto s = ctx_.secret_get("refresh_token");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->value, "r1");
  EXPECT_TRUE(ctx_.secret_put("refresh_token", "r2", s->version));
  EXPECT_FALSE(ctx_.secret_put("refresh_token", "r3", s->version)) << "stale version loses";
  EXPECT_EQ(ctx_.secret_get("refresh_token")->value, "r2");
}

TEST_F(ContextTest, CallReportsCancellationAndDeadline) {
  EXPECT_FALSE(call_.cancelled());
  EXPECT_NO_THROW(call_.throw_if_cancelled());
  fake_call_.cancel(/*after_checks=*/2);
  EXPECT_FALSE(call_.cancelled());
  EXPECT_FALSE(call_.cancelled());
  EXPECT_TRUE(call_.cancelled());
  EXPECT_THROW(call_.throw_if_cancelled(), chp::CancelledError);

  FakeCall late;
  late.set_remaining_ms(0);
  chp::Call late_call(FakeHost::table(), late.get());
  EXPECT_EQ(late_call.remaining_ms(), 0u);
  EXPECT_THROW(late_call.throw_if_cancelled(), chp::CancelledError);

  chp::Call detached(FakeHost::table(), nullptr);
  EXPECT_FALSE(detached.cancelled());
  EXPECT_NO_THROW(detached.throw_if_cancelled());
}

TEST_F(ContextTest, HttpPassesRequestAndCollectsResponse) {
  host_.set_http_handler([](const FakeHttpRequest& req) {
    return FakeHttpResponse{
        CHP_OK, 201, {{"X-Req-Body", req.body}, {"ETag", "\"v1\""}}, "{\"ok\":true}"};
  });
  chp::http::Request req =
      chp::http::FormBody().add("grant_type", "refresh_token").to_post("https://h/token");
  chp::http::Response resp = ctx_.http(call_, req);
  EXPECT_EQ(resp.status, 201u);
  EXPECT_TRUE(resp.ok());
  EXPECT_EQ(resp.header("etag"), "\"v1\"");
  EXPECT_EQ(resp.header("X-REQ-BODY"), "grant_type=refresh_token");
  EXPECT_EQ(resp.json_object().at("ok"), true);
  auto sent = host_.http_requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].flags & CHP_HTTP_BODY_IS_SECRET, CHP_HTTP_BODY_IS_SECRET);
}

// ABI 1.5: the host's own retries (a 429 answered twice before the 200 that is delivered) are
// on the Response, so a plugin's request budget can count them.
TEST_F(ContextTest, HttpResponseCarriesTheHostsAttemptsAndWaits) {
  host_.set_http_handler([](const FakeHttpRequest&) {
    FakeHttpResponse r{CHP_OK, 200, {}, "{}"};
    r.attempts = 3;
    r.waited_ms = 2250;
    return r;
  });
  chp::http::Response resp = ctx_.http(call_, chp::http::Request::get("https://h/items"));
  EXPECT_EQ(resp.status, 200u);
  EXPECT_EQ(resp.attempts, 3u);
  EXPECT_EQ(resp.waited_ms, 2250u);
  host_.set_http_handler([](const FakeHttpRequest&) { return FakeHttpResponse{}; });
  chp::http::Response once = ctx_.http(call_, chp::http::Request::get("https://h/items"));
  EXPECT_EQ(once.attempts, 1u);
  EXPECT_EQ(once.waited_ms, 0u);
}

// A 429's Retry-After becomes the TransientError's delay, which the adapter hands to the
// scheduler.
TEST_F(ContextTest, RaiseForStatusCarriesRetryAfterToTheError) {
  chp::http::Response limited;
  limited.status = 429;
  limited.headers = {{"Retry-After", "120"}};
  try {
    chp::http::raise_for_status(limited, "GET /items");
    FAIL();
  } catch (const chp::TransientError& e) {
    EXPECT_EQ(e.retry_after_ms(), 120'000);
    EXPECT_STREQ(e.what(), "GET /items: HTTP 429, Retry-After 120 s");
  }
  chp::http::Response down;
  down.status = 503;
  try {
    chp::http::raise_for_status(down, "GET /items");
    FAIL();
  } catch (const chp::TransientError& e) {
    EXPECT_FALSE(e.retry_after_ms());
  }
}

// ABI 1.5 remove_subject through the SDK; in a 1.4 host (a table that ends before the member)
// it says so instead of calling past the table.
TEST_F(ContextTest, RemoveSubjectReachesTheHostAndIsRefusedByAnOlderOne) {
  ctx_.report_subject("u1", "Ann", chp::SubjectState::kActive);
  ctx_.report_subject("u2", "Bob", chp::SubjectState::kActive);
  ctx_.remove_subject("u1");
  auto subjects = host_.subjects();
  EXPECT_EQ(subjects.count("u1"), 0u);
  EXPECT_EQ(subjects.count("u2"), 1u);
  EXPECT_EQ(host_.removed_subjects(), 1u);
  EXPECT_THROW(ctx_.remove_subject(""), chp::PermanentError);

  chp_host older = *FakeHost::table();
  older.struct_size = offsetof(chp_host, call_set_retry_after);
  older.abi_minor = 4;
  chp::Context old_ctx(&older, host_.ctx());
  try {
    old_ctx.remove_subject("u2");
    FAIL();
  } catch (const chp::PermanentError& e) {
    EXPECT_STREQ(e.what(), "remove subject: unsupported by this host (needs plugin ABI 1.5)");
  }
  EXPECT_EQ(host_.subjects().count("u2"), 1u);
}

// ABI 1.6 record_list_ids through the SDK and FakeHost: live ids in order, paged; a 1.5 host
// (a table that ends before the member) says so instead of calling past the table.
TEST_F(ContextTest, RecordListIdsPagesLiveIdsAndIsRefusedByAnOlderHost) {
  {
    chp::Transaction txn = ctx_.begin();
    txn.upsert_record("Account", "b", boost::json::object{});
    txn.upsert_record("Account", "a", boost::json::object{});
    txn.upsert_record("Account", "c", boost::json::object{}, /*deleted=*/true);
    txn.upsert_record("Account", "d", boost::json::object{});
    txn.upsert_record("Lead", "a0", boost::json::object{});
    txn.commit();
  }
  EXPECT_EQ(ctx_.record_list_ids("Account", "", 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ctx_.record_list_ids("Account", "b", 2), (std::vector<std::string>{"d"}));
  EXPECT_TRUE(ctx_.record_list_ids("Account", "d", 2).empty());
  EXPECT_TRUE(ctx_.record_list_ids("Contact", "", 2).empty());
  EXPECT_THROW(ctx_.record_list_ids("Account", "", 0), chp::PermanentError);

  chp_host older = *FakeHost::table();
  older.struct_size = offsetof(chp_host, record_list_ids);
  older.abi_minor = 5;
  chp::Context old_ctx(&older, host_.ctx());
  try {
    old_ctx.record_list_ids("Account", "", 10);
    FAIL();
  } catch (const chp::PermanentError& e) {
    EXPECT_STREQ(e.what(), "record list ids: unsupported by this host (needs plugin ABI 1.6)");
  }
}

TEST_F(ContextTest, HttpTransportFailureIsTransientWithoutQueryString) {
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{CHP_ERR_TRANSIENT, 0, {}, {}};
  });
  try {
    ctx_.http(call_, chp::http::Request::get("https://h/items?access_token=SECRET"));
    FAIL() << "no exception";
  } catch (const chp::TransientError& e) {
    EXPECT_EQ(std::string(e.what()).find("SECRET"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("https://h/items"), std::string::npos) << e.what();
  }
}

TEST_F(ContextTest, FailedConnectionTokenNamesTheOperationAndKeepsTheHostsReason) {
  host_.fail_connection_token(CHP_ERR_TRANSIENT, "refresh failed, retrying in 30 s");
  try {
    ctx_.connection_token(call_);
    FAIL() << "no exception";
  } catch (const chp::TransientError& e) {
    EXPECT_STREQ(e.what(), "connection token failed");  // no "transient" in the message
    EXPECT_TRUE(e.host_reason_attached());
  }
  EXPECT_EQ(fake_call_.error(), "refresh failed, retrying in 30 s");
}

TEST_F(ContextTest, HttpOnCancelledCallThrowsCancelled) {
  host_.set_http_handler([](const FakeHttpRequest&) { return FakeHttpResponse{}; });
  fake_call_.cancel();
  EXPECT_THROW(ctx_.http(call_, chp::http::Request::get("http://127.0.0.1/")), chp::CancelledError);
}

TEST_F(ContextTest, ConnectionTokenMapsNotConnectedToAuthRevoked) {
  EXPECT_THROW(ctx_.connection_token(call_), chp::AuthRevokedError);
  host_.set_connection_token(R"({"access_token":"a1","instance_url":"https://i"})");
  EXPECT_EQ(ctx_.connection_token(call_).at("access_token"), "a1");
  EXPECT_EQ(host_.rejected_token_reports(), 0u);
  ctx_.connection_token(call_, /*rejected=*/true);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
}

TEST_F(ContextTest, StatusSubjectsMetricsAndLogsReachTheHost) {
  ctx_.report_status("syncing");
  ctx_.report_subject("u1", "Ada", chp::SubjectState::kDisabled, "token revoked");
  ctx_.metric_add("pages_total", 2);
  ctx_.metric_add("pages_total", 3);
  ctx_.metric_set("lag_seconds", 7);
  ctx_.log(chp::LogLevel::kWarn, "slow page");
  EXPECT_EQ(host_.statuses().back(), "syncing");
  EXPECT_EQ(host_.subjects().at("u1").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(host_.subjects().at("u1").detail, "token revoked");
  EXPECT_EQ(host_.metrics().at("pages_total"), 5.0);
  EXPECT_EQ(host_.metrics().at("lag_seconds"), 7.0);
  ASSERT_EQ(host_.logs().size(), 1u);
  EXPECT_EQ(host_.logs()[0].level, CHP_LOG_WARN);
}

}  // namespace
