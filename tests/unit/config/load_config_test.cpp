// load_config's diagnostics: every kind of error with its exact position and message, all errors
// collected in one pass, and the HostConfig built from a good file (defaults, paths, capabilities).
#include <gtest/gtest.h>

#include <connector_host/plugin_api.h>

#include <algorithm>
#include <cstdlib>

#include "chost/config/default_plugin_dir.hpp"
#include "chost/config/host_config.hpp"
#include "config_test_util.hpp"

namespace chost::config {
namespace {

using testing::error_lines;
using testing::FakePlugins;
using testing::TempDir;
using Lines = std::vector<std::string>;

class LoadConfigTest : public ::testing::Test {
 protected:
  // Writes `yaml` as host.yaml and loads it; `file_` is the name messages start with.
  LoadReport load(const std::string& yaml) {
    file_ = dir_.write("host.yaml", yaml).string();
    return load_config_report(file_, FakePlugins());
  }
  Lines errors(const std::string& yaml) { return error_lines(load(yaml)); }

  TempDir dir_;
  std::string file_;
};

TEST_F(LoadConfigTest, UnknownKeySuggestsNearestKnownKey) {
  Lines e = errors(
      "connectors:\n"
      "  - name: sf-org\n"
      "    plugin: salesforce\n"
      "    shedule: { every: 15m }\n"
      "    config: { client_id: abc }\n");
  EXPECT_EQ(e, Lines{file_ + ":4:5: error: connector 'sf-org': shedule: unknown key 'shedule'; "
                             "did you mean 'schedule'?"});
}

TEST_F(LoadConfigTest, UnknownTopLevelAndHostKeys) {
  Lines e = errors("host:\n  log: { levle: debug }\nconectors: []\n");
  EXPECT_EQ(e, (Lines{file_ + ":2:10: error: host.log.levle: unknown key 'levle'; did you mean "
                              "'level'?",
                      file_ + ":3:1: error: conectors: unknown key 'conectors'; did you mean "
                              "'connectors'?"}));
}

TEST_F(LoadConfigTest, WrongTypeInPluginConfig) {
  Lines e = errors(
      "connectors:\n"
      "  - name: sf-org\n"
      "    plugin: salesforce\n"
      "    config:\n"
      "      client_id: abc\n"
      "      page_size_records: abc\n");
  EXPECT_EQ(e, Lines{file_ + ":6:26: error: connector 'sf-org': config.page_size_records: "
                             "expected integer, got string \"abc\""});
}

TEST_F(LoadConfigTest, QuotedScalarsStayStringsUnquotedAreTyped) {
  Lines e = errors(
      "connectors:\n"
      "  - name: a\n"
      "    plugin: salesforce\n"
      "    enabled: \"true\"\n"
      "    config: { client_id: 12, api_version: 60.0 }\n");
  EXPECT_EQ(e, (Lines{file_ + ":4:14: error: connector 'a': enabled: expected boolean, got string "
                              "\"true\"",
                      file_ + ":5:26: error: connector 'a': config.client_id: expected string, got "
                              "integer 12",
                      file_ + ":5:43: error: connector 'a': config.api_version: expected string, "
                              "got number 60"}));
}

TEST_F(LoadConfigTest, MissingRequiredPluginKeyPointsAtTheConfig) {
  Lines e = errors("connectors:\n  - name: a\n    plugin: salesforce\n    config: {}\n");
  EXPECT_EQ(e, Lines{file_ + ":4:13: error: connector 'a': config: missing required key "
                             "'client_id'"});
  // Without a config at all, the default {} is validated and the entry is the position.
  e = errors("connectors:\n  - name: a\n    plugin: salesforce\n");
  EXPECT_EQ(e, Lines{file_ + ":2:5: error: connector 'a': config: missing required key "
                             "'client_id'"});
}

TEST_F(LoadConfigTest, UsesCycleIsPrintedOnce) {
  Lines e = errors(
      "connectors:\n"
      "  - name: a\n"
      "    plugin: salesforce\n"
      "    uses: b\n"
      "    config: { client_id: x }\n"
      "  - name: b\n"
      "    plugin: salesforce\n"
      "    uses: c\n"
      "    config: { client_id: x }\n"
      "  - name: c\n"
      "    plugin: salesforce\n"
      "    uses: a\n"
      "    config: { client_id: x }\n"
      "  - name: d\n"
      "    plugin: salesforce\n"
      "    uses: d\n"
      "    config: { client_id: x }\n");
  EXPECT_EQ(e, (Lines{file_ + ":4:11: error: connector 'a': uses: cycle: a -> b -> c -> a",
                      file_ + ":16:11: error: connector 'd': uses: cycle: d -> d"}));
}

TEST_F(LoadConfigTest, ChainIntoACycleReportsOnlyTheCycle) {
  Lines e = errors(
      "connectors:\n"
      "  - { name: x, plugin: salesforce, uses: a, config: { client_id: x } }\n"
      "  - { name: a, plugin: salesforce, uses: b, config: { client_id: x } }\n"
      "  - { name: b, plugin: salesforce, uses: a, config: { client_id: x } }\n");
  EXPECT_EQ(e, Lines{file_ + ":3:42: error: connector 'a': uses: cycle: a -> b -> a"});
}

TEST_F(LoadConfigTest, UnknownPluginSuggestsOrListsLoadedPlugins) {
  Lines e = errors(
      "connectors:\n"
      "  - name: a\n"
      "    plugin: salesfroce\n"
      "  - name: b\n"
      "    plugin: zzz\n");
  EXPECT_EQ(e, (Lines{file_ + ":3:13: error: connector 'a': plugin: unknown plugin 'salesfroce'; "
                              "did you mean 'salesforce'?",
                      file_ + ":5:13: error: connector 'b': plugin: unknown plugin 'zzz' (loaded "
                              "plugins: salesforce, reports)"}));
}

TEST_F(LoadConfigTest, UsesTargetMustExistAndProvideAConnection) {
  std::vector<PluginSchemaInfo> plugins = FakePlugins();
  plugins.push_back({"provider-only", R"({"type":"object"})", CHP_CAP_PROVIDES_CONNECTION});
  file_ = dir_.write("host.yaml",
                     "connectors:\n"
                     "  - { name: sf-org, plugin: salesforce, config: { client_id: x } }\n"
                     "  - { name: r, plugin: reports, uses: sf-ogr }\n"
                     "  - { name: s, plugin: reports, uses: r }\n"
                     "  - { name: p, plugin: provider-only, uses: sf-org }\n")
              .string();
  EXPECT_EQ(error_lines(load_config_report(file_, plugins)),
            (Lines{file_ + ":3:39: error: connector 'r': uses: unknown connector 'sf-ogr'; did "
                           "you mean 'sf-org'?",
                   file_ + ":4:39: error: connector 's': uses: connector 'r' does not provide a "
                           "connection (its plugin 'reports' lacks CHP_CAP_PROVIDES_CONNECTION)",
                   file_ + ":5:45: error: connector 'p': uses: plugin 'provider-only' cannot "
                           "borrow another connector's connection (it lacks "
                           "CHP_CAP_USES_CONNECTION)"}));
}

TEST_F(LoadConfigTest, DuplicateNamesAndBadNames) {
  Lines e = errors(
      "connectors:\n"
      "  - { name: a, plugin: reports }\n"
      "  - { name: a, plugin: reports }\n"
      "  - { name: Bad_Name, plugin: reports }\n");
  EXPECT_EQ(e, (Lines{file_ + ":3:13: error: connector 'a': name: duplicate connector name 'a' "
                              "(first defined at line 2)",
                      file_ + ":4:13: error: connector 'Bad_Name': name: \"Bad_Name\" does not "
                              "match pattern '^[a-z][a-z0-9-]*$'"}));
}

TEST_F(LoadConfigTest, BadDurations) {
  Lines e = errors(
      "host:\n"
      "  timeouts: { sync: 0s }\n"
      "  restart: { initial_backoff: 1h, max_backoff: 1m }\n"
      "connectors:\n"
      "  - { name: a, plugin: reports, schedule: { every: 15x } }\n"
      "  - { name: b, plugin: reports, schedule: { every: 0ms } }\n");
  EXPECT_EQ(e,
            (Lines{file_ + ":2:21: error: host.timeouts.sync: must be greater than 0",
                   file_ + ":3:48: error: host.restart.max_backoff: must not be shorter than "
                           "restart.initial_backoff",
                   file_ + ":5:52: error: connector 'a': schedule.every: invalid duration "
                           "\"15x\": use a whole number and a unit (ms, s, m, h, d), e.g. 30s or "
                           "15m",
                   file_ + ":6:52: error: connector 'b': schedule.every: must be greater than "
                           "0"}));
  // Value checks wait until the host section passes its schema: one mistake, one error.
  e = errors("host:\n  timeouts: { sync: 0s, refresh: 1x }\n");
  EXPECT_EQ(e, Lines{file_ + ":2:34: error: host.timeouts.refresh: invalid duration \"1x\": use a "
                             "whole number and a unit (ms, s, m, h, d), e.g. 30s or 15m"});
}

TEST_F(LoadConfigTest, DailySchedulesAtATimeOfDayInUtcOrAFixedOffset) {
  LoadReport r = load(
      "connectors:\n"
      "  - { name: a, plugin: reports, schedule: { at: \"12:00\", tz: UTC } }\n"
      "  - { name: b, plugin: reports, schedule: { at: \"06:30\", tz: \"+02:00\" } }\n"
      "  - { name: c, plugin: reports, schedule: { at: \"23:59\" } }\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const auto& c = r.config->connectors;
  EXPECT_EQ(c[0].schedule_at, (common::DailyTime{720, 0}));
  EXPECT_FALSE(c[0].schedule_every.has_value());
  EXPECT_EQ(c[1].schedule_at, (common::DailyTime{390, 120}));
  EXPECT_EQ(c[2].schedule_at, (common::DailyTime{1439, 0}));
}

TEST_F(LoadConfigTest, IsolationIsPerConnectorAndInProcessByDefault) {
  LoadReport r = load(
      "connectors:\n"
      "  - { name: a, plugin: reports }\n"
      "  - { name: b, plugin: reports, isolation: process, worker_memory_limit_mb: 64 }\n"
      "  - { name: c, plugin: reports, isolation: in-process }\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const auto& c = r.config->connectors;
  EXPECT_FALSE(c[0].process_isolation);
  EXPECT_EQ(c[0].worker_memory_limit_mb, 1024u);
  EXPECT_TRUE(c[1].process_isolation);
  EXPECT_EQ(c[1].worker_memory_limit_mb, 64u);
  EXPECT_FALSE(c[2].process_isolation);
  Lines e = errors(
      "connectors:\n"
      "  - { name: a, plugin: reports, isolation: docker }\n"
      "  - { name: b, plugin: reports, isolation: process, worker_memory_limit_mb: 8 }\n");
  EXPECT_EQ(e, (Lines{file_ + ":2:44: error: connector 'a': isolation: must be one of "
                              "\"in-process\", \"process\", got string \"docker\"",
                      file_ + ":3:77: error: connector 'b': worker_memory_limit_mb: must be at "
                              "least 16, got integer 8"}));
}

TEST_F(LoadConfigTest, APluginsDefaultScheduleAppliesWhenTheConnectorHasNone) {
  std::vector<PluginSchemaInfo> plugins = FakePlugins();
  plugins.push_back(
      {"daily", R"({"type":"object","x-default-schedule":{"at":"12:00","tz":"UTC"}})", 0});
  file_ = dir_.write("host.yaml",
                     "connectors:\n"
                     "  - { name: a, plugin: daily }\n"
                     "  - { name: b, plugin: daily, schedule: { every: 1h } }\n"
                     "  - { name: c, plugin: reports }\n");
  LoadReport r = load_config_report(file_, plugins);
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const auto& c = r.config->connectors;
  EXPECT_EQ(c[0].schedule_at, (common::DailyTime{720, 0}));
  EXPECT_FALSE(c[1].schedule_at.has_value());  // the connector's own schedule wins
  EXPECT_EQ(c[1].schedule_every, std::chrono::hours(1));
  EXPECT_FALSE(c[2].schedule_at.has_value());
}

TEST_F(LoadConfigTest, BadDailySchedules) {
  Lines e = errors(
      "connectors:\n"
      "  - { name: a, plugin: reports, schedule: { at: \"24:00\" } }\n"
      "  - { name: b, plugin: reports, schedule: { at: \"12:00\", tz: Europe/Berlin } }\n"
      "  - { name: c, plugin: reports, schedule: { at: \"12:00\", every: 1h } }\n"
      "  - { name: d, plugin: reports, schedule: { tz: UTC } }\n"
      "  - { name: e, plugin: reports, schedule: {} }\n");
  EXPECT_EQ(e,
            (Lines{file_ + ":2:49: error: connector 'a': schedule.at: '24:00' is not a time of "
                           "day HH:MM between 00:00 and 23:59",
                   file_ + ":3:62: error: connector 'b': schedule.tz: 'Europe/Berlin' is not UTC "
                           "or a fixed offset like +02:00 or UTC-05:00 (IANA zone names need a "
                           "C++20 time zone database, which this build's standard library lacks)",
                   file_ + ":4:49: error: connector 'c': schedule.at: 'at' and 'every' exclude "
                           "each other: choose one",
                   file_ + ":5:49: error: connector 'd': schedule.tz: 'tz' needs 'at'",
                   file_ + ":6:43: error: connector 'e': schedule: needs 'every' (e.g. 15m) or "
                           "'at' (e.g. \"12:00\", with tz)"}));
}

TEST_F(LoadConfigTest, PostgresNeedsAUrl) {
  Lines e = errors("host:\n  state: { backend: postgres }\n");
  EXPECT_EQ(e, Lines{file_ + ":2:10: error: host.state: missing required key 'url'"});
}

TEST_F(LoadConfigTest, AllErrorsAreCollectedInFileOrder) {
  LoadReport r = load(
      "host:\n"
      "  log: { format: xml }\n"
      "connectors:\n"
      "  - name: a\n"
      "    plugin: nope\n"
      "  - name: b\n"
      "    plugin: salesforce\n"
      "    enabeld: true\n"
      "    config: { client_id: x, page_size_records: 5 }\n");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_EQ(error_lines(r),
            (Lines{file_ + ":2:18: error: host.log.format: must be one of \"text\", \"json\", got "
                           "string \"xml\"",
                   file_ + ":5:13: error: connector 'a': plugin: unknown plugin 'nope' (loaded "
                           "plugins: salesforce, reports)",
                   file_ + ":8:5: error: connector 'b': enabeld: unknown key 'enabeld'; did you "
                           "mean 'enabled'?",
                   file_ + ":9:48: error: connector 'b': config.page_size_records: must be at "
                           "least 200, got integer 5"}));
  // load_config carries the same lines in its one Error.
  Result<HostConfig> result = load_config(file_, FakePlugins());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().cls, ErrorClass::kConfig);
  EXPECT_EQ(std::count(result.error().message.begin(), result.error().message.end(), '\n'), 3);
}

TEST_F(LoadConfigTest, UnusablePluginSchemaNamesThePlugin) {
  std::vector<PluginSchemaInfo> plugins = {
      {"broken", R"({"type":"object","properties":{"a":{"type":"strnig"}}})", 0},
      {"notjson", R"({"type":)", 0}};
  file_ = dir_.write("host.yaml",
                     "connectors:\n  - { name: a, plugin: broken }\n  - { name: b, plugin: broken "
                     "}\n  - { name: c, plugin: notjson }\n")
              .string();
  Lines e = error_lines(load_config_report(file_, plugins));
  ASSERT_EQ(e.size(), 2u);  // once per plugin, not per connector
  EXPECT_EQ(e[0], file_ +
                      ":2:24: error: connector 'a': plugin: plugin 'broken' has an unusable "
                      "config schema: at /properties/a/type: 'type' must name string, integer, "
                      "number, boolean, object, array or null; got \"strnig\"");
  EXPECT_EQ(e[1].rfind(file_ + ":4:24: error: connector 'c': plugin: plugin 'notjson' has a "
                               "config schema that is not valid JSON: ",
                       0),
            0u);
}

// A third party's schema in the standard's own terms: $ref/$defs, oneOf and dependentRequired.
// Its errors land on the line and column of the value, defaults reach the plugin, once.
TEST_F(LoadConfigTest, PluginSchemaWithRefsOneOfAndDependentRequired) {
  std::vector<PluginSchemaInfo> plugins = {
      {"crm", R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
        "$defs":{"page":{"type":"integer","minimum":1,"maximum":2000,"default":200}},
        "additionalProperties":false,
        "properties":{"page_size":{"$ref":"#/$defs/page"},
                      "client_id":{"type":"string"},"client_secret":{"type":"string","x-secret":true},
                      "auth":{"oneOf":[{"title":"token","type":"object","required":["token"]},
                                       {"title":"mtls","type":"object","required":["cert","key"]}]}},
        "dependentRequired":{"client_id":["client_secret"]}})",
       0}};
  file_ = dir_.write("host.yaml",
                     "connectors:\n"
                     "  - name: a\n"
                     "    plugin: crm\n"
                     "    config:\n"
                     "      page_size: lots\n"
                     "      client_id: abc\n"
                     "      auth: { cert: c.pem }\n"
                     "  - name: b\n"
                     "    plugin: crm\n"
                     "    config: { auth: { token: t } }\n")
              .string();
  LoadReport report = load_config_report(file_, plugins);
  EXPECT_EQ(error_lines(report),
            (Lines{file_ + ":5:7: error: connector 'a': config: missing key 'client_secret', "
                           "required with 'client_id'",
                   file_ + ":5:18: error: connector 'a': config.page_size: expected integer, got "
                           "string \"lots\"",
                   file_ + ":7:13: error: connector 'a': config.auth: object matches none of the "
                           "allowed forms (oneOf): form 1 (token): missing required key 'token'; "
                           "form 2 (mtls): missing required key 'key'"}));
  file_ =
      dir_.write("good.yaml",
                 "connectors:\n  - name: b\n    plugin: crm\n    config: { auth: { token: t } }\n")
          .string();
  LoadReport good = load_config_report(file_, plugins);
  ASSERT_TRUE(good.config) << error_lines(good).front();
  EXPECT_EQ(good.config->connectors[0].config_json, R"({"auth":{"token":"t"},"page_size":200})");
}

TEST_F(LoadConfigTest, YamlSyntaxErrorAndUnreadableFile) {
  Lines e = errors("connectors:\n  - name: [a\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("error: invalid YAML"), std::string::npos) << e[0];
  EXPECT_EQ(e[0].rfind(file_ + ":", 0), 0u);

  std::string missing = (dir_.path() / "nope.yaml").string();
  EXPECT_EQ(error_lines(load_config_report(missing, FakePlugins())),
            Lines{missing + ": error: cannot read configuration file: No such file or directory"});
}

// Found by the config_loader fuzzer: a file that is one reference which fails to resolve had no
// host section, but the host value checks still ran and dereferenced a null pointer (SIGSEGV in
// check-config, run and on SIGHUP).
TEST_F(LoadConfigTest, AFileThatIsOneFailedReferenceIsAnErrorNotACrash) {
  unsetenv("CHP_CFGTEST_NOT_SET");
  for (const std::string yaml : {"${env:CHP_CFGTEST_NOT_SET}\n", "\"${env:CHP_CFGTEST_NOT_SET\"\n",
                                 "host\n\f\fconnect_timeout \"${env:CHP_M\n"}) {
    Lines e = errors(yaml);
    ASSERT_EQ(e.size(), 1u) << yaml;
    EXPECT_EQ(e[0].rfind(file_ + ":1:1: error: ", 0), 0u) << e[0];
    EXPECT_FALSE(load_host_section(file_)) << yaml;
  }
}

TEST_F(LoadConfigTest, DefaultsAreFilledEverywhere) {
  LoadReport r =
      load("connectors:\n  - name: a\n    plugin: salesforce\n    config: {client_id: x}\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const HostConfig& c = *r.config;
  using std::chrono::milliseconds;
  EXPECT_EQ(c.host.state.backend, StateBackend::kSqlite);
  EXPECT_EQ(c.host.state.path, dir_.path() / "state" / "host.db");
  EXPECT_FALSE(c.host.master_key.has_value());
  // No plugin_dirs: the install layout's folder beside the running binary, not the config's.
  EXPECT_EQ(c.host.plugin_dirs, std::vector<std::filesystem::path>{default_plugin_dir()});
  EXPECT_FALSE(c.host.allow_world_writable_plugin_dirs);
  EXPECT_EQ(c.host.admin.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.host.admin.public_url, "http://127.0.0.1:8080");
  EXPECT_FALSE(c.host.admin.token.has_value());
  EXPECT_EQ(c.host.log.format, log::Format::kText);
  EXPECT_EQ(c.host.log.level, log::Level::kInfo);
  EXPECT_EQ(c.host.http.proxy, "");
  EXPECT_EQ(c.host.http.ca_file, std::filesystem::path());
  EXPECT_EQ(c.host.http.connect_timeout, milliseconds(10'000));
  EXPECT_EQ(c.host.http.request_timeout, milliseconds(30'000));
  EXPECT_EQ(c.host.literal_secrets, LiteralSecretPolicy::kError);
  EXPECT_EQ(c.host.credentials.refresh_margin, milliseconds(300'000));
  EXPECT_EQ(c.host.credentials.keepalive_idle, milliseconds(3'600'000));
  EXPECT_EQ(c.host.credentials.history_limit_entries, 50);
  EXPECT_EQ(c.host.timeouts.authorize, milliseconds(120'000));
  EXPECT_EQ(c.host.timeouts.refresh, milliseconds(60'000));
  EXPECT_EQ(c.host.timeouts.disable, milliseconds(60'000));
  EXPECT_EQ(c.host.timeouts.sync, milliseconds(900'000));
  EXPECT_EQ(c.host.shutdown_grace, milliseconds(30'000));
  EXPECT_EQ(c.host.restart.initial_backoff, milliseconds(5'000));
  EXPECT_EQ(c.host.restart.max_backoff, milliseconds(600'000));

  ASSERT_EQ(c.connectors.size(), 1u);
  const ConnectorConfig& a = c.connectors[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.plugin, "salesforce");
  EXPECT_TRUE(a.enabled);
  EXPECT_FALSE(a.schedule_every.has_value());
  EXPECT_FALSE(a.uses.has_value());
  EXPECT_EQ(a.config_json,
            R"({"client_id":"x","login_url":"https://login.salesforce.com","api_version":"60.0",)"
            R"("page_size_records":2000,"objects":["Account"]})");
  EXPECT_EQ(a.where.line, 2);
  EXPECT_EQ(a.where.column, 5);
}

TEST_F(LoadConfigTest, ExplicitValuesAndRelativePaths) {
  LoadReport r = load(
      "host:\n"
      "  state: { path: data/../db/h.db }\n"
      "  plugin_dirs: [plug, /opt/chp/plugins]\n"
      "  admin: { listen: \"[::1]:9090\" }\n"
      "  log: { format: json, level: debug }\n"
      "connectors:\n"
      "  - { name: a, plugin: salesforce, enabled: false, schedule: { every: 500ms },\n"
      "      config: { client_id: x } }\n"
      "  - { name: b, plugin: reports, uses: a }\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const HostConfig& c = *r.config;
  EXPECT_EQ(c.source_path, dir_.path() / "host.yaml");
  EXPECT_EQ(c.host.state.path, dir_.path() / "db" / "h.db");
  EXPECT_EQ(c.host.plugin_dirs,
            (std::vector<std::filesystem::path>{dir_.path() / "plug", "/opt/chp/plugins"}));
  EXPECT_EQ(c.host.admin.public_url, "http://[::1]:9090");
  EXPECT_EQ(c.host.log.format, log::Format::kJson);
  EXPECT_EQ(c.host.log.level, log::Level::kDebug);
  ASSERT_EQ(c.connectors.size(), 2u);
  EXPECT_FALSE(c.connectors[0].enabled);
  EXPECT_EQ(c.connectors[0].schedule_every, std::chrono::milliseconds(500));
  EXPECT_EQ(c.connectors[1].uses, "a");
  EXPECT_EQ(c.connectors[1].config_json, "{}");
}

TEST_F(LoadConfigTest, HttpSettingsWithARelativeCaFile) {
  dir_.write("tls/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  LoadReport r = load(
      "host:\n"
      "  http:\n"
      "    proxy: \"http://proxy.internal:3128\"\n"
      "    ca_file: tls/ca.pem\n"
      "    connect_timeout: 2s\n"
      "    request_timeout: 1m\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const HttpConfig& h = r.config->host.http;
  EXPECT_EQ(h.proxy, "http://proxy.internal:3128");
  EXPECT_EQ(h.ca_file, dir_.path() / "tls" / "ca.pem");
  EXPECT_EQ(h.connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(h.request_timeout, std::chrono::minutes(1));
}

// check-config refuses what the HTTP client would refuse at startup, at the key, and never
// prints the proxy URL (it may carry credentials).
TEST_F(LoadConfigTest, BadProxyUrlAndUnreadableCaFile) {
  Lines e = errors(
      "host:\n"
      "  http:\n"
      "    proxy: \"ftp://user:pw-secret@proxy.internal\"\n"
      "    ca_file: missing/ca.pem\n"
      "    connect_timeout: 0s\n"
      "    request_timeout: 2d\n");
  const std::string ca = (dir_.path() / "missing" / "ca.pem").string();
  EXPECT_EQ(e,
            (Lines{file_ + ":3:12: error: host.http.proxy: proxy must be an http://, https:// "
                           "or socks URL with a host",
                   file_ + ":4:14: error: host.http.ca_file: CA file '" + ca + "' cannot be read",
                   file_ + ":5:22: error: host.http.connect_timeout: must be greater than 0",
                   file_ + ":6:22: error: host.http.request_timeout: must be at most 24h"}));
  for (const std::string& line : e) EXPECT_EQ(line.find("pw-secret"), std::string::npos) << line;
  EXPECT_EQ(errors("host:\n  http: { proxy: \"http://\" }\n"),
            Lines{file_ + ":2:18: error: host.http.proxy: proxy must be an http://, https:// or "
                          "socks URL with a host"});
}

TEST_F(LoadConfigTest, ProxyFromASecretReferenceIsRedacted) {
  setenv("CHP_TEST_PROXY", "http://user:pw-proxy-secret@proxy.internal:3128", 1);
  LoadReport r = load("host:\n  http: { proxy: \"${env:CHP_TEST_PROXY}\" }\n");
  unsetenv("CHP_TEST_PROXY");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  EXPECT_EQ(r.config->host.http.proxy, "http://user:pw-proxy-secret@proxy.internal:3128");
  EXPECT_EQ(r.config->secret_values,
            std::vector<std::string>{"http://user:pw-proxy-secret@proxy.internal:3128"});
}

TEST_F(LoadConfigTest, HostSectionAloneIgnoresConnectors) {
  file_ = dir_.write("host.yaml",
                     "host:\n  plugin_dirs: [p]\nconnectors:\n  - { name: a, plugin: unknown }\n")
              .string();
  Result<HostConfig> r = load_host_section(file_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->host.plugin_dirs, std::vector<std::filesystem::path>{dir_.path() / "p"});
  EXPECT_TRUE(r->connectors.empty());

  file_ = dir_.write("bad.yaml", "host:\n  plugin_dir: [p]\n").string();
  Result<HostConfig> bad = load_host_section(file_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, file_ +
                                     ":2:3: error: host.plugin_dir: unknown key 'plugin_dir'; "
                                     "did you mean 'plugin_dirs'?");
}

TEST_F(LoadConfigTest, EmptyFileMeansAllDefaults) {
  LoadReport r = load("");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  EXPECT_TRUE(r.config->connectors.empty());
  EXPECT_EQ(r.config->host.timeouts.sync, std::chrono::minutes(15));

  // Sections whose every line is commented out are YAML null: also "all defaults".
  r = load(
      "host:\n  # log: { level: debug }\nconnectors:\n  - name: a\n    plugin: reports\n"
      "    config:\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  EXPECT_EQ(r.config->host.log.level, log::Level::kInfo);
  ASSERT_EQ(r.config->connectors.size(), 1u);
  EXPECT_EQ(r.config->connectors[0].config_json, "{}");
  // ...but a null where a list item or a value is required is still an error.
  EXPECT_EQ(errors("connectors:\n  -\n"),
            Lines{file_ + ":2:3: error: connectors[0]: expected object, got null"});
}

TEST_F(LoadConfigTest, StatePathThatCannotHoldADatabaseIsRefusedWithoutCreatingIt) {
  dir_.write("state-dir/placeholder", "x");
  dir_.write("a-file", "x");
  Lines e = errors("host:\n  state: { path: ./state-dir }\n");
  EXPECT_EQ(
      e, Lines{file_ + ":2:18: error: host.state.path: '" + (dir_.path() / "state-dir").string() +
               "' is a directory: give the database file, e.g. " +
               (dir_.path() / "state-dir" / "host.db").string()});
  e = errors("host:\n  state: { path: /dev/null }\n");
  EXPECT_EQ(e,
            Lines{file_ + ":2:18: error: host.state.path: '/dev/null' is not a regular file: the "
                          "state needs a database file of its own, e.g. ./state/host.db"});
  e = errors("host:\n  state: { path: a-file/host.db }\n");
  EXPECT_EQ(e, Lines{file_ + ":2:18: error: host.state.path: '" +
                     (dir_.path() / "a-file").string() + "' is not a directory"});
  EXPECT_EQ(errors("host:\n  state: { path: ./new/host.db }\n"), Lines{});
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "new"));
}

TEST_F(LoadConfigTest, ValueRulesOfOtherSubsystemsAreAppliedAtTheValue) {
  setenv("CHP_CFGTEST_BAD_KEY", "short-key", 1);
  HostValueChecks checks;
  checks.master_key = [](const std::string& text) -> Status {
    if (text.size() == 64) return {};
    return Error::config("master key must be 64 hex characters (got " +
                         std::to_string(text.size()) + " characters)");
  };
  checks.admin_listen = [](const std::string& text) -> Status {
    if (text.ends_with(":99999")) return Error::config("the port must be a number 0..65535");
    return {};
  };
  file_ = dir_.write("host.yaml",
                     "host:\n  master_key: ${env:CHP_CFGTEST_BAD_KEY}\n"
                     "  admin: { listen: \"127.0.0.1:99999\" }\n")
              .string();
  EXPECT_EQ(error_lines(load_config_report(file_, FakePlugins(), checks)),
            (Lines{file_ + ":2:15: error: host.master_key: master key must be 64 hex characters "
                           "(got 9 characters)",
                   file_ + ":3:20: error: host.admin.listen: the port must be a number 0..65535"}));
  EXPECT_FALSE(load_host_section(file_, checks));
  EXPECT_TRUE(load_host_section(file_));  // without the rules, nothing is wrong in the file
  unsetenv("CHP_CFGTEST_BAD_KEY");
}

}  // namespace
}  // namespace chost::config

namespace chost::config {
namespace {

class NotifyConfigTest : public ::testing::Test {
 protected:
  LoadReport load(const std::string& yaml) {
    file_ = dir_.write("host.yaml", yaml).string();
    return load_config_report(file_, FakePlugins());
  }
  TempDir dir_;
  std::string file_;
};

TEST_F(NotifyConfigTest, WebhooksWithSecretReferencesAndDefaults) {
  setenv("CHOST_TEST_HOOK_SECRET", "hook-secret-0123456789", 1);
  dir_.write("hook-url", "https://hooks.example/T0/B0/xyz\n");
  LoadReport r = load(
      "host:\n"
      "  notify:\n"
      "    webhooks:\n"
      "      - { name: ops, url: \"${file:hook-url}\", secret: \"${env:CHOST_TEST_HOOK_SECRET}\" "
      "}\n"
      "      - name: pager\n"
      "        url: http://127.0.0.1:9/hook\n"
      "        secret: \"${env:CHOST_TEST_HOOK_SECRET}\"\n"
      "        events: [connection.disconnected]\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const NotifyConfig& n = r.config->host.notify;
  ASSERT_EQ(n.webhooks.size(), 2u);
  EXPECT_EQ(n.webhooks[0].url, "https://hooks.example/T0/B0/xyz");  // a token-bearing URL
  EXPECT_EQ(n.webhooks[0].secret, "hook-secret-0123456789");
  EXPECT_TRUE(n.webhooks[0].events.empty());
  EXPECT_EQ(n.webhooks[1].events, std::vector<std::string>{"connection.disconnected"});
  EXPECT_EQ(n.max_attempts, 12);
  EXPECT_EQ(n.initial_backoff, std::chrono::seconds(10));
  EXPECT_EQ(n.timeout, std::chrono::seconds(10));
  // Both the secret and the URL are redacted from logs.
  const auto& secrets = r.config->secret_values;
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "hook-secret-0123456789"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "https://hooks.example/T0/B0/xyz"),
            secrets.end());
  unsetenv("CHOST_TEST_HOOK_SECRET");
}

TEST_F(NotifyConfigTest, SchemaProblemsAreReportedAtTheirKey) {
  Lines e = error_lines(load(
      "host:\n"
      "  notify:\n"
      "    webhooks:\n"
      "      - name: ops\n"
      "        url: https://hooks.example/x\n"
      "        secret: \"${env:CHOST_TEST_UNSET_HOOK_SECRET}\"\n"
      "        events: [connection.exploded]\n"
      "      - { name: pager, url: \"https://a.example/\", secret: literal-secret-0123456 }\n"));
  ASSERT_EQ(e.size(), 3u) << ::testing::PrintToString(e);
  EXPECT_EQ(e[0], file_ +
                      ":6:17: error: host.notify.webhooks[0].secret: environment variable "
                      "'CHOST_TEST_UNSET_HOOK_SECRET' is not set");
  EXPECT_EQ(e[1].rfind(file_ + ":7:18: error: host.notify.webhooks[0].events[0]: must be one of "
                               "\"connection.disconnected\"",
                       0),
            0u)
      << e[1];
  EXPECT_EQ(e[2], file_ +
                      ":8:59: error: host.notify.webhooks[1].secret: secret written "
                      "literally in the file: use \"${env:NAME}\" or \"${file:PATH}\" instead");
  for (const std::string& line : e) {
    EXPECT_EQ(line.find("literal-secret-0123456"), std::string::npos) << line;
  }
}

TEST_F(NotifyConfigTest, ValueProblemsAreReportedAtTheirKey) {
  setenv("CHOST_TEST_HOOK_SECRET", "hook-secret-0123456789", 1);
  Lines e =
      error_lines(load("host:\n"
                       "  notify:\n"
                       "    webhooks:\n"
                       "      - name: ops\n"
                       "        url: ftp://hooks.example/x\n"
                       "        secret: \"${env:CHOST_TEST_HOOK_SECRET}\"\n"
                       "      - { name: ops, url: \"https://a.example/\", secret: "
                       "\"${env:CHOST_TEST_HOOK_SECRET}\" }\n"
                       "    initial_backoff: 2m\n"
                       "    max_backoff: 1m\n"
                       "    timeout: 0s\n"));
  EXPECT_EQ(e, (Lines{file_ + ":5:14: error: host.notify.webhooks[0].url: must be an http:// or "
                              "https:// URL",
                      file_ + ":7:17: error: host.notify.webhooks[1].name: webhook name 'ops' is "
                              "used twice",
                      file_ + ":9:18: error: host.notify.max_backoff: must not be shorter than "
                              "notify.initial_backoff",
                      file_ + ":10:14: error: host.notify.timeout: must be greater than 0"}));
  unsetenv("CHOST_TEST_HOOK_SECRET");
}

}  // namespace
}  // namespace chost::config
