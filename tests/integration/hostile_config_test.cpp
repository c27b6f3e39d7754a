// Hostile configuration files against the real binary: check-config reports each at
// file:line:col and exits 1, `run` refuses it, and a running host that gets one on SIGHUP logs
// the error and keeps running exactly as it was (these crashed it, or grew it to gigabytes).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <regex>
#include <thread>

#include "host_process.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 20000;  // hang guard only

struct Hostile {
  const char* name;
  std::string text;  // appended to the good file
};

std::vector<Hostile> hostile_files() {
  std::string laughs = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    laughs += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k ? ", *l" : "*l") + std::to_string(i - 1);
    laughs += "]\n";
  }
  return {
      {"30,000-digit scalar", "digits: " + std::string(30'000, '7') + "\n"},
      {"recursive alias", "a: &a {b: *a}\n"},
      {"billion laughs", laughs},
      {"${file:/dev/zero}", "extra: \"${file:/dev/zero}\"\n"},
      {"100,000 brackets", "deep: " + std::string(100'000, '[') + "\n"},
      {"NUL byte", std::string("nul: a\0b\n", 9)},
      {"invalid UTF-8", "name: caf\xe9\n"},
      {"second document", "---\nother: 1\n"},
      {"unquoted reference in a flow mapping", "flow: {token: ${env:HOME}}\n"},
      {"5 MiB file", "# " + std::string(5 * 1024 * 1024, 'x') + "\n"},
  };
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class HostileConfigTest : public ::testing::Test {
 protected:
  HostileConfigTest() {
    std::random_device rd;
    std::string key;
    for (int i = 0; i < 64; ++i) key += "0123456789abcdef"[rd() % 16];
    setenv("CHOST_IT_HOSTILE_KEY", key.c_str(), 1);
    good_ = std::string(
                "host:\n  state: { path: ./state/host.db }\n"
                "  master_key: \"${env:CHOST_IT_HOSTILE_KEY}\"\n  plugin_dirs: [") +
            FAKE_PLUGIN_DIR +
            "]\n"
            "  shutdown_grace: 3s\n"
            "connectors:\n"
            "  - name: conn\n"
            "    plugin: fake-connection\n";
    dir_.write("host.yaml", good_);
  }

  // True once `needle` occurs `n` times in the host's stderr (bounded poll, a hang guard).
  static bool wait_for_count(const HostProcess& p, const std::string& needle, size_t n) {
    for (int waited = 0; waited < kWaitMs; waited += 20) {
      if (count_of(p.err(), needle) >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  TempDir dir_;
  std::string good_;
};

// "host.yaml:L:C: error: " somewhere in `text`.
bool has_positioned_error(const std::string& text) {
  return std::regex_search(text, std::regex("host\\.yaml:[0-9]+:[0-9]+: error: "));
}

TEST_F(HostileConfigTest, CheckConfigAndRunReportEachWithAPosition) {
  for (const Hostile& h : hostile_files()) {
    SCOPED_TRACE(h.name);
    dir_.write("host.yaml", good_ + h.text);
    CommandResult check =
        run_host_command(dir_.path(), {"check-config", "-c", "host.yaml"}, "check");
    EXPECT_EQ(check.exit_code, 3) << check.out.substr(0, 2000) << check.err.substr(0, 2000);
    EXPECT_TRUE(has_positioned_error(check.out)) << check.out.substr(0, 2000);
    EXPECT_LT(check.out.size(), 20'000u) << "the message should not echo the input";
  }
  dir_.write("host.yaml", good_ + "a: &a {b: *a}\n");
  CommandResult run = run_host_command(dir_.path(), {"run", "-c", "host.yaml"}, "run");
  EXPECT_EQ(run.exit_code, 3) << run.err;  // config invalid
  EXPECT_NE(run.err.find("host.yaml:9:11: error: alias *a refers to the node that contains it"),
            std::string::npos)
      << run.err;
}

TEST_F(HostileConfigTest, SighupWithEachHostileFileLeavesTheRunningHostAsItWas) {
  HostProcess host(dir_.path(), {"run", "-c", "host.yaml"}, "run");
  ASSERT_TRUE(host.wait_for_log("running; pid", kWaitMs)) << host.err();
  const std::string rejected = "reload rejected, keeping the running configuration: host.yaml:";
  size_t rejections = 0;
  for (const Hostile& h : hostile_files()) {
    SCOPED_TRACE(h.name);
    dir_.write("host.yaml", good_ + h.text);
    host.signal(SIGHUP);
    ASSERT_TRUE(wait_for_count(host, rejected, ++rejections)) << host.err().substr(0, 4000);
    EXPECT_EQ(host.wait_exit(0), std::nullopt) << "the host died on a hostile reload";
  }
  EXPECT_EQ(count_of(host.err(), "configuration reloaded"), 0u);
  // Still the old configuration, and still able to take a good one.
  dir_.write("host.yaml", good_ + "  - name: second\n    plugin: fake-connection\n");
  host.signal(SIGHUP);
  ASSERT_TRUE(host.wait_for_log("configuration reloaded", kWaitMs)) << host.err();
  // `conn` was never touched: only the new connector is created.
  EXPECT_NE(host.err().find("reloaded: 1 connector(s) (re)created, 1 unchanged and still running"),
            std::string::npos)
      << host.err().substr(0, 4000);
  host.signal(SIGTERM);
  EXPECT_EQ(host.wait_exit(kWaitMs), std::optional<int>(0)) << host.err();
}

}  // namespace
}  // namespace chost::integration
