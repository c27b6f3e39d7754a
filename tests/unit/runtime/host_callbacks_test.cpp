// The chp_host table as a real plugin sees it: transactions (commit, auto-rollback), records,
// secrets with CAS, status/subjects/metrics, redaction, cancellation, error/output capture and
// connection_token with a rejected token.
#include "chost/runtime/host_callbacks.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstddef>

#include "runtime_fixture.hpp"

namespace chost::runtime::testing {
namespace {

using HostCallbacksTest = RuntimeFixture;

TEST_F(HostCallbacksTest, CommitRecordsStatusSubjectsAndMetrics) {
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "commit");
  HookOutcome out = sync(inst);
  ASSERT_EQ(out.status, CHP_OK) << out.error;
  EXPECT_EQ(fx.store.kv_ForTest("crm", "checkpoint"), "42");
  EXPECT_EQ(out.output, R"({"records":1,"record":{"x":1}})");
  EXPECT_EQ(board.get("crm")->status_line, "synced 1 record");
  auto subject = fx.store.subject_ForTest("crm", "u1");
  ASSERT_TRUE(subject);
  EXPECT_EQ(subject->state, "active");
  ASSERT_EQ(board.get("crm")->subjects.size(), 1u);
  EXPECT_EQ(board.get("crm")->subjects[0].display_name, "Ann");
  EXPECT_EQ(fx.metrics.value("chp_plugin_records_synced{connector=crm}"), 1.0);
  EXPECT_EQ(fx.metrics.value("chp_plugin_Bad-Name{connector=crm}"), 0.0);
  EXPECT_TRUE(fx.log.contains("metric ignored"));
}

TEST_F(HostCallbacksTest, AStoreFailureReachesTheHooksErrorInSqlitesWords) {
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "commit");
  ASSERT_EQ(sync(inst).status, CHP_OK);  // creates the mirror table
  // SQLite itself refuses the next mirror upsert (a trigger, as a damaged or full disk would).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(fx.store.db_path_ForTest().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse BEFORE UPDATE ON mirror_crm_accounts BEGIN "
                         "SELECT RAISE(ABORT, 'refused by the test trigger'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  HookOutcome out = sync(inst);
  EXPECT_NE(out.status, CHP_OK);
  // The plugin attached no message; the store's own words are the hook's error.
  EXPECT_NE(out.error.find("refused by the test trigger"), std::string::npos) << out.error;
  EXPECT_EQ(out.error.find("status "), std::string::npos) << out.error;
  // And which state file it was (several hosts may share a machine).
  EXPECT_NE(out.error.find("(state " + fx.store.db_path_ForTest().string() + ")"),
            std::string::npos)
      << out.error;
}

TEST_F(HostCallbacksTest, OpenTransactionIsRolledBackWhenTheHookReturns) {
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "leave_txn_open");
  const size_t commits = fx.store.commits_ForTest();
  HookOutcome out = sync(inst);
  ASSERT_EQ(out.status, CHP_OK);
  EXPECT_EQ(inst.ctx->open_txns_ForTest(), 0u);
  EXPECT_FALSE(fx.store.kv_ForTest("crm", "uncommitted"));
  EXPECT_EQ(fx.store.commits_ForTest(), commits);
  EXPECT_TRUE(fx.log.contains("open transaction"));
}

TEST_F(HostCallbacksTest, SecretsUseCompareAndSwapInThePluginsOwnNamespace) {
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "secret");
  HookOutcome out = sync(inst);
  ASSERT_EQ(out.status, CHP_OK);
  EXPECT_EQ(out.output, R"({"first":1,"stale":7,"got":1,"value":"k-1","version":1})");
  // Stored under the plugin prefix, so it can never alias the host-owned credentials.
  EXPECT_TRUE(*fx.store.secret_get("crm", std::string(kPluginSecretPrefix) + "api_key"));
  EXPECT_FALSE(*fx.store.secret_get("crm", kCredentialsSecretName));
}

TEST_F(HostCallbacksTest, CancelFlagStopsTheHook) {
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "wait_cancel");
  CancelFlag flag = make_cancel_flag();
  flag->store(true);
  HookOutcome out = sync(inst, flag);
  EXPECT_EQ(out.status, CHP_ERR_CANCELLED);
  // A passed deadline counts as cancelled too.
  CallState call(fx.clock, fx.clock.steady_ms() + 5, nullptr);
  EXPECT_EQ(host_callbacks()->call_cancelled(call.handle()), 0);
  EXPECT_EQ(host_callbacks()->call_remaining_ms(call.handle()), 5u);
  fx.clock.advance_ms(5);
  EXPECT_EQ(host_callbacks()->call_cancelled(call.handle()), 1);
  EXPECT_EQ(host_callbacks()->call_remaining_ms(call.handle()), 0u);
}

TEST_F(HostCallbacksTest, ErrorMessageIsCapturedForTheCaller) {
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "no-such-mode");
  HookOutcome out = sync(inst);
  EXPECT_EQ(out.status, CHP_ERR_PERMANENT);
  EXPECT_EQ(out.error, "boom: unknown mode");
}

TEST_F(HostCallbacksTest, LogsAreRedactedAndNamed) {
  endpoint.token_tail = "-0123456789";
  make_connected("sf");
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "commit");
  fx.store.put_kv_ForTest("crm", "leak", "rt-1-0123456789");
  ASSERT_EQ(sync(inst).status, CHP_OK);
  EXPECT_TRUE(fx.log.contains("[crm] token is ***"));
  EXPECT_FALSE(fx.log.contains("rt-1-0123456789"));
}

// The runtime's redactor is the host's: a token registered raw is also masked in the
// percent-encoded form it takes in a query string or form body.
TEST_F(HostCallbacksTest, LogsMaskThePercentEncodedFormOfATokenToo) {
  endpoint.token_tail = "/x+y=";
  make_connected("sf");
  TestInstance& inst = make_instance("crm");
  set_mode("crm", "commit");
  fx.store.put_kv_ForTest("crm", "leak", "rt-1%2Fx%2By%3D");
  ASSERT_EQ(sync(inst).status, CHP_OK);
  EXPECT_FALSE(fx.log.contains("rt-1%2Fx%2By%3D"));
  EXPECT_TRUE(fx.log.contains("[crm] token is ***"));
}

TEST_F(HostCallbacksTest, HttpTimeoutIsCappedByTheCallDeadline) {
  make_connected("sf");
  TestInstance& user = make_instance("crm", "sf");
  set_mode("crm", "token");
  ASSERT_EQ(sync(user, nullptr, 250).status, CHP_OK);
  auto seen = fx.http.seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_LE(seen.back().timeout_ms, 250u);
  EXPECT_GT(seen.back().timeout_ms, 0u);
}

TEST_F(HostCallbacksTest, RejectedTokenIsRefreshedOnceAndRetried) {
  make_connected("sf");
  TestInstance& user = make_instance("crm", "sf");
  set_mode("crm", "token");
  api_status = [](const std::string& bearer) { return bearer == "at-1" ? 401u : 200u; };
  HookOutcome out = sync(user);
  ASSERT_EQ(out.status, CHP_OK) << out.error;
  EXPECT_EQ(token_posts(), 2u);
  auto seen = fx.http.seen();
  std::vector<std::string> bearers;
  for (auto& s : seen) {
    if (s.url.find("/data") != std::string::npos) bearers.push_back(s.headers["authorization"]);
  }
  EXPECT_EQ(bearers, (std::vector<std::string>{"Bearer at-1", "Bearer at-2"}));
}

TEST_F(HostCallbacksTest, TokenOfADisconnectedConnectionSignalsSuspension) {
  make_connected("sf");
  TestInstance& user = make_instance("crm", "sf");
  set_mode("crm", "token");
  ASSERT_TRUE(manager->disable("sf", "maintenance"));
  HookOutcome out = sync(user);
  EXPECT_EQ(out.status, CHP_ERR_AUTH_REVOKED);
  EXPECT_NE(out.error.find("disabled"), std::string::npos);
  EXPECT_TRUE(user.ctx->take_connection_lost());
}

TEST_F(HostCallbacksTest, OutboxPendingListsEntriesAsEscapedJson) {
  TestInstance& inst = make_instance("crm");
  const chp_host* host = host_callbacks();
  chp_txn* txn = nullptr;
  ASSERT_EQ(host->txn_begin(inst.ctx->handle(), &txn), CHP_OK);
  // The store only takes collection names of [A-Za-z0-9_-], so the quote goes into the id.
  const std::string collection = "Account";
  const std::string id = "001\"\\x";  // a quote or backslash must not break the entry's JSON
  const std::string record = R"({"Name":"A"})";
  ASSERT_EQ(host->txn_outbox_add(txn, {collection.data(), collection.size()},
                                 {id.data(), id.size()}, {record.data(), record.size()}),
            CHP_OK);
  ASSERT_EQ(host->txn_commit(txn), CHP_OK);
  std::vector<std::string> entries;
  auto sink = [](void* user, chp_str data) {
    static_cast<std::vector<std::string>*>(user)->emplace_back(data.ptr, data.len);
  };
  ASSERT_EQ(host->outbox_pending(inst.ctx->handle(), 10, sink, &entries), CHP_OK);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_NE(entries[0].find(R"("collection":"Account","id":"001\"\\x","record":{"Name":"A"})"),
            std::string::npos)
      << entries[0];
}

// ABI 1.5: what the host's client spent on a request (its own 429/5xx retries) reaches a sink
// that has on_attempts; a 1.4-sized sink ends before the member and is never called there.
TEST_F(HostCallbacksTest, TheHostsAttemptsAndWaitsReachASinkThatAsksForThem) {
  TestInstance& inst = make_instance("crm");
  fx.http.handler = [](const FakeHttp::Seen&) -> Result<FakeHttpResponse> {
    return FakeHttpResponse{200, "{}", 3, 1500};
  };
  const chp_host* host = host_callbacks();
  struct Got {
    uint32_t attempts = 0;
    uint64_t waited_ms = 0;
    int calls = 0;
  };
  auto run = [&](size_t sink_size, Got& got) {
    chp_http_response_sink sink{};
    sink.struct_size = static_cast<uint32_t>(sink_size);
    sink.abi_major = CHP_ABI_MAJOR;
    sink.abi_minor = CHP_ABI_MINOR;
    sink.user = &got;
    sink.on_header = [](void*, chp_str, chp_str) {};
    sink.on_body = [](void*, chp_str) {};
    sink.on_attempts = [](void* user, uint32_t attempts, uint64_t waited_ms) {
      auto* g = static_cast<Got*>(user);
      g->attempts = attempts;
      g->waited_ms = waited_ms;
      ++g->calls;
    };
    const std::string url = "http://127.0.0.1:9/data";
    chp_http_request req{};
    req.struct_size = sizeof req;
    req.abi_major = CHP_ABI_MAJOR;
    req.abi_minor = CHP_ABI_MINOR;
    req.method = {"GET", 3};
    req.url = {url.data(), url.size()};
    uint32_t status = 0;
    HookOutcome out =
        run_hook(*inst.ctx, inst.gate, fx.clock.steady_ms() + 60000, nullptr, [&](chp_call* call) {
          return host->http_request(inst.ctx->handle(), call, &req, &sink, &status);
        });
    EXPECT_EQ(out.status, CHP_OK) << out.error;
    EXPECT_EQ(status, 200u);
  };
  Got now;
  run(sizeof(chp_http_response_sink), now);
  EXPECT_EQ(now.calls, 1);
  EXPECT_EQ(now.attempts, 3u);
  EXPECT_EQ(now.waited_ms, 1500u);
  Got older;
  run(offsetof(chp_http_response_sink, on_attempts), older);
  EXPECT_EQ(older.calls, 0);
}

// ABI 1.5 remove_subject: the row goes from the store (with the admin's switch) and from the
// board; removing it again is OK; an empty id is refused.
TEST_F(HostCallbacksTest, RemoveSubjectDropsItsRowAndSwitchFromStoreAndBoard) {
  TestInstance& inst = make_instance("crm");
  const chp_host* host = host_callbacks();
  chp_host_ctx* ctx = inst.ctx->handle();
  host->report_subject(ctx, {"u1", 2}, {"Ann", 3}, CHP_SUBJECT_ACTIVE, {"", 0});
  host->report_subject(ctx, {"u2", 2}, {"Bob", 3}, CHP_SUBJECT_ACTIVE, {"", 0});
  ASSERT_TRUE(fx.store.set_subject_admin_disabled("crm", "u1", true));
  ASSERT_TRUE(board.set_subject_admin_disabled("crm", "u1", true));

  EXPECT_EQ(host->remove_subject(ctx, {"u1", 2}), CHP_OK);
  EXPECT_FALSE(fx.store.subject_ForTest("crm", "u1"));
  EXPECT_TRUE(fx.store.subject_ForTest("crm", "u2"));
  ASSERT_EQ(board.get("crm")->subjects.size(), 1u);
  EXPECT_EQ(board.get("crm")->subjects[0].subject_id, "u2");
  EXPECT_EQ(host->remove_subject(ctx, {"u1", 2}), CHP_OK);  // idempotent

  // Reported again later, it starts afresh: active, and not switched off by the old switch.
  host->report_subject(ctx, {"u1", 2}, {"Ann", 3}, CHP_SUBJECT_ACTIVE, {"", 0});
  auto back = fx.store.subject_ForTest("crm", "u1");
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->admin_disabled);

  EXPECT_EQ(host->remove_subject(ctx, {"", 0}), CHP_ERR_PERMANENT);
  EXPECT_TRUE(fx.log.contains("remove_subject refused: empty subject id"));
}

// ABI 1.6 record_list_ids: live ids only, in byte order, paged by after_id + limit; an unknown
// collection is empty; an uncommitted write is not listed; limit 0 is refused.
TEST_F(HostCallbacksTest, RecordListIdsPagesThroughLiveIdsInOrder) {
  TestInstance& inst = make_instance("crm");
  const chp_host* host = host_callbacks();
  chp_host_ctx* ctx = inst.ctx->handle();
  auto s = [](std::string_view v) { return chp_str{v.data(), v.size()}; };
  chp_txn* txn = nullptr;
  ASSERT_EQ(host->txn_begin(ctx, &txn), CHP_OK);
  for (std::string_view id : {"003", "001", "005", "002", "004"}) {
    ASSERT_EQ(host->txn_upsert_record(txn, s("Account"), s(id), s("{}"), id == "002" ? 1 : 0),
              CHP_OK);
  }
  ASSERT_EQ(host->txn_commit(txn), CHP_OK);
  ASSERT_EQ(host->txn_begin(ctx, &txn), CHP_OK);  // open, not committed: not listed
  ASSERT_EQ(host->txn_upsert_record(txn, s("Account"), s("006"), s("{}"), 0), CHP_OK);

  auto page = [&](std::string_view after, uint32_t limit, chp_status_code* st) {
    std::vector<std::string> ids;
    auto sink = [](void* user, chp_str data) {
      static_cast<std::vector<std::string>*>(user)->emplace_back(data.ptr, data.len);
    };
    *st = host->record_list_ids(ctx, s("Account"), s(after), limit, sink, &ids);
    return ids;
  };
  chp_status_code st = CHP_ERR_PERMANENT;
  EXPECT_EQ(page("", 2, &st), (std::vector<std::string>{"001", "003"}));
  EXPECT_EQ(st, CHP_OK);
  EXPECT_EQ(page("003", 2, &st), (std::vector<std::string>{"004", "005"}));
  EXPECT_EQ(page("005", 2, &st), (std::vector<std::string>{}));
  EXPECT_EQ(st, CHP_OK);
  host->txn_rollback(txn);

  std::vector<std::string> none;
  auto sink = [](void* user, chp_str data) {
    static_cast<std::vector<std::string>*>(user)->emplace_back(data.ptr, data.len);
  };
  EXPECT_EQ(host->record_list_ids(ctx, s("Lead"), s(""), 10, sink, &none), CHP_OK);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(host->record_list_ids(ctx, s("Account"), s(""), 0, sink, &none), CHP_ERR_PERMANENT);
  EXPECT_TRUE(fx.log.contains("record_list_ids refused: limit 0"));
}

}  // namespace
}  // namespace chost::runtime::testing
