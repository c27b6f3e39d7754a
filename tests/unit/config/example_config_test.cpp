// The shipped example file loads cleanly against a fake `salesforce` plugin, and the combined
// JSON Schema (for `connector-host schema`) is a usable schema that accepts the example and
// rejects what the loader rejects.
#include <gtest/gtest.h>

#include <connector_host/plugin_api.h>

#include <boost/json.hpp>

#include <cstdlib>

#include "chost/config/host_config.hpp"
#include "config_test_util.hpp"
#include "json_schema.hpp"
#include "yaml_document.hpp"

// The shipped plugins' real JSON Schemas (plugins/*/src/config.cpp).
namespace sfplugin {
extern const char kConfigSchemaJson[];
}
namespace rgsync {
extern const char kConfigSchemaJson[];
}
namespace rollworks {
extern const char kConfigSchemaJson[];
}

namespace chost::config {
namespace {

namespace json = boost::json;
using testing::error_lines;

// The plugins the example names, with their real schemas and capabilities.
std::vector<PluginSchemaInfo> example_plugins() {
  return {PluginSchemaInfo{
              "salesforce", sfplugin::kConfigSchemaJson,
              CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_INTERACTIVE_AUTHORIZE | CHP_CAP_WRITE_BACK},
          PluginSchemaInfo{"rg-sync", rgsync::kConfigSchemaJson, CHP_CAP_USES_CONNECTION},
          PluginSchemaInfo{"rollworks", rollworks::kConfigSchemaJson, CHP_CAP_USES_CONNECTION}};
}

class ExampleConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("CHP_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
    setenv("CHP_ADMIN_TOKEN", "example-admin-token-0123", 1);
    setenv("SF_CLIENT_ID", "3MVG9example", 1);
    setenv("SF_CLIENT_SECRET", "example-client-secret", 1);
    setenv("GRAPH_CLIENT_ID", "11111111-2222-4333-8444-555555555555", 1);
    setenv("GRAPH_CLIENT_SECRET", "example-graph-secret", 1);
    setenv("ROLLWORKS_API_KEY", "example-rollworks-key", 1);
    setenv("CHP_NOTIFY_SECRET", "example-notify-secret-0123", 1);
  }
  void TearDown() override {
    for (const char* n :
         {"CHP_MASTER_KEY", "CHP_ADMIN_TOKEN", "SF_CLIENT_ID", "SF_CLIENT_SECRET",
          "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET", "ROLLWORKS_API_KEY", "CHP_NOTIFY_SECRET"}) {
      unsetenv(n);
    }
  }
};

TEST_F(ExampleConfigTest, ExampleFileLoads) {
  LoadReport r = load_config_report(CHP_EXAMPLE_CONFIG, example_plugins());
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  EXPECT_TRUE(r.diagnostics.empty());
  const HostConfig& c = *r.config;
  std::filesystem::path dir = std::filesystem::path(CHP_EXAMPLE_CONFIG).parent_path();
  EXPECT_EQ(c.host.state.path, dir / "state" / "host.db");
  EXPECT_EQ(c.host.plugin_dirs, std::vector<std::filesystem::path>{
                                    (dir / ".." / "build" / "dev" / "plugins").lexically_normal()});
  EXPECT_EQ(c.host.admin.token, "example-admin-token-0123");
  EXPECT_EQ(c.host.admin.public_url, "http://127.0.0.1:8080");
  ASSERT_EQ(c.connectors.size(), 4u);
  EXPECT_EQ(c.connectors[0].name, "sf-org");
  EXPECT_EQ(c.connectors[0].schedule_every, std::chrono::minutes(15));
  EXPECT_EQ(c.connectors[1].name, "sf-sandbox");
  EXPECT_FALSE(c.connectors[1].enabled);
  EXPECT_FALSE(c.connectors[1].uses);
  EXPECT_EQ(c.connectors[1].schedule_every, std::chrono::hours(1));
  EXPECT_EQ(c.connectors[2].name, "rg-sync");
  EXPECT_EQ(c.connectors[2].uses, "sf-org");
  EXPECT_EQ(c.connectors[2].config_json_redacted.find("example-graph-secret"), std::string::npos);
  EXPECT_EQ(c.connectors[0].config_json_redacted.find("example-client-secret"), std::string::npos);
  EXPECT_EQ(c.connectors[3].name, "rollworks");
  EXPECT_EQ(c.connectors[3].schedule_at, (common::DailyTime{720, 0}));
  ASSERT_EQ(c.host.notify.webhooks.size(), 1u);
  EXPECT_EQ(c.host.notify.webhooks[0].name, "ops");
  EXPECT_EQ(c.host.notify.webhooks[0].secret, "example-notify-secret-0123");
  EXPECT_EQ(c.host.notify.webhooks[0].events,
            (std::vector<std::string>{"connection.disconnected", "connection.recovered",
                                      "subjects.disabled"}));
  EXPECT_EQ(c.host.notify.max_attempts, 12);
  EXPECT_EQ(c.host.notify.initial_backoff, std::chrono::seconds(10));
  EXPECT_EQ(c.host.notify.max_backoff, std::chrono::hours(1));
  EXPECT_EQ(c.host.notify.timeout, std::chrono::seconds(10));
  // key, admin token, notify secret, SF id + secret, Graph id + secret, RollWorks key
  EXPECT_EQ(c.secret_values.size(), 8u);
}

TEST_F(ExampleConfigTest, HostSchemaIsAUsableSchema) {
  json::value schema = json::parse(host_schema_json());
  EXPECT_EQ(check_schema(schema), std::vector<std::string>{});
}

TEST_F(ExampleConfigTest, CombinedSchemaValidatesTheExample) {
  boost::system::error_code ec;
  json::value schema = json::parse(combined_schema(example_plugins()), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(check_schema(schema), std::vector<std::string>{});
  EXPECT_EQ(
      schema.at("properties").at("connectors").at("items").at("properties").at("plugin").at("enum"),
      (json::array{"salesforce", "rg-sync", "rollworks"}));

  YamlDocument doc = parse_yaml_file(CHP_EXAMPLE_CONFIG);
  ASSERT_TRUE(doc.parsed);
  ValidationResult ok = validate_instance(schema, doc.root);
  for (const SchemaIssue& i : ok.issues) ADD_FAILURE() << i.pointer << ": " << i.message;

  // The plugin's schema is really plugged in: a bad plugin value is caught by the combined schema.
  json::value bad = json::parse(
      R"({"connectors":[{"name":"a","plugin":"salesforce","config":{"page_size_records":"x"}}]})");
  std::vector<std::string> issues;
  for (const SchemaIssue& i : validate_instance(schema, bad).issues) {
    issues.push_back(i.pointer + ": " + i.message);
  }
  EXPECT_EQ(issues, (std::vector<std::string>{
                        "/connectors/0/config: missing required key 'client_id'",
                        "/connectors/0/config/page_size_records: expected integer, got string "
                        "\"x\""}));
}

TEST_F(ExampleConfigTest, CombinedSchemaSkipsUnusablePluginSchemas) {
  json::value schema = json::parse(combined_schema({{"broken", R"({"type":)", 0}}));
  EXPECT_EQ(check_schema(schema), std::vector<std::string>{});
  json::value doc = json::parse(R"({"connectors":[{"name":"a","plugin":"broken","config":{}}]})");
  EXPECT_TRUE(validate_instance(schema, doc).ok());
}

}  // namespace
}  // namespace chost::config
