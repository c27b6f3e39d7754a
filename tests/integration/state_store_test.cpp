// The state file against the real binary: a state that existed (its marker is there) but was
// emptied or deleted is refused by every verb until `--init-state`; pages damaged while the
// host runs stop it from using the state, and /readyz and `status` say so with SQLite's words.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "host_process.hpp"
#include "loopback_http.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 20000;  // hang guard only

std::string random_hex(size_t chars) {
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < chars; ++i) out += "0123456789abcdef"[rd() % 16];
  return out;
}

// One statement on the file, as another process would run it.
void raw_sql(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

class StateStoreTest : public ::testing::Test {
 protected:
  StateStoreTest() : admin_token_("adm-" + random_hex(32)), port_(free_port()) {
    setenv("CHOST_IT_STATE_KEY", random_hex(64).c_str(), 1);
    setenv("CHOST_IT_STATE_ADMIN", admin_token_.c_str(), 1);
    dir_.write("host.yaml", std::string("host:\n  state: { path: ./state/host.db }\n"
                                        "  master_key: \"${env:CHOST_IT_STATE_KEY}\"\n"
                                        "  plugin_dirs: [") +
                                FAKE_PLUGIN_DIR +
                                "]\n"
                                "  shutdown_grace: 3s\n"
                                "  admin: { listen: \"127.0.0.1:" +
                                std::to_string(port_) +
                                "\", token: \"${env:CHOST_IT_STATE_ADMIN}\" }\n"
                                "connectors:\n"
                                "  - name: conn\n"
                                "    plugin: fake-connection\n");
  }

  CommandResult cli(std::vector<std::string> args) {
    args.push_back("-c");
    args.push_back("host.yaml");
    return run_host_command(dir_.path(), args, "cli" + std::to_string(++cli_count_));
  }

  std::filesystem::path db() const { return dir_.path() / "state" / "host.db"; }

  TempDir dir_;
  std::string admin_token_;
  uint16_t port_;
  int cli_count_ = 0;
};

// `status` exits 4 while a connection is not authorized (the config's `crm` never is here).
TEST_F(StateStoreTest, AnEmptiedOrDeletedStateIsRefusedByEveryVerbUntilInitState) {
  CommandResult first = cli({"status"});
  ASSERT_EQ(first.exit_code, 4) << first.err;
  ASSERT_TRUE(std::filesystem::exists(dir_.path() / "state" / "host.db.marker"));

  std::filesystem::resize_file(db(), 0);
  for (const char* verb : {"status", "run", "sync", "outbox"}) {
    SCOPED_TRACE(verb);
    std::vector<std::string> args{verb};
    if (std::string(verb) == "sync" || std::string(verb) == "outbox") args.push_back("conn");
    CommandResult r = cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("state store " + db().string() + " is empty, but " + db().string() +
                         ".marker says "
                         "a state was created there"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--init-state"), std::string::npos) << r.err;
    EXPECT_EQ(std::filesystem::file_size(db()), 0u) << "the refused state was written to";
  }
  std::filesystem::remove(db());
  CommandResult deleted = cli({"status"});
  EXPECT_EQ(deleted.exit_code, 1);
  EXPECT_NE(deleted.err.find("state store " + db().string() + " does not exist"), std::string::npos)
      << deleted.err;
  EXPECT_FALSE(std::filesystem::exists(db()));

  CommandResult init = cli({"status", "--init-state"});
  EXPECT_EQ(init.exit_code, 4) << init.err;
  EXPECT_GT(std::filesystem::file_size(db()), 0u);
  CommandResult after = cli({"status"});
  EXPECT_EQ(after.exit_code, 4) << after.err;
}

TEST_F(StateStoreTest, PagesDamagedWhileRunningStopTheHostUsingTheStateAndStatusSaysSo) {
  ASSERT_EQ(cli({"status"}).exit_code, 4);
  // Checkpoints the connector's namespace holds: pages at the end of the file.
  std::string rows;
  for (int i = 0; i < 200; ++i) {
    rows += std::string(rows.empty() ? "" : ",") + "('conn','k" + std::to_string(1000 + i) +
            "',randomblob(400))";
  }
  raw_sql(db(), "INSERT INTO kv (ns, key, value) VALUES " + rows);
  raw_sql(db(), "PRAGMA wal_checkpoint(TRUNCATE)");

  HostProcess host(dir_.path(), {"run", "-c", "host.yaml"}, "run");
  ASSERT_TRUE(host.wait_for_log("running; pid", kWaitMs)) << host.err();
  // Not ready before either (the connection was never authorized), but not for the state.
  ASSERT_EQ(loopback_http(port_, "GET", "/readyz").body,
            "not ready: connection conn is unauthorized\n");

  raw_sql(db(), "PRAGMA wal_checkpoint(TRUNCATE)");
  const auto size = std::filesystem::file_size(db());
  ASSERT_GT(size, 16 * 4096u);
  {
    std::fstream f(db(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 8 * 4096));
    const std::string garbage(8 * 4096, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  // Another process's commit: the host's connections drop the pages they had cached.
  raw_sql(db(), "CREATE TABLE poke(x)");

  // Reading the connector's checkpoints reads the damaged pages.
  HttpReply read = loopback_http(port_, "GET", "/api/v1/connectors/conn/checkpoints?limit=1000", "",
                                 admin_token_);
  EXPECT_GE(read.status, 500) << read.body;
  HttpReply ready = loopback_http(port_, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(
      ready.body.rfind("not ready: state store " + db().string() + " is damaged (SQLite: ", 0), 0u)
      << ready.body;
  EXPECT_NE(ready.body.find("database disk image is malformed"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("; quick_check"), std::string::npos) << ready.body;
  std::ifstream in_db(db(), std::ios::binary);
  const std::string db_before((std::istreambuf_iterator<char>(in_db)),
                              std::istreambuf_iterator<char>());

  CommandResult status = cli({"status"});
  EXPECT_EQ(status.exit_code, 1) << status.out << status.err;
  EXPECT_NE(status.err.find("state store " + db().string() + " is damaged"), std::string::npos)
      << status.err;
  EXPECT_EQ(loopback_http(port_, "GET", "/healthz").status, 200) << "liveness is not readiness";

  host.signal(SIGTERM);
  EXPECT_TRUE(host.wait_exit(kWaitMs).has_value()) << host.err();
  std::ifstream again(db(), std::ios::binary);
  const std::string db_after((std::istreambuf_iterator<char>(again)),
                             std::istreambuf_iterator<char>());
  EXPECT_TRUE(db_before == db_after) << "the damaged database was written to";
  // Stopped, the state is refused at open with SQLite's quick_check words.
  CommandResult stopped = cli({"status"});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_NE(stopped.err.find("the database is damaged (SQLite quick_check: "), std::string::npos)
      << stopped.err;
}

// Simulates a state from another host: a connection "old-org" with credentials and checkpoints,
// under the same key, that this host's configuration does not name.
TEST_F(StateStoreTest, OrphanedConnectionsAreReportedAndPrunedOnlyOnRequest) {
  ASSERT_EQ(cli({"status"}).exit_code, 4);
  raw_sql(db(),
          "INSERT INTO connections (name, state, reason, identity_json, public_json, "
          "access_expires_at_ms, last_used_at_ms, updated_at_ms) VALUES ('old-org', 'connected', "
          "'', '{}', '{}', 0, 0, 0);"
          "INSERT INTO secrets (ns, name, version, sealed, updated_at_ms) VALUES ('old-org', "
          "'host:credentials', 1, randomblob(64), 0);"
          "INSERT INTO kv (ns, key, value) VALUES ('old-org', 'cursor', 'x');");
  const std::string described = "old-org (connection, credentials, state)";

  CommandResult status = cli({"status"});
  EXPECT_EQ(status.exit_code, 4) << status.err;
  EXPECT_NE(status.err.find("warning: not in the configuration, still in the state: " + described),
            std::string::npos)
      << status.err;
  CommandResult stopped_json = cli({"status", "--json"});
  EXPECT_EQ(boost::json::parse(stopped_json.out).at("orphans").at(0).at("name"), "old-org")
      << stopped_json.out;

  HostProcess host(dir_.path(), {"run", "-c", "host.yaml"}, "run");
  ASSERT_TRUE(host.wait_for_log("running; pid", kWaitMs)) << host.err();
  EXPECT_NE(host.err().find("the configuration does not name: " + described), std::string::npos)
      << host.err();
  // The running host lists them too: its admin API, and `status` through it (text and JSON).
  const HttpReply listing = loopback_http(port_, "GET", "/api/v1/connectors", "", admin_token_);
  ASSERT_EQ(listing.status, 200) << listing.body;
  const boost::json::value orphans = boost::json::parse(listing.body).at("orphans");
  EXPECT_EQ(orphans, boost::json::parse(
                         R"([{"name":"old-org","holds":["connection","credentials","state"]}])"))
      << listing.body;
  CommandResult running = cli({"status"});
  EXPECT_EQ(running.exit_code, 4) << running.err;
  EXPECT_NE(running.out.find("host running"), std::string::npos) << running.out;
  EXPECT_NE(running.out.find("STATE"), std::string::npos) << "the same table as a stopped host";
  EXPECT_NE(running.err.find("warning: not in the configuration, still in the state: " + described),
            std::string::npos)
      << running.err;
  CommandResult running_json = cli({"status", "--json"});
  EXPECT_EQ(boost::json::parse(running_json.out).at("orphans"), orphans) << running_json.out;
  host.signal(SIGTERM);
  ASSERT_TRUE(host.wait_exit(kWaitMs).has_value());

  CommandResult listed = cli({"state", "prune"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("not configured: " + described), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("--yes"), std::string::npos) << listed.out;
  EXPECT_NE(cli({"status"}).err.find("old-org"), std::string::npos) << "listing removed it";

  CommandResult pruned = cli({"state", "prune", "--yes"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("removed " + described), std::string::npos) << pruned.out;
  CommandResult after = cli({"status"});
  EXPECT_EQ(after.exit_code, 4);
  EXPECT_EQ(after.err.find("old-org"), std::string::npos) << after.err;
  EXPECT_NE(after.out.find("conn"), std::string::npos) << "the configured one must stay";
  EXPECT_NE(cli({"state", "prune"}).out.find("nothing to prune"), std::string::npos);
}

}  // namespace
}  // namespace chost::integration
