// Host facade over the fake plugin: opening builds every instance, states come back from the
// store, admin disable/enable persist across a reopen, errors for postgres, unknown plugins and a
// wrong master key, actions refused on the wrong kind of connector, start/stop without hangs.
#include "chost/app/host.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "app_test_support.hpp"
#include "chost/store/sqlite_store.hpp"

namespace chost::app {
namespace {

class HostTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Host>> open(config::HostConfig c) { return Host::open(std::move(c)); }
  static const ConnectorStatus* find(const std::vector<ConnectorStatus>& v,
                                     const std::string& name) {
    for (const auto& s : v) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }
  void set_mode(const std::string& ns, const std::string& mode) {
    auto key = store::parse_master_key(std::string(64, 'a'));
    ASSERT_TRUE(key);
    auto st =
        store::open_sqlite_store((dir_.path() / "state" / "host.db").string(), std::move(*key));
    ASSERT_TRUE(st) << st.error().message;
    auto txn = (*st)->begin(ns);
    ASSERT_TRUE(txn);
    ASSERT_TRUE((*txn)->put("mode", mode));
    ASSERT_TRUE((*txn)->commit());
  }

  testing::TempDir dir_;
};

TEST_F(HostTest, OpenBuildsProvidersAndConnectors) {
  auto host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host) << host.error().message;
  auto st = (*host)->status();
  ASSERT_EQ(st.size(), 2u);
  const ConnectorStatus* conn = find(st, "conn");
  const ConnectorStatus* reader = find(st, "reader");
  ASSERT_TRUE(conn && reader);
  EXPECT_EQ(conn->kind, "connection");
  EXPECT_EQ(conn->state, "unauthorized");
  // The fake plugin can provide and use; with `uses:` it is a consumer.
  EXPECT_EQ(reader->kind, "connector");
  EXPECT_EQ(reader->uses, "conn");
  EXPECT_FALSE((*host)->running());
}

TEST_F(HostTest, DisableAndEnablePersistAcrossReopen) {
  {
    auto host = open(testing::fake_config(dir_.path()));
    ASSERT_TRUE(host);
    ASSERT_TRUE((*host)->disable("reader"));
  }
  {
    auto host = open(testing::fake_config(dir_.path()));
    ASSERT_TRUE(host);
    EXPECT_EQ(find((*host)->status(), "reader")->state, "disabled");
    HookResult r = (*host)->sync_once("reader");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("disabled"), std::string::npos);
    ASSERT_TRUE((*host)->enable("reader"));
  }
  auto host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host);
  EXPECT_NE(find((*host)->status(), "reader")->state, "disabled");
}

TEST_F(HostTest, SyncOnceRunsTheHookAndReportsItsOutput) {
  auto host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host);
  host = Error::permanent("closed");  // close the store before writing to it
  set_mode("reader", "commit");
  host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host);
  HookResult r = (*host)->sync_once("reader");
  EXPECT_TRUE(r.ok) << r.status << ": " << r.error;
  EXPECT_NE(r.output.find("\"records\":1"), std::string::npos) << r.output;
  HookResult missing = (*host)->sync_once("nope");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.status, "not_found");
}

TEST_F(HostTest, ConnectionActionsNeedAProvider) {
  auto host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host);
  auto a = (*host)->authorize("reader", R"({"step":"start","redirect_uri":"http://x"})");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().cls, ErrorClass::kConfig);
  auto start = (*host)->authorize("conn", R"({"step":"start","redirect_uri":"http://x"})");
  ASSERT_TRUE(start) << start.error().message;
  EXPECT_NE(start->find("authorize_url"), std::string::npos);
  Status r = (*host)->refresh("missing");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().cls, ErrorClass::kNotFound);
}

TEST_F(HostTest, PostgresUnknownPluginAndWrongKeyAreClearErrors) {
  config::HostConfig pg = testing::fake_config(dir_.path());
  pg.host.state.backend = config::StateBackend::kPostgres;
  auto a = open(pg);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("postgres is not supported yet"), std::string::npos);

  config::HostConfig unknown = testing::fake_config(dir_.path());
  unknown.connectors[0].plugin = "no-such-plugin";
  auto b = open(unknown);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("no-such-plugin"), std::string::npos);

  {
    auto ok = open(testing::fake_config(dir_.path()));
    ASSERT_TRUE(ok);
    // A secret makes the key matter.
    ASSERT_TRUE((*ok)->store().secret_put("conn", "probe", "value-1", 0));
  }
  config::HostConfig wrong = testing::fake_config(dir_.path());
  wrong.host.master_key = std::string(64, 'b');
  auto c = open(wrong);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message.find(std::string(64, 'b')), std::string::npos);
}

TEST_F(HostTest, SecondHostOnTheSameStateIsRefusedUntilTheFirstCloses) {
  auto first = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(first);
  auto second = open(testing::fake_config(dir_.path()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().cls, ErrorClass::kConflict);
  first = Error::permanent("closed");
  auto third = open(testing::fake_config(dir_.path()));
  EXPECT_TRUE(third) << third.error().message;
}

TEST_F(HostTest, StartReloadStop) {
  auto host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host);
  ASSERT_TRUE((*host)->start());
  EXPECT_TRUE((*host)->running());
  config::HostConfig next = testing::fake_config(dir_.path());
  next.connectors.pop_back();
  ASSERT_TRUE((*host)->reload(next));
  EXPECT_EQ((*host)->status().size(), 1u);
  config::HostConfig moved = testing::fake_config(dir_.path());
  moved.host.state.path = dir_.path() / "elsewhere.db";
  Status refused = (*host)->reload(moved);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().cls, ErrorClass::kConfig);
  EXPECT_EQ((*host)->status().size(), 1u);
  EXPECT_TRUE((*host)->stop().empty());
  EXPECT_FALSE((*host)->running());
}

TEST_F(HostTest, LastSyncErrorIsShownByAStoppedHostAfterReopen) {
  {
    auto host = open(testing::fake_config(dir_.path()));
    ASSERT_TRUE(host);
  }
  set_mode("reader", "no-such-mode");  // the fake plugin fails with "boom: unknown mode"
  {
    auto host = open(testing::fake_config(dir_.path()));
    ASSERT_TRUE(host);
    HookResult r = (*host)->sync_once("reader");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "boom: unknown mode");
    EXPECT_EQ((*host)->status().back().last_error, "boom: unknown mode");
  }
  auto host = open(testing::fake_config(dir_.path()));
  ASSERT_TRUE(host);
  const std::vector<ConnectorStatus> all = (*host)->status();
  const ConnectorStatus* reader = find(all, "reader");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->last_error_class, "permanent");
  EXPECT_EQ(reader->last_error, "boom: unknown mode");  // the class is not in the message too
  EXPECT_GT(reader->last_sync_at_ms, 0);
  EXPECT_EQ(reader->last_success_at_ms, 0);
}

TEST_F(HostTest, ACreateFailureMarksOnlyThatConnectorFailed) {
  config::HostConfig c = testing::fake_config(dir_.path());
  config::ConnectorConfig bad = c.connectors.back();
  bad.name = "bad";
  bad.config_json = "[]";  // the fake plugin's create refuses a non-object config
  c.connectors.push_back(bad);
  auto host = open(c);
  ASSERT_TRUE(host) << host.error().message;
  ASSERT_TRUE((*host)->start());
  const std::vector<ConnectorStatus> all = (*host)->status();
  const ConnectorStatus* st = find(all, "bad");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, "failed");
  EXPECT_EQ(st->last_error_class, "config");
  EXPECT_NE(st->last_error.find("config must be an object"), std::string::npos) << st->last_error;
  Status sync = (*host)->sync_now("bad");
  ASSERT_FALSE(sync);
  EXPECT_NE(sync.error().message.find("create failed"), std::string::npos);
  EXPECT_NE(find((*host)->status(), "reader")->state, "failed");
  EXPECT_TRUE((*host)->stop().empty());
}

TEST_F(HostTest, ReloadRecreatesOnlyChangedConnectors) {
  std::vector<std::string> lines;
  std::mutex mu;
  HostOptions options;
  options.log_sink = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(line);
  };
  auto host = Host::open(testing::fake_config(dir_.path()), options);
  ASSERT_TRUE(host);
  ASSERT_TRUE((*host)->start());
  config::HostConfig next = testing::fake_config(dir_.path());
  next.connectors.back().config_json = R"({"label":"changed"})";
  ASSERT_TRUE((*host)->reload(next));
  EXPECT_TRUE((*host)->stop().empty());
  std::lock_guard<std::mutex> lock(mu);
  bool seen = false;
  for (const auto& l : lines) {
    seen = seen ||
           l.find("1 connector(s) (re)created, 1 unchanged and still running") != std::string::npos;
  }
  EXPECT_TRUE(seen);
}

TEST_F(HostTest, AnUnreadableCaFileIsRefusedAtOpenNamingTheKey) {
  config::HostConfig c = testing::fake_config(dir_.path());
  c.host.http.ca_file = dir_.path() / "gone.pem";  // check-config saw it; it vanished since
  auto host = open(std::move(c));
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().cls, ErrorClass::kConfig);
  EXPECT_NE(host.error().message.find("host.http: CA file"), std::string::npos)
      << host.error().message;
}

TEST_F(HostTest, ReloadWarnsThatHostHttpChangesNeedARestart) {
  std::vector<std::string> lines;
  std::mutex mu;
  HostOptions options;
  options.log_sink = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(line);
  };
  auto host = Host::open(testing::fake_config(dir_.path()), options);
  ASSERT_TRUE(host);
  const auto warned = [&] {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& l : lines) {
      if (l.find("host.http changes take effect after a restart") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE((*host)->reload(testing::fake_config(dir_.path())));
  EXPECT_FALSE(warned());  // same settings: nothing to say
  config::HostConfig next = testing::fake_config(dir_.path());
  next.host.http.proxy = "http://127.0.0.1:3128";
  ASSERT_TRUE((*host)->reload(next));
  EXPECT_TRUE(warned());
}

TEST_F(HostTest, PerUserSwitchIsDurableAndSyncNowIsLimitedToOnceAMinute) {
  {
    auto key = store::parse_master_key(std::string(64, 'a'));
    ASSERT_TRUE(key);
    std::filesystem::create_directories(dir_.path() / "state");
    auto st =
        store::open_sqlite_store((dir_.path() / "state" / "host.db").string(), std::move(*key));
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_TRUE(
        (*st)->upsert_subject("reader", store::SubjectRecord{"u1", "Ana", "active", "", 1}));
  }
  {
    auto host = open(testing::fake_config(dir_.path()));
    ASSERT_TRUE(host) << host.error().message;
    EXPECT_EQ((*host)->set_subject_enabled("reader", "nobody", false).error().cls,
              ErrorClass::kNotFound);
    ASSERT_TRUE((*host)->set_subject_enabled("reader", "u1", false));
    HookResult refused = (*host)->sync_subject("reader", "u1");
    EXPECT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("disabled by an admin"), std::string::npos) << refused.error;
  }
  auto host = open(testing::fake_config(dir_.path()));  // the switch is durable
  ASSERT_TRUE(host);
  const std::vector<ConnectorStatus> statuses = (*host)->status();  // `reader` points into it
  const ConnectorStatus* reader = find(statuses, "reader");
  ASSERT_TRUE(reader && reader->subjects.size() == 1);
  EXPECT_TRUE(reader->subjects[0].admin_disabled);
  EXPECT_STREQ(runtime::subject_status_text(reader->subjects[0].state, true), "Disabled");
  ASSERT_TRUE((*host)->set_subject_enabled("reader", "u1", true));
  HookResult first = (*host)->sync_subject("reader", "u1");
  EXPECT_NE(first.status, "conflict") << first.error;
  HookResult again = (*host)->sync_subject("reader", "u1");
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.status, "conflict");
  EXPECT_NE(again.error.find("try again in"), std::string::npos) << again.error;
}

TEST_F(HostTest, OutboxListsRedactedFailuresAndRetriesAllOrNamedEntriesOnly) {
  config::HostConfig config = testing::fake_config(dir_.path());
  config.secret_values.push_back("sekrit-value-123");
  int64_t a = 0, b = 0;
  {
    auto host = open(config);
    ASSERT_TRUE(host) << host.error().message;
    auto txn = (*host)->store().begin("reader");
    ASSERT_TRUE(txn);
    a = *(*txn)->outbox_add("Account", "001A", "{}");
    b = *(*txn)->outbox_add("Account", "001B", "{}");
    ASSERT_TRUE((*txn)->outbox_done(a, "INVALID_FIELD: bad value sekrit-value-123"));
    ASSERT_TRUE((*txn)->outbox_done(b, "DUPLICATE_VALUE"));
    ASSERT_TRUE((*txn)->commit());
  }
  auto host = open(config);
  ASSERT_TRUE(host) << host.error().message;
  Host& h = **host;
  auto failed = h.outbox("reader", Host::OutboxState::kFailed, 10);
  ASSERT_TRUE(failed) << failed.error().message;
  ASSERT_EQ(failed->size(), 2u);
  EXPECT_EQ((*failed)[0].error.find("sekrit-value-123"), std::string::npos) << (*failed)[0].error;
  EXPECT_EQ(h.outbox("reader", Host::OutboxState::kFailed, 1)->size(), 1u);
  EXPECT_TRUE(h.outbox("reader", Host::OutboxState::kPending, 10)->empty());
  EXPECT_EQ(h.outbox("nobody", Host::OutboxState::kFailed, 10).error().cls, ErrorClass::kNotFound);

  // One unknown id refuses the whole request: nothing retried.
  auto mixed = h.outbox_retry("reader", {a, 999999});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().cls, ErrorClass::kNotFound);
  EXPECT_EQ(h.outbox("reader", Host::OutboxState::kFailed, 10)->size(), 2u);

  auto one = h.outbox_retry("reader", {b});
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::vector<int64_t>{b});
  auto pending = h.outbox("reader", Host::OutboxState::kPending, 10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].entry_id, b);
  auto all = h.outbox_retry("reader", {});
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, std::vector<int64_t>{a});
  EXPECT_TRUE(h.outbox("reader", Host::OutboxState::kFailed, 10)->empty());
  EXPECT_TRUE(h.outbox_retry("reader", {})->empty());
}

}  // namespace
}  // namespace chost::app
