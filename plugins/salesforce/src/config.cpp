// Parses and checks the connector config. Object and field names end up inside SOQL and URLs,
// so they are restricted to Salesforce API-name characters here, once.
#include "config.hpp"

#include <connector_host/sdk/config.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/salesforce/api_name.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

namespace sfplugin {

const char kConfigSchemaJson[] = R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "salesforce connector",
  "description": "Mirrors Salesforce objects into the host and optionally writes outbox changes back.",
  "type": "object",
  "required": ["client_id"],
  "additionalProperties": false,
  "properties": {
    "login_url": {"type": "string", "default": "https://login.salesforce.com",
      "description": "OAuth base URL: https://login.salesforce.com, https://test.salesforce.com or the org's My Domain URL."},
    "client_id": {"type": "string", "minLength": 1,
      "description": "Consumer key of the connected app."},
    "client_secret": {"type": "string", "x-secret": true,
      "description": "Consumer secret of the connected app (web_server with a confidential app, client_credentials)."},
    "auth_flow": {"type": "string", "enum": ["web_server", "jwt_bearer", "client_credentials"],
      "default": "web_server",
      "description": "web_server: an admin signs in through the browser (PKCE). jwt_bearer: server-to-server with a certificate. client_credentials: the app's Run As user."},
    "username": {"type": "string",
      "description": "jwt_bearer: the Salesforce username tokens are issued for (use a dedicated integration user)."},
    "private_key_file": {"type": "string",
      "description": "jwt_bearer: path of the PEM RSA private key whose certificate is uploaded to the connected app. The file itself is the secret: keep it readable by the host only."},
    "scopes": {"type": "string", "default": "api refresh_token",
      "description": "Space-separated OAuth scopes requested by the web_server flow."},
    "api_version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]$", "default": "59.0",
      "description": "REST API version, e.g. 59.0."},
    "revoke_on_disable": {"type": "boolean", "default": false,
      "description": "Revoke the refresh token at Salesforce when the connector is disabled."},
    "objects": {"type": "array", "default": [],
      "description": "Objects to mirror. Id, the incremental cursor (SystemModstamp, else LastModifiedDate, else CreatedDate, from describe) and IsDeleted (where the object has it) are always read.",
      "items": {"type": "object", "required": ["name", "fields"], "additionalProperties": false,
        "properties": {
          "name": {"type": "string", "description": "sObject API name, e.g. Account or Foo__c."},
          "fields": {"type": "array", "items": {"type": "string"},
            "description": "Field API names to mirror."},
          "where": {"type": "string",
            "description": "Optional SOQL condition ANDed with the incremental filter."}}}},
    "overlap_seconds": {"type": "integer", "minimum": 0, "default": 300,
      "description": "Each sync re-reads records modified this long before the checkpoint, so records committed late at Salesforce are not missed; re-read records are upserted by Id (no duplicates)."},
    "page_size_records": {"type": "integer", "minimum": 200, "maximum": 2000, "default": 2000,
      "description": "Query batch size (Sforce-Query-Options batchSize); each page commits with its checkpoint."},
    "bulk_threshold_records": {"type": "integer", "minimum": 0, "default": 2000,
      "description": "A full load (no checkpoint yet) of an object with at least this many records goes through a Bulk API 2.0 query job instead of REST pages (Salesforce's guidance: Bulk above about 2,000 records); the first REST page's totalSize decides, so smaller objects cost no extra request. 0 = never. Incrementals always use REST."},
    "bulk_page_records": {"type": "integer", "minimum": 100, "maximum": 100000, "default": 10000,
      "description": "Bulk API 2.0 result set size (maxRecords); each set commits with its job id and locator, so a crash resumes at the next set."},
    "api_usage_threshold_percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100,
      "default": 90,
      "description": "Stop calling Salesforce once this share of the org's daily API quota is used, leaving the rest to other integrations."},
    "reconcile_every_seconds": {"type": "integer", "minimum": 0, "maximum": 1209600,
      "default": 86400,
      "description": "How often (on Salesforce's clock, per object that has IsDeleted) to ask Salesforce's delete log (getDeleted) for deletes the incremental query cannot see: hard deletes (objects without a Recycle Bin such as CampaignMember, an emptied Recycle Bin) and deletes purged from the bin; their mirror rows are tombstoned (is_deleted, data kept). At most 14 days, since the delete log covers 15; a connector offline longer is told so in the sync summary. 0 = never."},
    "reconcile_full_every_seconds": {"type": "integer", "minimum": 0, "default": 604800,
      "description": "How often (on Salesforce's clock, per object that has IsDeleted) to list every Id at Salesforce (SELECT Id pages) and tombstone the mirror rows whose Id is gone: deletes no delete log has (older than 15 days, an emptied Recycle Bin, hard deletes). It also runs whenever the delete log no longer reaches back. 0 = only then."},
    "write_back": {"type": "boolean", "default": false,
      "description": "Push outbox entries to Salesforce (sObject Collections, 200 per call) after each sync."},
    "require": {"type": "object", "additionalProperties": false,
      "description": "What the authorizing user must have; authorize refuses, naming each missing permission, and revokes the new grant. E.g. rg-sync's service account: system_permissions [ApiEnabled, ViewAllData], object_permissions {Task: [Create, Edit]}.",
      "properties": {
        "system_permissions": {"type": "array",
          "items": {"type": "string", "enum": ["ApiEnabled", "ViewAllData", "ModifyAllData",
            "ViewAllUsers", "ManageUsers", "ManageProfilesPermissionsets", "ViewRoles", "ViewSetup"]}},
        "object_permissions": {"type": "object",
          "additionalProperties": {"type": "array", "items": {"type": "string",
            "enum": ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords"]}}},
        "permission_sets": {"type": "array", "items": {"type": "string"},
          "description": "Permission sets (Name or Label) the user must be assigned."}}}
  }
})JSON";

namespace {

ObjectSpec parse_object_spec(const boost::json::value& v, std::size_t index) {
  std::string where = "objects[" + std::to_string(index) + "]";
  const boost::json::object& o = v.as_object();
  ObjectSpec spec;
  spec.name = chp::config_require_string(o, "name");
  if (!chp::salesforce::is_api_name(spec.name)) {
    throw chp::ConfigError("'" + where + ".name' is not a Salesforce API name: " + spec.name);
  }
  spec.fields = {"Id", "SystemModstamp", "IsDeleted"};
  for (const boost::json::value& field : chp::config_array(o, "fields", where)) {
    if (!chp::salesforce::is_api_name(field.as_string())) {
      throw chp::ConfigError("'" + where + ".fields' of " + spec.name +
                             " must hold Salesforce field API names");
    }
    std::string name(field.as_string());
    bool dup = std::any_of(spec.fields.begin(), spec.fields.end(),
                           [&](const std::string& x) { return chp::http::iequals(x, name); });
    if (!dup) spec.fields.push_back(std::move(name));
  }
  spec.where = chp::config_optional_string(o, "where").value_or("");
  return spec;
}

bool is_loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

}  // namespace

// Salesforce's OAuth endpoints live on login.salesforce.com, test.salesforce.com (sandboxes), a
// My Domain (NAME.my.salesforce.com, NAME--SANDBOX.sandbox.my.salesforce.com), an Experience
// Cloud site or a custom URL, always over HTTPS ("All OAuth endpoints require secure HTTP").
// So the login URL is a bare https origin; plain http only for a local peer on loopback. The
// Lightning and Setup hosts admins copy from the browser's address bar serve no OAuth.
std::optional<std::string> login_url_problem(std::string_view url) {
  std::string_view rest = url;
  const bool https = rest.starts_with("https://");
  if (!https && !rest.starts_with("http://")) {
    return "must be an https URL such as https://login.salesforce.com, got \"" + std::string(url) +
           "\"";
  }
  rest.remove_prefix(https ? 8 : 7);
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty()) return "has no host";
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return "must be the login host only (no path, query or fragment): the connector adds "
           "/services/oauth2/...; got \"" +
           std::string(url) + "\"";
  }
  if (rest.find('@') != std::string_view::npos) return "must not carry user credentials";
  std::string host(rest.substr(0, rest.starts_with('[') ? rest.find(']') + 1 : rest.find(':')));
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (!https && !is_loopback_host(host)) {
    return "must use https (Salesforce's OAuth endpoints require it; plain http is accepted "
           "only for a local peer on 127.0.0.1), got \"" +
           std::string(url) + "\"";
  }
  for (std::string_view wrong :
       {".lightning.force.com", ".my.salesforce-setup.com", ".visualforce.com"}) {
    if (host.ends_with(wrong)) {
      return "names " + host +
             ", a Lightning or Setup page host that serves no OAuth; use the org's My Domain "
             "login URL (https://NAME.my.salesforce.com, for a sandbox "
             "https://NAME--SANDBOX.sandbox.my.salesforce.com) or https://test.salesforce.com";
    }
  }
  return std::nullopt;
}

void validate_config(const boost::json::object& config, chp::ConfigProblems& problems) {
  const boost::json::value* login = config.if_contains("login_url");
  if (login == nullptr || !login->is_string()) return;  // the schema's default, or its error
  const std::string_view url = login->as_string();
  if (url.starts_with("${")) return;  // a reference check-config leaves unresolved
  if (std::optional<std::string> problem = login_url_problem(url)) {
    problems.add("/login_url", *problem);
  }
}

chp::salesforce::ClientOptions Config::client_options() const {
  chp::salesforce::ClientOptions o;
  o.api_version = api_version;
  o.api_usage_threshold_percent = api_usage_threshold_percent;
  o.page_size_records = page_size_records;
  return o;
}

// `config` is validated against kConfigSchemaJson and complete with its defaults (the host's
// work): keys, types, enums, ranges and defaults are not checked again here, only what the
// schema cannot say (the flows' own keys, API names, URLs).
Config parse_config(const boost::json::object& config) {
  Config c;
  c.app.login_url = chp::salesforce::trim_trailing_slash(chp::config_string(config, "login_url"));
  if (std::optional<std::string> problem = login_url_problem(c.app.login_url)) {
    throw chp::ConfigError("'login_url' " + *problem);
  }
  c.app.client_id = chp::config_require_string(config, "client_id");
  c.app.client_secret = chp::config_optional_string(config, "client_secret").value_or("");

  const std::string flow = chp::config_string(config, "auth_flow");
  if (flow == "web_server") {
    c.auth_flow = AuthFlow::kWebServer;
  } else if (flow == "jwt_bearer") {
    c.auth_flow = AuthFlow::kJwtBearer;
    c.username = chp::config_require_string(config, "username");
    c.private_key_file = chp::config_require_string(config, "private_key_file");
  } else if (flow == "client_credentials") {
    c.auth_flow = AuthFlow::kClientCredentials;
    if (c.app.client_secret.empty()) {
      throw chp::ConfigError("'client_secret' is required when auth_flow is client_credentials");
    }
  } else {
    throw chp::ConfigError("'auth_flow' must be one of web_server, jwt_bearer, client_credentials");
  }
  if (c.auth_flow != AuthFlow::kJwtBearer) {
    c.username = chp::config_optional_string(config, "username").value_or("");
  }
  c.scopes = chp::config_string(config, "scopes");
  c.api_version = chp::config_string(config, "api_version");
  c.revoke_on_disable = chp::config_bool(config, "revoke_on_disable");
  c.write_back = chp::config_bool(config, "write_back");
  if (const boost::json::value* r = config.if_contains("require"); r && !r->is_null()) {
    const boost::json::object& ro = r->as_object();
    auto names = [](const boost::json::value* v, const std::string& where) {
      std::vector<std::string> out;
      if (v == nullptr) return out;
      for (const boost::json::value& n : v->as_array()) {
        if (n.as_string().empty()) {
          throw chp::ConfigError("'" + where + "' must hold non-empty names");
        }
        out.emplace_back(n.as_string());
      }
      return out;
    };
    c.require.system = names(ro.if_contains("system_permissions"), "require.system_permissions");
    c.require.permission_sets = names(ro.if_contains("permission_sets"), "require.permission_sets");
    if (const boost::json::value* op = ro.if_contains("object_permissions")) {
      for (const auto& [object, perms] : op->as_object()) {
        if (!chp::salesforce::is_api_name(object)) {
          throw chp::ConfigError("'require.object_permissions' has an invalid object name: " +
                                 std::string(object));
        }
        for (std::string& p : names(&perms, "require.object_permissions." + std::string(object))) {
          c.require.objects.emplace_back(std::string(object), std::move(p));
        }
      }
    }
  }
  c.overlap_seconds = chp::config_int(config, "overlap_seconds");
  c.page_size_records = static_cast<std::uint32_t>(chp::config_int(config, "page_size_records"));
  c.bulk_threshold_records = chp::config_int(config, "bulk_threshold_records");
  c.bulk_page_records = static_cast<std::uint32_t>(chp::config_int(config, "bulk_page_records"));
  c.api_usage_threshold_percent =
      chp::config_value(config, "api_usage_threshold_percent").to_number<double>();
  c.reconcile_every_seconds = chp::config_int(config, "reconcile_every_seconds");
  c.reconcile_full_every_seconds = chp::config_int(config, "reconcile_full_every_seconds");
  const boost::json::array& objects = chp::config_array(config, "objects");
  for (std::size_t i = 0; i < objects.size(); ++i) {
    c.objects.push_back(parse_object_spec(objects[i], i));
  }
  return c;
}

}  // namespace sfplugin
