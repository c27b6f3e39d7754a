// rg-sync's config: required Graph app, entitled users, and errors that name the field, the
// schema's (from the host) and the plugin's own.
#include "config.hpp"

#include <gtest/gtest.h>
#include <connector_host/sdk/error.hpp>

#include "complete_config.hpp"

namespace rgsync {
namespace {

// As `run` does: the host validates and completes the config, then the plugin reads it.
Config parse(const char* json) {
  return parse_config(
      boost::json::parse(chost::testing::complete_config(kConfigSchemaJson, json)).as_object());
}

// The host's problems when its schema refuses `json`, else the plugin's refusal.
std::string error_of(const char* json) {
  const chost::config::CompletedConfig c =
      chost::config::complete_plugin_config(kConfigSchemaJson, json);
  std::string host;
  for (const std::string& p : c.problems) host += p + "\n";
  if (!host.empty()) return host;
  try {
    parse_config(boost::json::parse(c.json).as_object());
  } catch (const chp::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RgSyncConfig, DefaultsAndNormalisedLists) {
  Config c = parse(R"({"graph_tenant_id":"contoso.onmicrosoft.com","graph_client_id":"app",
    "graph_client_secret":"s","users":["Ana@Contoso.com","ana@contoso.com","ben@contoso.com"],
    "internal_domains":["@Contoso.com"],"graph_url":"http://127.0.0.1:1/"})");
  EXPECT_EQ(c.users, (std::vector<std::string>{"ana@contoso.com", "ben@contoso.com"}));
  EXPECT_EQ(c.internal_domains, (std::vector<std::string>{"contoso.com"}));
  EXPECT_EQ(c.folders, (std::vector<std::string>{"inbox", "sentitems"}));
  EXPECT_EQ(c.graph.graph_url, "http://127.0.0.1:1");
  EXPECT_EQ(c.graph.login_url, "https://login.microsoftonline.com");
  EXPECT_EQ(c.graph.scope, "https://graph.microsoft.com/.default");
  EXPECT_EQ(c.task_external_id_field, "RG_Message_Id__c");
  EXPECT_EQ(c.page_size, 50u);
}

TEST(RgSyncConfig, ErrorsNameTheField) {
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s"})")
                .find("'users' or 'users_where'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["ana@contoso.com","nobody"]})")
                .find("'users[1]' is not an email address: nobody"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"colour":"red"})")
                .find("config.colour: unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t/../x","graph_client_id":"a",
                         "graph_client_secret":"s","users":["a@b.com"]})")
                .find("'graph_tenant_id'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"task_external_id_field":"x y"})")
                .find("'task_external_id_field'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"folders":["inbox/../x"]})")
                .find("'folders'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"page_size":0})")
                .find("config.page_size: must be at least 1, got integer 0"),
            std::string::npos);
}

TEST(RgSyncConfig, CalendarAndPollingDefaultsAndErrors) {
  Config c = parse(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
    "users":["a@b.com"]})");
  EXPECT_TRUE(c.calendar);
  EXPECT_EQ(c.calendar_window_days_back, 14u);
  EXPECT_EQ(c.calendar_window_days_ahead, 14u);
  EXPECT_EQ(c.event_external_id_field, "RG_Event_Id__c");
  EXPECT_EQ(c.idle_intervals_minutes, (std::vector<std::uint32_t>{0, 30, 60, 120}));
  c = parse(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
    "users":["a@b.com"],"calendar":false,"calendar_window_days_back":3,
    "calendar_window_days_ahead":0,"idle_intervals_minutes":[5,15]})");
  EXPECT_FALSE(c.calendar);
  EXPECT_EQ(c.calendar_window_days_back, 3u);
  EXPECT_EQ(c.calendar_window_days_ahead, 0u);
  EXPECT_EQ(c.idle_intervals_minutes, (std::vector<std::uint32_t>{5, 15}));
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"idle_intervals_minutes":[]})")
                .find("config.idle_intervals_minutes: must have at least 1 items, got 0"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"idle_intervals_minutes":[0,-1]})")
                .find("config.idle_intervals_minutes[1]: must be at least 0, got integer -1"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"event_external_id_field":"x y"})")
                .find("'event_external_id_field'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"graph_tenant_id":"t","graph_client_id":"a","graph_client_secret":"s",
                         "users":["a@b.com"],"calendar":"yes"})")
                .find("config.calendar: expected boolean, got string \"yes\""),
            std::string::npos);
}

}  // namespace
}  // namespace rgsync
