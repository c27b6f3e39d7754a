// The rg-sync connector's configuration: its JSON Schema (what admins see and the host
// validates) and the parsed, checked form the sync uses.
#ifndef PLUGINS_RG_SYNC_CONFIG_HPP_
#define PLUGINS_RG_SYNC_CONFIG_HPP_

#include <connector_host/sdk/salesforce/client.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace rgsync {

// Microsoft Graph app-only access (client credentials) for reading the mailboxes.
struct GraphApp {
  std::string login_url;  // no trailing slash
  std::string graph_url;  // no trailing slash
  std::string scope;      // national clouds differ
  std::string tenant_id;  // GUID or verified domain
  std::string client_id;
  std::string client_secret;  // resolved secret; never logged
};

// The schema's defaults are filled in by the host; none is repeated here.
struct Config {
  GraphApp graph;
  std::vector<std::string> users;  // entitled end users' emails, lower-case, de-duplicated
  std::string users_where;         // optional SOQL condition on User selecting more of them
  std::vector<std::string> internal_domains;    // lower-case; an address here is internal
  std::vector<std::string> blocklist;           // lower-case addresses or "@domain" never logged
  std::vector<std::string> folders;             // well-known names or ids
  std::string task_external_id_field;           // Task external id field
  bool calendar = false;                        // calendarView/delta too
  std::uint32_t calendar_window_days_back = 0;  // the window: [today - back, today + ahead]
  std::uint32_t calendar_window_days_ahead = 0;
  std::string event_external_id_field;  // Event external id field
  // Minutes between polls of a user after 0, 1, 2, ... idle syncs in a row; 0 = every cycle.
  std::vector<std::uint32_t> idle_intervals_minutes;
  std::uint32_t page_size = 0;                   // Prefer: odata.maxpagesize for delta pages
  std::uint32_t snippet_chars = 0;               // of bodyPreview put into Task.Description
  std::uint32_t mailbox_requests_per_10min = 0;  // Outlook's per-mailbox, per-app limit
  // The Salesforce client of the connection this connector uses: the configured api_version,
  // the SDK's defaults for the rest.
  chp::salesforce::ClientOptions salesforce;
};

// `config` as the host hands it over: validated, with the schema's defaults. Throws
// chp::ConfigError naming the field for what the schema cannot say.
Config parse_config(const boost::json::object& config);

extern const char kConfigSchemaJson[];

}  // namespace rgsync

#endif  // PLUGINS_RG_SYNC_CONFIG_HPP_
