// `connector-host run` and the connector verbs as processes: graceful SIGTERM, state surviving a
// restart, SIGHUP with a bad config, disable/enable through the CLI (running and stopped host),
// and no seeded secret anywhere in the output.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <random>

#include "chost/store/sqlite_store.hpp"
#include "host_process.hpp"
#include "token_server.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 20000;  // hang guard only

std::string random_hex(size_t bytes) {
  std::random_device rd;
  std::string out;
  const char* digits = "0123456789abcdef";
  for (size_t i = 0; i < bytes * 2; ++i) out += digits[rd() % 16];
  return out;
}

class RunTest : public ::testing::Test {
 protected:
  RunTest() : master_key_(random_hex(32)), admin_token_("adm-" + random_hex(16)) {
    setenv("CHOST_IT_KEY", master_key_.c_str(), 1);
    setenv("CHOST_IT_ADMIN_TOKEN", admin_token_.c_str(), 1);
    port_ = free_port();
    write_config("");
  }

  void write_config(const std::string& extra_connectors, bool with_admin = true) {
    dir_.write("host.yaml", std::string("host:\n"
                                        "  state: { path: ./state/host.db }\n"
                                        "  master_key: \"${env:CHOST_IT_KEY}\"\n"
                                        "  plugin_dirs: [") +
                                FAKE_PLUGIN_DIR +
                                "]\n"
                                "  shutdown_grace: 3s\n" +
                                (with_admin ? admin_line() : std::string()) +
                                "  log: { format: json, level: debug }\n"
                                "connectors:\n"
                                "  - name: conn\n"
                                "    plugin: fake-connection\n"
                                "    config: { token_url: \"" +
                                tokens_.base_url() + "/token\", api_url: \"" + tokens_.base_url() +
                                "/api\" }\n"
                                "  - name: reader\n"
                                "    plugin: fake-connection\n"
                                "    uses: conn\n"
                                "    config: { api_url: \"" +
                                tokens_.base_url() + "/api\" }\n" + extra_connectors);
  }

  std::string admin_line() const {
    return "  admin: { listen: \"127.0.0.1:" + std::to_string(port_) +
           "\", token: \"${env:CHOST_IT_ADMIN_TOKEN}\" }\n";
  }

  CommandResult cli(const std::vector<std::string>& verb_args) {
    std::vector<std::string> args = verb_args;
    args.push_back("-c");
    args.push_back("host.yaml");
    return run_host_command(dir_.path(), args, "cli" + std::to_string(++cli_count_));
  }

  std::unique_ptr<HostProcess> start_host() {
    auto p = std::make_unique<HostProcess>(dir_.path(),
                                           std::vector<std::string>{"run", "-c", "host.yaml"},
                                           "run" + std::to_string(++run_count_));
    EXPECT_TRUE(p->wait_for_log("running; pid", kWaitMs)) << p->err();
    return p;
  }

  static void stop_host(HostProcess& p) {
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(kWaitMs), std::optional<int>(0)) << p.err();
  }

  // Every file the processes wrote their output to.
  std::string all_output() const {
    std::string text;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      const auto ext = e.path().extension();
      if (ext == ".out" || ext == ".err") text += read_file(e.path());
    }
    return text;
  }

  FakeTokenServer tokens_;
  TempDir dir_;
  std::string master_key_;
  std::string admin_token_;
  uint16_t port_ = 0;
  int cli_count_ = 0;
  int run_count_ = 0;
};

TEST_F(RunTest, SigtermStopsGracefullyWithExitZero) {
  auto host = start_host();
  EXPECT_EQ(host->wait_exit(0), std::nullopt) << "host exited on its own";
  stop_host(*host);
  EXPECT_NE(host->err().find("\"msg\":\"stopped\""), std::string::npos) << host->err();
}

TEST_F(RunTest, AuthorizedConnectionSurvivesRestart) {
  CommandResult auth = cli({"authorize", "conn", "--code", "c0"});
  ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  EXPECT_NE(auth.out.find("conn: connected"), std::string::npos);
  for (int round = 0; round < 2; ++round) {
    auto host = start_host();
    CommandResult st = cli({"status", "--json"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    EXPECT_NE(st.out.find("\"running\":true"), std::string::npos) << st.out;
    EXPECT_NE(st.out.find("\"state\":\"connected\""), std::string::npos) << st.out;
    stop_host(*host);
  }
  CommandResult stopped = cli({"status"});
  EXPECT_NE(stopped.out.find("host not running"), std::string::npos) << stopped.out;
  EXPECT_NE(stopped.out.find("connected"), std::string::npos) << stopped.out;
  EXPECT_EQ(tokens_.token_requests(), 1) << "the restart re-authorized instead of restoring";
}

// One shape for scripts whether the host runs (admin API) or not (the store).
TEST_F(RunTest, StatusJsonHasTheSameShapeRunningAndStopped) {
  CommandResult auth = cli({"authorize", "conn", "--code", "c0"});
  ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  auto check = [](const CommandResult& st, bool running) {
    ASSERT_EQ(st.exit_code, 0) << st.err;
    const boost::json::value doc = boost::json::parse(st.out);
    EXPECT_EQ(doc.at("running"), running) << st.out;
    EXPECT_EQ(doc.at("admin_url").is_null(), !running) << st.out;
    bool found = false;
    for (const boost::json::value& c : doc.at("connectors").as_array()) {
      if (c.at("name") != "conn") continue;
      found = true;
      EXPECT_EQ(c.at("state"), "connected") << c;
      EXPECT_EQ(c.at("kind"), "connection") << c;
      EXPECT_TRUE(c.at("last_error").is_null()) << c;
      EXPECT_TRUE(c.at("subjects").is_array()) << c;
      EXPECT_TRUE(c.at("identity").is_object()) << c;
    }
    EXPECT_TRUE(found) << st.out;
  };
  {
    auto host = start_host();
    check(cli({"status", "--json"}), true);
    stop_host(*host);
  }
  check(cli({"status", "--json"}), false);
}

TEST_F(RunTest, SighupWithBadConfigKeepsRunningAndGoodConfigApplies) {
  auto host = start_host();
  const std::string good = read_file(dir_.path() / "host.yaml");
  dir_.write("host.yaml", good + "  - name: broken\n    plugn: fake-connection\n");
  host->signal(SIGHUP);
  ASSERT_TRUE(host->wait_for_log("reload rejected", kWaitMs)) << host->err();
  EXPECT_EQ(host->wait_exit(0), std::nullopt) << "host exited after a bad reload";
  // The file is fixed again without a reload: the host answers on its old configuration.
  dir_.write("host.yaml", good);
  CommandResult st = cli({"status"});
  EXPECT_NE(st.out.find("host running"), std::string::npos) << st.out << st.err;

  write_config("  - name: extra\n    plugin: fake-connection\n    uses: conn\n");
  host->signal(SIGHUP);
  ASSERT_TRUE(host->wait_for_log("configuration reloaded", kWaitMs)) << host->err();
  st = cli({"status", "--json"});
  EXPECT_NE(st.out.find("\"name\":\"extra\""), std::string::npos) << st.out;
  stop_host(*host);
}

TEST_F(RunTest, DisableAndEnableThroughTheCli) {
  // Stopped host: acts on the state directly; the flag survives into the next run.
  CommandResult d = cli({"disable", "reader"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  CommandResult st = cli({"status"});
  EXPECT_NE(st.out.find("reader"), std::string::npos);
  EXPECT_NE(st.out.find("disabled"), std::string::npos) << st.out;

  auto host = start_host();
  st = cli({"status", "--json"});
  EXPECT_NE(st.out.find("\"state\":\"disabled\""), std::string::npos) << st.out;
  CommandResult e = cli({"enable", "reader"});
  ASSERT_EQ(e.exit_code, 0) << e.out << e.err;
  st = cli({"status", "--json"});
  EXPECT_EQ(st.out.find("\"state\":\"disabled\""), std::string::npos) << st.out;
  d = cli({"disable", "reader"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  st = cli({"status", "--json"});
  EXPECT_NE(st.out.find("\"state\":\"disabled\""), std::string::npos) << st.out;
  stop_host(*host);
}

TEST_F(RunTest, CliRefusesToChangeTheStateOfAHostRunningWithoutAdminApi) {
  write_config("", /*with_admin=*/false);
  auto host = start_host();
  CommandResult d = cli({"disable", "reader"});
  EXPECT_EQ(d.exit_code, 1) << d.out << d.err;
  EXPECT_NE(d.err.find("in use by another connector-host process"), std::string::npos) << d.err;
  stop_host(*host);
  d = cli({"disable", "reader"});  // stopped: allowed again
  EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
}

TEST_F(RunTest, StuckHookDoesNotKeepTheHostFromExitingAfterTheGrace) {
  dir_.write("host.yaml", std::string("host:\n"
                                      "  state: { path: ./state/host.db }\n"
                                      "  plugin_dirs: [") +
                              STUCK_PLUGIN_DIR +
                              "]\n"
                              "  shutdown_grace: 1s\n"
                              "connectors:\n"
                              "  - { name: deaf, plugin: test-stuck, schedule: { every: 1h } }\n");
  auto host = start_host();
  ASSERT_TRUE(host->wait_for_log("stuck sync started", kWaitMs)) << host->err();
  host->signal(SIGTERM);
  // The hook sleeps for 60 s; the hang guard (20 s) fails the test if the host waited for it.
  EXPECT_EQ(host->wait_exit(kWaitMs), std::optional<int>(0)) << host->err();
  EXPECT_NE(host->err().find("abandoning it"), std::string::npos) << host->err();
}

TEST_F(RunTest, RotateKeyReEncryptsTheState) {
  ASSERT_EQ(cli({"authorize", "conn", "--code", "c0"}).exit_code, 0);
  const std::string new_key = random_hex(32);
  setenv("CHOST_IT_NEW_KEY", new_key.c_str(), 1);
  CommandResult literal = cli({"rotate-key", "--new-key-ref", new_key});
  EXPECT_EQ(literal.exit_code, 1) << "a literal key on the command line must be refused";
  CommandResult r = cli({"rotate-key", "--new-key-ref", "${env:CHOST_IT_NEW_KEY}"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The old key no longer opens the state; the new one does, with the connection intact.
  CommandResult old_key = cli({"status"});
  EXPECT_EQ(old_key.exit_code, 1) << old_key.out;
  EXPECT_NE(old_key.err.find("key"), std::string::npos) << old_key.err;
  setenv("CHOST_IT_KEY", new_key.c_str(), 1);
  CommandResult st = cli({"status"});
  EXPECT_EQ(st.exit_code, 0) << st.err;
  EXPECT_NE(st.out.find("connected"), std::string::npos) << st.out;
  EXPECT_EQ((r.out + r.err + old_key.err).find(new_key), std::string::npos);
  EXPECT_EQ((r.out + r.err + old_key.err).find(master_key_), std::string::npos);
}

// Failed write-back entries as an admin sees and retries them: on a stopped host from the store,
// on a running one through the admin API; both the same.
TEST_F(RunTest, OutboxListsAndRetriesFailedEntriesThroughTheCli) {
  int64_t a = 0, b = 0, c = 0;
  auto open_store = [&] {
    auto key = store::parse_master_key(master_key_);
    EXPECT_TRUE(key);
    return store::open_sqlite_store((dir_.path() / "state/host.db").string(), std::move(*key));
  };
  {
    auto st = open_store();
    ASSERT_TRUE(st) << st.error().message;
    auto txn = (*st)->begin("reader");
    ASSERT_TRUE(txn);
    a = *(*txn)->outbox_add("Account", "001A", R"({"Name":"A"})");
    b = *(*txn)->outbox_add("Contact", "003B", R"({"LastName":"B"})");
    c = *(*txn)->outbox_add("Account", "001C", R"({"Name":"C"})");
    ASSERT_TRUE((*txn)->outbox_done(a, "INVALID_FIELD: No such column 'Foo__c' on Account"));
    ASSERT_TRUE((*txn)->outbox_done(b, "REQUIRED_FIELD_MISSING: LastName"));
    ASSERT_TRUE((*txn)->commit());
  }
  const std::string sa = std::to_string(a), sb = std::to_string(b), sc = std::to_string(c);

  CommandResult failed = cli({"outbox", "reader"});
  ASSERT_EQ(failed.exit_code, 0) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("host not running"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("No such column 'Foo__c'"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("003B"), std::string::npos) << failed.out;
  EXPECT_EQ(failed.out.find("001C"), std::string::npos) << "pending entries are not failures";
  EXPECT_EQ(failed.out.find("\"Name\""), std::string::npos) << "never the record's data";
  CommandResult pending = cli({"outbox", "reader", "--state", "pending"});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  EXPECT_NE(pending.out.find("001C"), std::string::npos) << pending.out;

  CommandResult bad_id = cli({"outbox", "reader", "--retry", "--id", sc});  // pending, not failed
  EXPECT_EQ(bad_id.exit_code, 1) << bad_id.out;
  EXPECT_NE(bad_id.err.find("no failed outbox entry " + sc), std::string::npos) << bad_id.err;
  CommandResult usage = cli({"outbox", "reader", "--id", sa});
  EXPECT_EQ(usage.exit_code, 2) << "--id without --retry";
  CommandResult unknown = cli({"outbox", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);

  CommandResult one = cli({"outbox", "reader", "--retry", "--id", sa});
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_NE(one.out.find("1 failed outbox entry offered again at the next sync: " + sa),
            std::string::npos)
      << one.out;

  auto host = start_host();
  CommandResult listed = cli({"outbox", "reader", "--state", "failed"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("host running"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("REQUIRED_FIELD_MISSING"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("INVALID_FIELD"), std::string::npos) << listed.out;
  CommandResult all = cli({"outbox", "reader", "--retry"});
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  EXPECT_NE(all.out.find("1 failed outbox entry offered again at the next sync: " + sb),
            std::string::npos)
      << all.out;
  stop_host(*host);

  auto st = open_store();
  ASSERT_TRUE(st);
  EXPECT_TRUE((*st)->outbox_failed("reader")->empty());
  auto now_pending = (*st)->outbox_pending("reader", 10);
  ASSERT_TRUE(now_pending);
  ASSERT_EQ(now_pending->size(), 3u);
  EXPECT_EQ((*now_pending)[0].attempts, 1);  // retried, the failure still counted
}

TEST_F(RunTest, NoSeededSecretAppearsInAnyOutput) {
  ASSERT_EQ(cli({"authorize", "conn", "--code", "c0"}).exit_code, 0);
  {
    // The reader borrows the connection's token and calls the API with it.
    auto key = store::parse_master_key(master_key_);
    ASSERT_TRUE(key);
    auto st = store::open_sqlite_store((dir_.path() / "state/host.db").string(), std::move(*key));
    ASSERT_TRUE(st) << st.error().message;
    auto txn = (*st)->begin("reader");
    ASSERT_TRUE(txn);
    ASSERT_TRUE((*txn)->put("mode", "token"));
    ASSERT_TRUE((*txn)->commit());
  }
  CommandResult once = cli({"sync", "reader"});  // stopped host: runs the hook here
  EXPECT_EQ(once.exit_code, 0) << once.out << once.err;
  auto host = start_host();
  EXPECT_EQ(cli({"refresh", "conn"}).exit_code, 0);
  EXPECT_EQ(cli({"sync", "reader"}).exit_code, 0);
  EXPECT_EQ(cli({"status"}).exit_code, 0);
  stop_host(*host);
  ASSERT_GE(tokens_.issued().size(), 4u) << "refresh did not reach the token endpoint";

  const std::string out = all_output();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.find(kSeededSecretMarker), std::string::npos) << out;
  EXPECT_EQ(out.find(master_key_), std::string::npos);
  EXPECT_EQ(out.find(admin_token_), std::string::npos);
}

}  // namespace
}  // namespace chost::integration
