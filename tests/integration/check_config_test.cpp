// `connector-host check-config` and `schema` run as a process: every problem printed with
// file:line:col (or as JSON with --json), exit 3 on errors, 0 on a good file, and the state store
// never touched.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <regex>

#include "host_process.hpp"

namespace chost::integration {
namespace {

class CheckConfigTest : public ::testing::Test {
 protected:
  std::string host_section() const {
    return std::string("host:\n  state: { path: ./state/host.db }\n  plugin_dirs: [") +
           FAKE_PLUGIN_DIR + ", " + GOOD_PLUGIN_DIR + "]\n";
  }
  CommandResult check(const std::string& yaml) {
    dir_.write("host.yaml", yaml);
    return run_host_command(dir_.path(), {"check-config", "-c", "host.yaml"}, "check");
  }
  // True when some line of `text` is "host.yaml:<line>:<col>: error: " followed by `pattern`.
  static bool has_error(const std::string& text, int line, const std::string& pattern) {
    const std::regex re("(^|\n)host\\.yaml:" + std::to_string(line) + ":[0-9]+: error: .*" +
                        pattern);
    return std::regex_search(text, re);
  }

  TempDir dir_;
};

TEST_F(CheckConfigTest, GoodFileExitsZeroWithoutCreatingState) {
  CommandResult r = check(host_section() +
                          "connectors:\n"
                          "  - name: conn\n"
                          "    plugin: fake-connection\n"
                          "  - name: labels\n"
                          "    plugin: test-good\n"
                          "    config: { label: hello }\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok (2 connector(s)"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state")) << "check-config opened the store";
}

TEST_F(CheckConfigTest, TypoWrongTypeMissingEnvAndCycleAreAllReportedWithPositions) {
  unsetenv("CHOST_INTEGRATION_UNSET_VAR");
  CommandResult r = check(host_section() +                                         // lines 1-3
                          "connectors:\n"                                          // 4
                          "  - name: labels\n"                                     // 5
                          "    plugin: test-good\n"                                // 6
                          "    shedule: { every: 1m }\n"                           // 7: typo
                          "    config: { label: 5 }\n"                             // 8: wrong type
                          "  - name: a\n"                                          // 9
                          "    plugin: fake-connection\n"                          // 10
                          "    uses: b\n"                                          // 11: cycle
                          "    config:\n"                                          // 12
                          "      token: \"${env:CHOST_INTEGRATION_UNSET_VAR}\"\n"  // 13: env
                          "  - name: b\n"                                          // 14
                          "    plugin: fake-connection\n"                          // 15
                          "    uses: a\n");                                        // 16
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;                                     // config invalid
  EXPECT_TRUE(has_error(r.out, 7, "shedule")) << r.out;
  EXPECT_TRUE(has_error(r.out, 8, "label.*expected string")) << r.out;
  EXPECT_TRUE(has_error(r.out, 13, "CHOST_INTEGRATION_UNSET_VAR")) << r.out;
  EXPECT_TRUE(has_error(r.out, 11, "cycle")) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state"));
}

TEST_F(CheckConfigTest, UnknownPluginIsAnErrorAndBadPluginFilesAreWarnings) {
  CommandResult r = check(host_section() + "connectors:\n  - { name: x, plugin: no-such }\n");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;  // config invalid
  EXPECT_TRUE(has_error(r.out, 5, "no-such")) << r.out;
}

TEST_F(CheckConfigTest, JsonListsDiagnosticsWithPositionPathAndSeverity) {
  dir_.write("host.yaml", host_section() +                  // lines 1-3
                              "connectors:\n"               // 4
                              "  - name: labels\n"          // 5
                              "    plugin: test-good\n"     // 6
                              "    config: { label: 5 }\n"  // 7: wrong type
                              "  - { name: x, plugin: no-such }\n");
  CommandResult r =
      run_host_command(dir_.path(), {"check-config", "-c", "host.yaml", "--json"}, "check");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const boost::json::value doc = boost::json::parse(r.out);
  EXPECT_EQ(doc.at("ok"), false);
  EXPECT_EQ(doc.at("file"), "host.yaml");
  const boost::json::array& diags = doc.at("diagnostics").as_array();
  bool label = false;
  bool plugin = false;
  for (const boost::json::value& d : diags) {
    EXPECT_EQ(d.at("file"), "host.yaml") << d;
    EXPECT_EQ(d.at("severity"), "error") << d;
    const std::string message(d.at("message").as_string());
    EXPECT_EQ(message.find("host.yaml:"), std::string::npos) << "position repeated: " << d;
    if (d.at("line") == 7 && d.at("path") == "connectors.labels.config.label") label = true;
    if (d.at("line") == 8 && message.find("no-such") != std::string::npos) plugin = true;
    EXPECT_GT(d.at("column").as_int64(), 0) << d;
  }
  EXPECT_TRUE(label) << r.out;
  EXPECT_TRUE(plugin) << r.out;

  CommandResult good =
      check(host_section() + "connectors:\n  - { name: c, plugin: fake-connection }\n");
  ASSERT_EQ(good.exit_code, 0) << good.out;
  dir_.write("host.yaml",
             host_section() + "connectors:\n  - { name: c, plugin: fake-connection }\n");
  good = run_host_command(dir_.path(), {"check-config", "--json", "-c", "host.yaml"}, "check");
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  const boost::json::value ok = boost::json::parse(good.out);
  EXPECT_EQ(ok.at("ok"), true);
  EXPECT_EQ(ok.at("connectors"), 1);
  EXPECT_TRUE(ok.at("diagnostics").as_array().empty()) << good.out;
}

TEST_F(CheckConfigTest, PluginsJsonListsEachPluginWithItsCapabilities) {
  CommandResult r = run_host_command(
      dir_.path(), {"plugins", "--json", "--plugin-dir", FAKE_PLUGIN_DIR}, "plugins");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const boost::json::value doc = boost::json::parse(r.out);
  EXPECT_TRUE(doc.at("errors").as_array().empty()) << r.out;
  bool found = false;
  for (const boost::json::value& p : doc.at("plugins").as_array()) {
    if (p.at("name") != "fake-connection") continue;
    found = true;
    EXPECT_EQ(std::string(p.at("abi").as_string()).substr(0, 2), "1.") << p;
    EXPECT_FALSE(p.at("capabilities").as_array().empty()) << p;
    EXPECT_NE(std::string(p.at("file").as_string()).find(FAKE_PLUGIN_DIR), std::string::npos);
  }
  EXPECT_TRUE(found) << r.out;
}

TEST_F(CheckConfigTest, PluginInfoJsonCarriesTheDescriptorAndTheParsedSchema) {
  const std::string file = std::string(FAKE_PLUGIN_DIR) + "/fake_connection_plugin.so";
  CommandResult r = run_host_command(dir_.path(), {"plugin-info", "--json", file}, "info");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const boost::json::value doc = boost::json::parse(r.out);
  EXPECT_EQ(doc.at("name"), "fake-connection");
  EXPECT_EQ(doc.at("file").as_string(), file);
  EXPECT_GT(doc.at("descriptor_size_bytes").as_int64(), 0);
  EXPECT_FALSE(doc.at("hooks").as_array().empty()) << r.out;
  EXPECT_TRUE(doc.at("config_schema").is_object() || doc.at("config_schema").is_bool()) << r.out;
}

TEST_F(CheckConfigTest, SchemaIncludesEveryPluginSchema) {
  CommandResult r = run_host_command(
      dir_.path(), {"schema", "--plugin-dir", FAKE_PLUGIN_DIR, "--plugin-dir", GOOD_PLUGIN_DIR},
      "schema");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"fake-connection\""), std::string::npos);
  EXPECT_NE(r.out.find("\"test-good\""), std::string::npos);
  EXPECT_NE(r.out.find("\"label\""), std::string::npos);  // test-good's config property
}

// What `run` refuses at startup, check-config refuses too, at the line, without the state.
TEST_F(CheckConfigTest, CheckConfigRefusesWhatRunRefuses) {
  setenv("CHOST_IT_SHORT_KEY", "0123456789abcdef", 1);
  std::filesystem::create_directories(dir_.path() / "state-dir");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"  admin: { listen: \"127.0.0.1:99999\" }\n", "host.admin.listen: .*0\\.\\.65535"},
      {"  master_key: \"${env:CHOST_IT_SHORT_KEY}\"\n", "host.master_key: master key must be"},
      {"  log: { level: \"caf\xe9\" }\n", "invalid UTF-8"},
      {"  state: { path: /dev/null }\n", "host.state.path: '/dev/null' is not a regular file"},
      {"  state: { path: ./state-dir }\n", "host.state.path: .* is a directory"},
  };
  for (const auto& [line, pattern] : cases) {
    SCOPED_TRACE(line);
    const std::string yaml = std::string("host:\n") + line + "  plugin_dirs: [" + FAKE_PLUGIN_DIR +
                             "]\nconnectors:\n  - name: conn\n    plugin: fake-connection\n";
    CommandResult r = check(yaml);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;  // config invalid
    EXPECT_TRUE(has_error(r.out, 2, pattern)) << r.out;
    CommandResult run = run_host_command(dir_.path(), {"run", "-c", "host.yaml"}, "run");
    EXPECT_EQ(run.exit_code, 3) << run.err;  // config invalid, as check-config
    EXPECT_TRUE(std::regex_search(run.err, std::regex("host\\.yaml:2:[0-9]+: error: .*" + pattern)))
        << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state")) << "check-config opened the store";
  unsetenv("CHOST_IT_SHORT_KEY");
}

}  // namespace
}  // namespace chost::integration
