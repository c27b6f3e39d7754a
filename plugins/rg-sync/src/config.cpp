// Parses and checks the rg-sync config. Emails and field names end up inside SOQL and URLs,
// so they are checked here, once.
#include "config.hpp"

#include <connector_host/sdk/config.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/salesforce/api_name.hpp>
#include <connector_host/sdk/salesforce/oauth.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "activity.hpp"

namespace rgsync {

const char kConfigSchemaJson[] = R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "rg-sync connector",
  "description": "Connects every entitled end user to Salesforce through one service connection (the connector this one `uses:`) and syncs their mailboxes, read with Microsoft Graph app-only access, into Salesforce Tasks and their calendars into Salesforce Events, polling quiet users less often.",
  "type": "object",
  "required": ["graph_tenant_id", "graph_client_id", "graph_client_secret"],
  "additionalProperties": false,
  "properties": {
    "graph_tenant_id": {"type": "string", "minLength": 1,
      "description": "Microsoft Entra tenant (directory) id or a verified domain, e.g. contoso.onmicrosoft.com."},
    "graph_client_id": {"type": "string", "minLength": 1,
      "description": "Application (client) id of the Entra app registration with the Mail.Read (and, for calendar, Calendars.Read) application permission."},
    "graph_client_secret": {"type": "string", "x-secret": true,
      "description": "Client secret of that app registration."},
    "graph_login_url": {"type": "string", "default": "https://login.microsoftonline.com",
      "description": "Microsoft identity platform base URL (national clouds differ)."},
    "graph_url": {"type": "string", "default": "https://graph.microsoft.com",
      "description": "Microsoft Graph base URL."},
    "graph_scope": {"type": "string", "default": "https://graph.microsoft.com/.default",
      "description": "Scope of the client-credentials token request (national clouds use their own Graph host, e.g. https://graph.microsoft.us/.default)."},
    "users": {"type": "array", "items": {"type": "string"}, "default": [],
      "description": "Emails of the entitled end users. Each is mapped to the active Salesforce User with that email and to the mailbox with that address."},
    "users_where": {"type": "string",
      "description": "Optional SOQL condition on User selecting more entitled users, re-evaluated every cycle, e.g. \"Department = 'Sales'\". IsActive is always required."},
    "internal_domains": {"type": "array", "items": {"type": "string"}, "default": [],
      "description": "Email domains of the organization. Messages with only internal participants are not logged."},
    "blocklist": {"type": "array", "items": {"type": "string"}, "default": [],
      "description": "Addresses (a@b.com) or domains (@b.com) whose messages are never logged."},
    "folders": {"type": "array", "items": {"type": "string"}, "default": ["inbox", "sentitems"],
      "description": "Mail folders synced per user: well-known names (inbox, sentitems, ...) or folder ids."},
    "task_external_id_field": {"type": "string", "default": "RG_Message_Id__c",
      "description": "External id text field on Task (length >= 40) that makes every write an upsert, so a retried message never becomes a second Task."},
    "calendar": {"type": "boolean", "default": true,
      "description": "Also sync each user's calendar (Graph calendarView/delta over a sliding window) into Salesforce Events. Needs the Calendars.Read application permission."},
    "calendar_window_days_back": {"type": "integer", "minimum": 0, "maximum": 365, "default": 14,
      "description": "Days before today the calendar window starts. The window slides daily: a new delta round starts once its start is more than a day older than this."},
    "calendar_window_days_ahead": {"type": "integer", "minimum": 0, "maximum": 365, "default": 14,
      "description": "Days after today the calendar window ends."},
    "event_external_id_field": {"type": "string", "default": "RG_Event_Id__c",
      "description": "External id text field on Event (length >= 43) that makes every write an upsert, so a re-read meeting never becomes a second Event."},
    "idle_intervals_minutes": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 10080},
      "minItems": 1, "default": [0, 30, 60, 120],
      "description": "Adaptive polling: minutes until a user is polled again after 0, 1, 2, ... syncs in a row that found no changes (0 = every cycle); the last step repeats. A sync that finds changes puts the user back on the first step. Manual syncs and syncs after the connection resumes poll every user."},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50,
      "description": "Messages per Graph delta page (Prefer: odata.maxpagesize). Each page commits with its checkpoint."},
    "mailbox_requests_per_10min": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10000,
      "description": "Requests this connector sends per mailbox in any 10 minutes (Outlook allows an app 10,000); a mailbox that used them waits for the next cycle instead of being throttled."},
    "snippet_chars": {"type": "integer", "minimum": 0, "maximum": 32000, "default": 1000,
      "description": "Characters of the message preview stored in Task.Description."},
    "api_version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]$", "default": "59.0",
      "description": "Salesforce REST API version, e.g. 59.0."}
  }
})JSON";

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> string_list(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  for (const boost::json::value& item : chp::config_array(o, key)) {
    if (item.as_string().empty()) {
      throw chp::ConfigError("'" + std::string(key) + "[" + std::to_string(out.size()) +
                             "]' must be a non-empty string");
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

std::string base_url(const boost::json::object& o, std::string_view key) {
  std::string url = chp::salesforce::trim_trailing_slash(chp::config_string(o, key));
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    throw chp::ConfigError("'" + std::string(key) + "' must be an http(s) URL");
  }
  return url;
}

std::uint32_t count(const boost::json::object& o, std::string_view key) {
  return static_cast<std::uint32_t>(chp::config_int(o, key));  // the schema bounds it
}

bool is_folder_name(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '=';
  });
}

}  // namespace

// `config` is validated against kConfigSchemaJson and complete with its defaults (the host's
// work): keys, types, ranges and defaults are not checked again here, only what the schema
// cannot say (addresses, API names, folder ids, users or users_where).
Config parse_config(const boost::json::object& config) {
  Config c;
  c.graph.tenant_id = chp::config_require_string(config, "graph_tenant_id");
  if (c.graph.tenant_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
      std::string::npos) {
    throw chp::ConfigError("'graph_tenant_id' must be a tenant id or a domain name");
  }
  c.graph.client_id = chp::config_require_string(config, "graph_client_id");
  c.graph.client_secret = chp::config_require_string(config, "graph_client_secret");
  c.graph.login_url = base_url(config, "graph_login_url");
  c.graph.graph_url = base_url(config, "graph_url");
  c.graph.scope = chp::config_string(config, "graph_scope");

  std::size_t i = 0;
  for (const std::string& email : string_list(config, "users")) {
    std::string e = lower(email);
    if (!is_plausible_email(e)) {
      throw chp::ConfigError("'users[" + std::to_string(i) +
                             "]' is not an email address: " + email);
    }
    if (std::find(c.users.begin(), c.users.end(), e) == c.users.end()) c.users.push_back(e);
    ++i;
  }
  c.users_where = chp::config_optional_string(config, "users_where").value_or("");
  if (c.users.empty() && c.users_where.empty()) {
    throw chp::ConfigError("'users' or 'users_where' must name the entitled end users");
  }
  for (const std::string& d : string_list(config, "internal_domains")) {
    std::string dom = lower(d);
    if (dom.starts_with("@")) dom.erase(0, 1);
    c.internal_domains.push_back(dom);
  }
  for (const std::string& b : string_list(config, "blocklist")) c.blocklist.push_back(lower(b));
  c.folders = string_list(config, "folders");
  if (c.folders.empty()) throw chp::ConfigError("'folders' must name at least one folder");
  for (const std::string& f : c.folders) {
    if (!is_folder_name(f)) throw chp::ConfigError("'folders' has an invalid folder: " + f);
  }
  c.task_external_id_field = chp::config_string(config, "task_external_id_field");
  if (!chp::salesforce::is_api_name(c.task_external_id_field)) {
    throw chp::ConfigError("'task_external_id_field' is not a Salesforce field API name: " +
                           c.task_external_id_field);
  }
  c.calendar = chp::config_bool(config, "calendar");
  c.calendar_window_days_back = count(config, "calendar_window_days_back");
  c.calendar_window_days_ahead = count(config, "calendar_window_days_ahead");
  c.event_external_id_field = chp::config_string(config, "event_external_id_field");
  if (!chp::salesforce::is_api_name(c.event_external_id_field)) {
    throw chp::ConfigError("'event_external_id_field' is not a Salesforce field API name: " +
                           c.event_external_id_field);
  }
  for (const boost::json::value& m : chp::config_array(config, "idle_intervals_minutes")) {
    c.idle_intervals_minutes.push_back(static_cast<std::uint32_t>(m.to_number<std::int64_t>()));
  }
  c.page_size = count(config, "page_size");
  c.snippet_chars = count(config, "snippet_chars");
  c.mailbox_requests_per_10min = count(config, "mailbox_requests_per_10min");
  c.salesforce.api_version = chp::config_string(config, "api_version");
  return c;
}

}  // namespace rgsync
