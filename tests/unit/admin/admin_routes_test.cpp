// Admin server routes over real loopback HTTP: probes, auth, every /api/v1 route, the OAuth
// callback page and the mapping of backend errors to statuses.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

namespace json = boost::json;

json::value body_json(const TestResponse& r) {
  EXPECT_EQ(r.header("content-type"), "application/json");
  return json::parse(r.body);
}

TEST_F(AdminServerTest, HealthzAnswersOkWithoutToken) {
  auto r = get("/healthz", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
}

TEST_F(AdminServerTest, HealthzFailsWithTheReasonWhenTheBackendsLoopsStall) {
  backend_.set_healthy(false, "scheduler worker pool has not run a task for 61s");
  auto r = get("/healthz", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "unhealthy: scheduler worker pool has not run a task for 61s\n");
  backend_.set_healthy(true, "");
  auto again = get("/healthz", "");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(AdminServerTest, ReadyzReflectsBackendWithReason) {
  auto ready = get("/readyz", "");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  backend_.set_ready(false, "connection sf is unauthorized");
  auto not_ready = get("/readyz", "");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(not_ready->body, "not ready: connection sf is unauthorized\n");
}

TEST_F(AdminServerTest, MetricsServesPrometheusTextWithoutToken) {
  auto r = get("/metrics", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/plain; version=0.0.4");
  EXPECT_EQ(r->body, backend_.metrics_text());
}

TEST_F(AdminServerTest, ProbesRefuseOtherMethods) {
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/oauth/callback"}) {
    auto r = post(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 405) << path;
    EXPECT_EQ(r->header("allow"), "GET") << path;
  }
}

TEST_F(AdminServerTest, ApiRefusesMissingOrWrongToken) {
  const std::string token = kToken;
  for (const std::string& bad :
       {std::string(), std::string("wrong"), token.substr(0, token.size() - 1), token + "x"}) {
    auto r = get("/api/v1/connectors", bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << "token '" << bad << "'";
    EXPECT_EQ(r->header("www-authenticate").rfind("Bearer", 0), 0u);
    EXPECT_EQ(r->body.find(token), std::string::npos);
  }
  TestConnection c(server_->port());
  auto basic = c.request("GET", "/api/v1/connectors", "", "",
                         {{"Authorization", std::string("Basic ") + kToken}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  EXPECT_EQ(backend_.call_count("connectors"), 0);

  auto ok = get("/api/v1/connectors");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(backend_.call_count("connectors"), 1);
}

TEST_F(AdminServerTest, TokenSchemeIsCaseInsensitive) {
  TestConnection c(server_->port());
  auto r = c.request("GET", "/api/v1/connectors", "", "",
                     {{"Authorization", std::string("bearer ") + kToken}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(AdminServerTest, EveryTokenCheckUsesTheConstantTimeComparison) {
  uint64_t before = server_->token_checks_ForTest();
  ASSERT_TRUE(get("/api/v1/connectors", "wrong"));
  ASSERT_TRUE(get("/api/v1/connectors", ""));
  ASSERT_TRUE(get("/api/v1/connectors"));
  EXPECT_EQ(server_->token_checks_ForTest(), before + 3);
  ASSERT_TRUE(get("/healthz", ""));  // probes compare nothing
  EXPECT_EQ(server_->token_checks_ForTest(), before + 3);
}

TEST_F(AdminServerTest, UnknownRoutesNeedTheTokenThenAre404) {
  auto anonymous = get("/api/v1/secrets", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  for (const char* path : {"/api/v1/secrets", "/api", "/api/v2/connectors",
                           "/api/v1/connectors/sf/x", "/api/v1/connectors/sf/users/u1"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(body_json(*r).at("error").at("class"), "not_found") << path;
  }
}

TEST_F(AdminServerTest, ApiRoutesRefuseWrongMethods) {
  auto list = post("/api/v1/connectors");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 405);
  auto users = post("/api/v1/connectors/sf/users");
  ASSERT_TRUE(users);
  EXPECT_EQ(users->status, 405);
  auto refresh = get("/api/v1/connectors/sf/refresh");
  ASSERT_TRUE(refresh);
  EXPECT_EQ(refresh->status, 405);
  EXPECT_EQ(refresh->header("allow"), "POST");
  EXPECT_EQ(backend_.call_count("refresh"), 0);
}

TEST_F(AdminServerTest, ListsConnectors) {
  auto r = get("/api/v1/connectors");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto items = body_json(*r).at("connectors").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name"), "mirror");
  EXPECT_EQ(items[1].at("name"), "sf");
  EXPECT_EQ(items[1].at("kind"), "connection");
}

TEST_F(AdminServerTest, GetsOneConnectorWithIdentityAndError) {
  auto sf = get("/api/v1/connectors/sf");
  ASSERT_TRUE(sf);
  ASSERT_EQ(sf->status, 200);
  auto v = body_json(*sf);
  EXPECT_EQ(v.at("state"), "connected");
  EXPECT_EQ(v.at("identity").at("username"), "admin@example.com");
  EXPECT_TRUE(v.at("last_error").is_null());
  EXPECT_TRUE(v.at("uses").is_null());
  EXPECT_EQ(v.at("last_sync_at_ms"), 1700000000000);
  EXPECT_TRUE(v.at("next_run_at_ms").is_null());
  EXPECT_EQ(v.at("subject_count"), 2);

  auto mirror = get("/api/v1/connectors/mirror");
  ASSERT_TRUE(mirror);
  auto m = body_json(*mirror);
  EXPECT_EQ(m.at("uses"), "sf");
  EXPECT_EQ(m.at("last_error").at("class"), "auth_revoked");
  EXPECT_EQ(m.at("last_error").at("message"), "connection sf is disconnected");

  auto missing = get("/api/v1/connectors/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body_json(*missing).at("error").at("message"), "no connector named 'nope'");
}

TEST_F(AdminServerTest, DecodesPercentEncodedNames) {
  auto r = get("/api/v1/connectors/s%66");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(*r).at("name"), "sf");
}

TEST_F(AdminServerTest, ListsUsersOfAConnector) {
  auto r = get("/api/v1/connectors/sf/users");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto v = body_json(*r);
  EXPECT_EQ(v.at("connector"), "sf");
  auto users = v.at("users").as_array();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].at("subject_id"), "u2");
  EXPECT_EQ(users[1].at("state"), "disabled");
  EXPECT_EQ(users[1].at("detail"), "token revoked");

  auto missing = get("/api/v1/connectors/nope/users");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(AdminServerTest, AnAdminSwitchesAndSyncsOneUser) {
  auto off = post("/api/v1/connectors/sf/users/u1/disable");
  ASSERT_TRUE(off);
  ASSERT_EQ(off->status, 200) << off->body;
  auto v = body_json(*off);
  EXPECT_EQ(v.at("user").at("subject_id"), "u1");
  EXPECT_EQ(v.at("user").at("admin_disabled"), true);
  EXPECT_EQ(v.at("user").at("status"), "Disabled");
  auto on = post("/api/v1/connectors/sf/users/u1/enable");
  ASSERT_TRUE(on);
  EXPECT_EQ(body_json(*on).at("user").at("admin_disabled"), false);
  auto sync = post("/api/v1/connectors/sf/users/u2/sync");
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->status, 200);
  backend_.fail("user-sync", Error::conflict("user u2 was synced less than a minute ago"));
  auto limited = post("/api/v1/connectors/sf/users/u2/sync");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 409);
  auto unknown = post("/api/v1/connectors/sf/users/nobody/disable");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto wrong_verb = post("/api/v1/connectors/sf/users/u1/delete");
  ASSERT_TRUE(wrong_verb);
  EXPECT_EQ(wrong_verb->status, 404);
  auto get_it = get("/api/v1/connectors/sf/users/u1/disable");
  ASSERT_TRUE(get_it);
  EXPECT_EQ(get_it->status, 405);
  EXPECT_EQ(backend_.call_count("user-disable"), 2);
}

TEST_F(AdminServerTest, HistoryHonoursAndValidatesLimit) {
  auto r = get("/api/v1/connectors/sf/history?limit=2");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto items = body_json(*r).at("history").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("to_state"), "connected");
  EXPECT_EQ(items[0].at("at_ms"), 30);
  auto all = get("/api/v1/connectors/sf/history");
  ASSERT_TRUE(all);
  auto last = body_json(*all).at("history").as_array().back();
  EXPECT_TRUE(last.at("from_state").is_null());
  for (const char* bad : {"0", "abc", "5000", "-1"}) {
    auto b = get(std::string("/api/v1/connectors/sf/history?limit=") + bad);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 400) << bad;
  }
}

TEST_F(AdminServerTest, OutboxListsFailedEntriesByDefaultAndPendingOnRequest) {
  auto r = get("/api/v1/connectors/mirror/outbox?state=failed");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto v = body_json(*r);
  EXPECT_EQ(v.at("connector"), "mirror");
  EXPECT_EQ(v.at("state"), "failed");
  auto entries = v.at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at("id"), 7);
  EXPECT_EQ(entries[0].at("collection"), "Account");
  EXPECT_EQ(entries[0].at("record_id"), "001A");
  EXPECT_EQ(entries[0].at("error"), "INVALID_FIELD: No such column 'Foo__c'");
  EXPECT_EQ(entries[0].at("attempts"), 2);
  EXPECT_EQ(entries[0].at("created_at"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(entries[0].at("created_at_ms"), 1700000000000);
  EXPECT_EQ(entries[0].at("failed_at"), "2023-11-14T22:13:21Z");
  EXPECT_FALSE(entries[0].as_object().contains("data"));  // never the record's content

  auto by_default = get("/api/v1/connectors/mirror/outbox");
  ASSERT_TRUE(by_default);
  EXPECT_EQ(body_json(*by_default).at("entries").as_array().size(), 2u);
  auto limited = get("/api/v1/connectors/mirror/outbox?limit=1");
  ASSERT_TRUE(limited);
  EXPECT_EQ(body_json(*limited).at("entries").as_array().size(), 1u);

  auto pending = get("/api/v1/connectors/mirror/outbox?state=pending");
  ASSERT_TRUE(pending);
  auto p = body_json(*pending).at("entries").as_array();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].at("id"), 11);
  EXPECT_TRUE(p[0].at("error").is_null());
  EXPECT_TRUE(p[0].at("failed_at").is_null());
  EXPECT_TRUE(p[0].at("failed_at_ms").is_null());

  for (const char* bad : {"?state=done", "?limit=0", "?limit=5000"}) {
    auto b = get(std::string("/api/v1/connectors/mirror/outbox") + bad);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 400) << bad;
  }
  auto unknown = get("/api/v1/connectors/nope/outbox");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto wrong_method = post("/api/v1/connectors/mirror/outbox");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
}

TEST_F(AdminServerTest, OutboxRetryTakesIdsOrRetriesEveryFailedEntry) {
  auto one = post("/api/v1/connectors/mirror/outbox/retry", R"({"ids":[9]})");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  auto v = body_json(*one);
  EXPECT_EQ(v.at("ok"), true);
  EXPECT_EQ(v.at("retried"), json::parse("[9]"));
  EXPECT_EQ(backend_.calls().back(), "outbox-retry:mirror,9");
  auto left = get("/api/v1/connectors/mirror/outbox");
  ASSERT_TRUE(left);
  EXPECT_EQ(body_json(*left).at("entries").as_array().size(), 1u);

  auto not_failed = post("/api/v1/connectors/mirror/outbox/retry", R"({"ids":[9]})");
  ASSERT_TRUE(not_failed);
  EXPECT_EQ(not_failed->status, 404);
  for (const char* bad :
       {R"({"ids":[]})", R"({"ids":"7"})", R"({"ids":[7.5]})", R"({"ids":[-7]})", "[7]", "{"}) {
    auto b = post("/api/v1/connectors/mirror/outbox/retry", bad);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 400) << bad;
  }

  auto all = post("/api/v1/connectors/mirror/outbox/retry");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200);
  EXPECT_EQ(body_json(*all).at("retried"), json::parse("[7]"));
  EXPECT_EQ(backend_.calls().back(), "outbox-retry:mirror");
  auto none_left = get("/api/v1/connectors/mirror/outbox");
  ASSERT_TRUE(none_left);
  EXPECT_TRUE(body_json(*none_left).at("entries").as_array().empty());
  auto get_it = get("/api/v1/connectors/mirror/outbox/retry");
  ASSERT_TRUE(get_it);
  EXPECT_EQ(get_it->status, 405);
}

TEST_F(AdminServerTest, NotificationsListDeliveriesWithCountsAndNeedTheToken) {
  auto r = get("/api/v1/notifications?limit=5");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const boost::json::value body = body_json(*r);
  const auto& items = body.at("notifications").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("webhook"), "ops");
  EXPECT_EQ(items[0].at("state"), "pending");
  EXPECT_EQ(items[0].at("attempts"), 2);
  EXPECT_EQ(items[0].at("last_error"), "HTTP 503");
  EXPECT_EQ(items[0].at("next_attempt_at_ms"), 40);
  EXPECT_TRUE(items[0].at("delivered_at_ms").is_null());
  EXPECT_EQ(items[0].at("payload").at("connection"), "sf");
  EXPECT_EQ(body.at("counts").at("delivered"), 3);
  EXPECT_EQ(backend_.calls().back(), "notifications:5");
  auto bad = get("/api/v1/notifications?limit=0");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto post_it = post("/api/v1/notifications");
  ASSERT_TRUE(post_it);
  EXPECT_EQ(post_it->status, 405);
  auto anonymous = get("/api/v1/notifications", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(AdminServerTest, AuthorizeDefaultsRedirectToOwnCallback) {
  auto r = post("/api/v1/connectors/sf/authorize");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(body_json(*r).at("authorize_url"), "https://login.example.com/authorize?x=1");
  EXPECT_EQ(backend_.last_redirect_uri(), server_->base_url() + "/oauth/callback");
}

TEST_F(AdminServerTest, AuthorizeUsesPublicUrlAndRequestedRedirect) {
  AdminOptions options;
  options.public_url = "https://admin.example.com/";
  start(options);
  ASSERT_TRUE(post("/api/v1/connectors/sf/authorize"));
  EXPECT_EQ(backend_.last_redirect_uri(), "https://admin.example.com/oauth/callback");
  auto r = post("/api/v1/connectors/sf/authorize", R"({"redirect_uri":"http://127.0.0.1:9/cb"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(backend_.last_redirect_uri(), "http://127.0.0.1:9/cb");
}

TEST_F(AdminServerTest, AuthorizeRefusesBadBodiesAndBadBackendOutput) {
  auto bad = post("/api/v1/connectors/sf/authorize", "{not json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto wrong_type = post("/api/v1/connectors/sf/authorize", R"({"redirect_uri":5})");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_EQ(backend_.call_count("authorize"), 0);

  backend_.set_authorize_result(R"({"state":"connected"})");
  auto done = post("/api/v1/connectors/sf/authorize");
  ASSERT_TRUE(done);
  EXPECT_EQ(body_json(*done).at("state"), "connected");
  backend_.set_authorize_result("not json");
  auto broken = post("/api/v1/connectors/sf/authorize");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 500);
}

TEST_F(AdminServerTest, ActionsCallTheBackendAndAnswerTheConnector) {
  auto disabled = post("/api/v1/connectors/mirror/disable");
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200);
  auto d = body_json(*disabled);
  EXPECT_EQ(d.at("ok"), true);
  EXPECT_EQ(d.at("connector").at("state"), "disabled");
  auto enabled = post("/api/v1/connectors/mirror/enable");
  ASSERT_TRUE(enabled);
  EXPECT_EQ(body_json(*enabled).at("connector").at("state"), "idle");
  auto refreshed = post("/api/v1/connectors/sf/refresh");
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->status, 200);
  auto synced = post("/api/v1/connectors/mirror/sync");
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->status, 200);
  EXPECT_EQ(backend_.call_count("disable"), 1);
  EXPECT_EQ(backend_.call_count("enable"), 1);
  EXPECT_EQ(backend_.call_count("refresh"), 1);
  EXPECT_EQ(backend_.call_count("sync"), 1);
  auto missing = post("/api/v1/connectors/nope/sync");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(AdminServerTest, MapsErrorClassesToStatuses) {
  struct Case {
    Error error;
    int status;
  };
  const Case cases[] = {{Error::not_found("gone"), 404},
                        {Error::config("bad config"), 400},
                        {Error::conflict("lost a race"), 409},
                        {Error::auth_revoked("refresh token revoked; re-authorize sf"), 409},
                        {Error::transient("peer down"), 500},
                        {Error::permanent("broken"), 500},
                        {Error::cancelled("shutting down"), 500}};
  for (const auto& c : cases) {
    backend_.fail("refresh", c.error);
    auto r = post("/api/v1/connectors/sf/refresh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.error.message;
    auto e = body_json(*r).at("error");
    EXPECT_EQ(e.at("class"), to_string(c.error.cls));
    EXPECT_EQ(e.at("message").as_string(), c.error.message);
  }
}

TEST_F(AdminServerTest, BackendExceptionIsA500WithoutDetails) {
  backend_.throw_on("connectors");
  auto r = get("/api/v1/connectors");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("fake failure"), std::string::npos);
  auto health = get("/healthz", "");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(AdminServerTest, OAuthCallbackConnectsWithoutTokenAndNeverEchoesTheCode) {
  auto r = get(
      std::string("/oauth/callback?code=AUTHCODE-xyz&state=") + FakeAdminBackend::kGoodState, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r->body.find("you can close this tab"), std::string::npos);
  EXPECT_NE(r->body.find("sf"), std::string::npos);
  EXPECT_EQ(r->body.find("AUTHCODE"), std::string::npos);
  EXPECT_EQ(r->header("cache-control"), "no-store");
  EXPECT_EQ(r->header("referrer-policy"), "no-referrer");
}

TEST_F(AdminServerTest, OAuthCallbackShowsErrors) {
  auto unknown = get("/oauth/callback?code=c&state=forged", "");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("unknown or expired OAuth state"), std::string::npos);

  auto denied = get(
      std::string("/oauth/callback?error=access_denied&state=") + FakeAdminBackend::kGoodState, "");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 409);
  EXPECT_NE(denied->body.find("access_denied"), std::string::npos);

  auto no_state = get("/oauth/callback?code=c", "");
  ASSERT_TRUE(no_state);
  EXPECT_EQ(no_state->status, 400);
  auto nothing = get("/oauth/callback?state=s", "");
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->status, 400);
  EXPECT_EQ(backend_.call_count("callback"), 2);
}

TEST_F(AdminServerTest, OAuthCallbackEscapesMessages) {
  backend_.fail("callback", Error::config("<script>alert('x')</script>"));
  auto r = get("/oauth/callback?code=c&state=s", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body.find("<script>"), std::string::npos);
  EXPECT_NE(r->body.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace chost::admin::testing
