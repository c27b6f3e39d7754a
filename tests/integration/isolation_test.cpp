// Plugin isolation with the real host: `connector-host run` with a connector whose plugin
// (tests/plugins/misbehaving_plugin.c) segfaults, aborts, hangs, leaks or writes to stdout in
// every sync, beside two well-behaved connectors of the same plugin (one in-process, one in a
// worker). For each misbehaviour: the host keeps running, the others keep syncing, the bad one
// is shown failed with the reason (signal, deadline, memory limit) and is restarted with backoff.
// In-process, the survivable cases (hang: the deadline; stdout) are proven the same way; a
// segfault in-process takes the host down, as the README says.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 30000;  // hang guard only

size_t count(const std::string& text, const std::string& needle, size_t from = 0) {
  size_t n = 0;
  for (size_t at = text.find(needle, from); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::string good_sync_line(const std::string& connector) {
  return "\"connector\":\"" + connector + "\",\"msg\":\"sync ";
}

struct Case {
  const char* misbehave;
  const char* isolation;              // of the bad connector
  const char* reason;                 // in its failure, as the board, the log and `status` show it
  size_t failures = 2;                // seen before checking: 2 proves the restart (with backoff)
  const char* sync_deadline = "10s";  // 1s for the hangs; longer elsewhere, so it never decides
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << c.misbehave << "/" << c.isolation;
}

class IsolationTest : public ::testing::TestWithParam<Case> {
 protected:
  IsolationTest() {
    setenv("CHOST_IT_KEY", std::string(64, 'e').c_str(), 1);
    setenv("CHOST_IT_ADMIN_TOKEN", "it-isolation-admin-token", 1);
    port_ = free_port();
  }

  void write_config(const Case& c) {
    dir_.write("host.yaml", std::string("host:\n"
                                        "  state: { path: ./state/host.db }\n"
                                        "  master_key: \"${env:CHOST_IT_KEY}\"\n"
                                        "  plugin_dirs: [") +
                                MISBEHAVING_PLUGIN_DIR +
                                "]\n"
                                "  shutdown_grace: 3s\n"
                                "  timeouts: { sync: " +
                                c.sync_deadline +
                                " }\n"
                                "  restart: { initial_backoff: 200ms, max_backoff: 1s }\n"
                                "  admin: { listen: \"127.0.0.1:" +
                                std::to_string(port_) +
                                "\", token: \"${env:CHOST_IT_ADMIN_TOKEN}\" }\n"
                                "  log: { format: json, level: debug }\n"
                                "connectors:\n"
                                "  - name: bad\n"
                                "    plugin: test-misbehaving\n"
                                "    isolation: " +
                                c.isolation +
                                "\n"
                                "    worker_memory_limit_mb: 256\n"
                                "    schedule: { every: 1s }\n"
                                "    config: { misbehave: " +
                                c.misbehave +
                                ", leak_mb: 1024 }\n"
                                "  - name: steady\n"
                                "    plugin: test-misbehaving\n"
                                "    schedule: { every: 1s }\n"
                                "    config: { misbehave: none }\n"
                                "  - name: steady-iso\n"
                                "    plugin: test-misbehaving\n"
                                "    isolation: process\n"
                                "    schedule: { every: 1s }\n"
                                "    config: { misbehave: none }\n");
  }

  std::unique_ptr<HostProcess> start_host() {
    auto p = std::make_unique<HostProcess>(
        dir_.path(), std::vector<std::string>{"run", "-c", "host.yaml"}, "run");
    EXPECT_TRUE(p->wait_for_log("running; pid", kWaitMs)) << p->err();
    return p;
  }

  // Waits (bounded) until `needle` occurs `n` times in the host's stderr after `from`.
  bool wait_for_count(const HostProcess& p, const std::string& needle, size_t n, size_t from = 0) {
    for (int waited = 0; waited <= kWaitMs; waited += 50) {
      if (count(p.err(), needle, from) >= n) return true;
      usleep(50 * 1000);
    }
    return false;
  }

  // The connector's entry in `status --json` (through the running host's admin API).
  boost::json::value status_of(const std::string& connector) {
    CommandResult r = run_host_command(dir_.path(), {"status", "--json", "-c", "host.yaml"},
                                       "status" + std::to_string(++status_calls_));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.out;
    if (ec || !doc.is_object()) return nullptr;
    for (const char* list : {"connectors", "connections"}) {
      const boost::json::value* items = doc.as_object().if_contains(list);
      if (items == nullptr || !items->is_array()) continue;
      for (const boost::json::value& item : items->as_array()) {
        const boost::json::value* name = item.as_object().if_contains("name");
        if (name != nullptr && name->is_string() && name->as_string() == connector) return item;
      }
    }
    ADD_FAILURE() << connector << " not in: " << r.out;
    return nullptr;
  }

  TempDir dir_;
  uint16_t port_ = 0;
  int status_calls_ = 0;
};

TEST_P(IsolationTest, TheHostAndTheOtherConnectorsKeepRunning) {
  const Case c = GetParam();
  write_config(c);
  auto host = start_host();
  // Failed twice: restarted after the first (with backoff), and failing for the same reason.
  ASSERT_TRUE(wait_for_count(*host, c.reason, c.failures)) << host->err();
  ASSERT_EQ(host->wait_exit(0), std::nullopt) << "the host died: " << host->err();
  // The well-behaved connectors sync on after the misbehaviour, in both modes.
  const size_t after = host->err().size();
  EXPECT_TRUE(wait_for_count(*host, good_sync_line("steady"), 2, after)) << host->err();
  EXPECT_TRUE(wait_for_count(*host, good_sync_line("steady-iso"), 2, after)) << host->err();

  const boost::json::value bad = status_of("bad");
  ASSERT_TRUE(bad.is_object());
  const std::string shown = boost::json::serialize(bad);
  EXPECT_NE(shown.find(c.reason), std::string::npos) << shown;
  ASSERT_EQ(host->wait_exit(0), std::nullopt) << "the host died: " << host->err();
  host->signal(SIGTERM);
  EXPECT_EQ(host->wait_exit(kWaitMs), std::optional<int>(0)) << host->err();
}

INSTANTIATE_TEST_SUITE_P(
    Misbehaviours, IsolationTest,
    ::testing::Values(
        Case{"segfault", "process", "plugin worker killed by signal SIGSEGV (Segmentation fault)"},
        Case{"abort", "process", "plugin worker killed by signal SIGABRT (Aborted)"},
        Case{"hang", "process", "sync exceeded its 1s deadline", 2, "1s"},
        Case{"leak", "process", "over its limit of 256 MiB"},
        // In-process the host cannot stop a thread: the deadline marks it failed, the stuck call
        // keeps its worker thread until it returns (120 s), the others run on the remaining ones.
        Case{"hang", "in-process", "sync exceeded its 1s deadline", 1, "1s"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(info.param.misbehave) + "_" +
             (std::string(info.param.isolation) == "process" ? "Process" : "InProcess");
    });

// Stray output: in a worker it becomes warning lines of the connector, and the host's stdout
// (where `status --json` and friends print) stays clean; in-process it lands on the host's
// stdout, which the host survives.
TEST_F(IsolationTest, StdoutOfAWorkerBecomesLogLinesAndNeverReachesTheHostsStdout) {
  write_config(Case{"stdout", "process", ""});
  auto host = start_host();
  ASSERT_TRUE(
      wait_for_count(*host, "plugin wrote to stdout: stray line two from test-misbehaving", 2))
      << host->err();
  EXPECT_TRUE(wait_for_count(*host, good_sync_line("bad"), 2)) << host->err();
  EXPECT_EQ(host->out().find("stray line"), std::string::npos) << host->out();
  host->signal(SIGTERM);
  EXPECT_EQ(host->wait_exit(kWaitMs), std::optional<int>(0)) << host->err();
}

TEST_F(IsolationTest, StdoutInProcessIsSurvivedButLandsOnTheHostsStdout) {
  write_config(Case{"stdout", "in-process", ""});
  auto host = start_host();
  ASSERT_TRUE(wait_for_count(*host, good_sync_line("bad"), 2)) << host->err();
  EXPECT_TRUE(wait_for_count(*host, good_sync_line("steady-iso"), 2)) << host->err();
  EXPECT_NE(host->out().find("stray line one from test-misbehaving"), std::string::npos);
  host->signal(SIGTERM);
  EXPECT_EQ(host->wait_exit(kWaitMs), std::optional<int>(0)) << host->err();
}

// What in-process cannot survive, as documented: the plugin's segfault is the host's.
TEST_F(IsolationTest, ASegfaultInProcessTakesTheHostDown) {
  write_config(Case{"segfault", "in-process", ""});
  HostProcess host(dir_.path(), {"run", "-c", "host.yaml"}, "run");
  EXPECT_EQ(host.wait_exit(kWaitMs), std::optional<int>(128 + SIGSEGV)) << host.err();
}

}  // namespace
}  // namespace chost::integration
