// The .deb as ops install it: built by scripts/package (the package.build fixture), unpacked with
// `dpkg -x` into a throwaway root (no dpkg database, no root needed), and the installed binary run
// from there. It must find its plugins in <root>/usr/lib/connector-host/plugins with no plugin_dirs
// configured.
#include <gtest/gtest.h>

#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    if (fs::exists(fs::path(dirs.substr(start, end - start)) / program)) return true;
    start = end + 1;
  }
  return false;
}

CommandResult run(const fs::path& dir, const std::string& program,
                  const std::vector<std::string>& args, const std::string& tag,
                  int timeout_ms = 60'000) {
  HostProcess p(dir, args, tag, program);
  CommandResult r;
  r.exit_code = p.wait_exit(timeout_ms).value_or(-1);
  r.out = p.out();
  r.err = p.err();
  return r;
}

class InstalledPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("dpkg-deb") || !on_path("dpkg-shlibdeps")) {
      GTEST_SKIP() << "dpkg-deb/dpkg-shlibdeps not found (package dpkg-dev): no .deb to test";
    }
    // The package.build fixture ran scripts/package before this test.
    for (const auto& entry : fs::directory_iterator(PACKAGE_DIR)) {
      if (entry.path().extension() == ".deb") deb_ = entry.path();
    }
    ASSERT_FALSE(deb_.empty()) << "no .deb in " << PACKAGE_DIR << " (run scripts/package)";
    root_ = dir_.path() / "root";
    CommandResult x = run(dir_.path(), "/usr/bin/dpkg", {"-x", deb_.string(), root_}, "dpkg");
    ASSERT_EQ(x.exit_code, 0) << x.err;
    host_ = root_ / "usr" / "bin" / "connector-host";
    ASSERT_TRUE(fs::exists(host_)) << host_;
  }

  CommandResult host(const std::vector<std::string>& args, const std::string& tag) {
    return run(dir_.path(), host_.string(), args, tag);
  }

  TempDir dir_;
  fs::path deb_;
  fs::path root_;
  fs::path host_;
};

TEST_F(InstalledPackageTest, VersionPluginsAndCheckConfigWorkFromTheUnpackedRoot) {
  CommandResult v = host({"--version"}, "version");
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out.rfind(std::string("connector-host ") + CHOST_VERSION + " ", 0), 0u) << v.out;

  // No --plugin-dir: the installed default, relative to the unpacked binary.
  const fs::path plugin_dir = root_ / "usr" / "lib" / "connector-host" / "plugins";
  CommandResult p = host({"plugins"}, "plugins");
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  for (const char* name : {"salesforce", "rg-sync", "rollworks"}) {
    EXPECT_NE(p.out.find((plugin_dir / (std::string(name) + ".so")).string()), std::string::npos)
        << name << "\n"
        << p.out;
  }

  // Every installed example: their build-tree plugin_dirs line is commented out on install, so
  // the plugins come from the installed default folder.
  for (const auto& [name, value] :
       {std::pair<const char*, const char*>{"CHP_MASTER_KEY",
                                            "00112233445566778899aabbccddeeff"
                                            "00112233445566778899aabbccddeeff"},
        {"CHP_ADMIN_TOKEN", "package-test-admin-token"},
        {"SF_CLIENT_ID", "3MVG9example"},
        {"SF_CLIENT_SECRET", "example-secret"},
        {"GRAPH_CLIENT_ID", "11111111-2222-4333-8444-555555555555"},
        {"GRAPH_CLIENT_SECRET", "example-graph-secret"},
        {"DEMO_SF_LOGIN_URL", "http://127.0.0.1:9"},
        {"DEMO_SF_CLIENT_SECRET", "demo-consumer-secret"},
        {"DEMO_GRAPH_URL", "http://127.0.0.1:9"},
        {"DEMO_GRAPH_CLIENT_SECRET", "demo-graph-secret"},
        {"DEMO_RW_URL", "http://127.0.0.1:9"},
        {"DEMO_RW_API_KEY", "demo-rollworks-key"},
        {"ROLLWORKS_API_KEY", "example-rollworks-key"},
        {"CHP_NOTIFY_SECRET", "example-notify-secret-0123"}}) {
    setenv(name, value, 1);
  }
  const fs::path configs = root_ / "usr" / "share" / "connector-host" / "configs";
  ASSERT_TRUE(fs::exists(configs / "host.example.yaml"));
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml") continue;
    // A Kubernetes manifest names the host config it runs ("# host config: ..."), and that one
    // (sidecar.yaml) reads its secrets as files the manifest mounts: both are checked, with
    // those files in place, by integration.ShippedConfigsTest.
    const std::string text = read_file(entry.path());
    if (text.find("# host config: ") != std::string::npos ||
        text.find("${file:secrets/") != std::string::npos) {
      continue;
    }
    ++checked;
    CommandResult c = host({"check-config", "-c", entry.path().string()}, "check");
    EXPECT_EQ(c.exit_code, 0) << entry.path() << "\n" << c.out << c.err;
    EXPECT_NE(c.out.find(": ok ("), std::string::npos) << c.out;
  }
  EXPECT_GE(checked, 2);
  EXPECT_TRUE(fs::exists(root_ / "usr" / "share" / "connector-host" / "README.md"));
  // The bash completion the binary generates, where bash-completion loads it on demand.
  const fs::path completion =
      root_ / "usr" / "share" / "bash-completion" / "completions" / "connector-host";
  ASSERT_TRUE(fs::exists(completion));
  EXPECT_NE(read_file(completion).find("complete -o filenames -F _connector_host connector-host"),
            std::string::npos);
}

// The installed host through the demo path: authorize (headless browser flow) and one sync
// against the local Salesforce peer, its plugin from the installed default folder.
TEST_F(InstalledPackageTest, AuthorizesAndSyncsAgainstTheSalesforcePeer) {
  constexpr int kWaitMs = 20000;  // hang guard only
  constexpr const char* kSecret = "pkg-consumer-secret-41d2";
  SalesforcePeerForTest sf = start_salesforce_peer(dir_, kSecret, kWaitMs);
  ASSERT_FALSE(sf.base_url.empty()) << sf.process->err();
  setenv("CHOST_IT_SF_KEY", std::string(64, 'd').c_str(), 1);
  setenv("CHOST_IT_SF_SECRET", kSecret, 1);
  // The shared yaml names the build tree's plugin folder; without it the installed one applies.
  const std::string yaml = std::regex_replace(salesforce_host_yaml(sf),
                                              std::regex("\n  plugin_dirs: \\[[^\\]]*\\]"), "");
  ASSERT_EQ(yaml.find("plugin_dirs"), std::string::npos) << yaml;
  dir_.write("host.yaml", yaml);

  CommandResult auth = host({"authorize", "crm", "-c", "host.yaml", "--follow", "--redirect-port",
                             std::to_string(sf.redirect_port), "--timeout", "30"},
                            "authorize");
  ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  EXPECT_NE(auth.out.find("crm: connected"), std::string::npos) << auth.out;
  CommandResult sync = host({"sync", "crm", "-c", "host.yaml"}, "sync");
  EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_NE(sync.out.find("crm: sync ok"), std::string::npos) << sync.out;

  CommandResult status = host({"status", "-c", "host.yaml", "--json"}, "status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const boost::json::value doc = boost::json::parse(status.out);
  const boost::json::value& crm = doc.at("connectors").as_array().at(0);
  EXPECT_EQ(crm.at("state"), "connected") << crm;
  EXPECT_FALSE(crm.at("last_summary").is_null()) << crm;
  EXPECT_FALSE(crm.at("last_success_at_ms").is_null()) << crm;
  for (const CommandResult* r : {&auth, &sync, &status}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
  }
  sf.process->signal(SIGTERM);
  EXPECT_EQ(sf.process->wait_exit(kWaitMs), std::optional<int>(0));
}

}  // namespace
}  // namespace chost::integration
