// Parses and checks the connector config. Object and field names end up inside SOQL and URLs,
// so they are restricted to Salesforce API-name characters here, once.
#include "config.hpp"

#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/salesforce/api_name.hpp>

#include <algorithm>
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

bool optional_bool(const boost::json::object& o, std::string_view key, bool fallback) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) throw chp::ConfigError("'" + std::string(key) + "' must be true or false");
  return v->as_bool();
}

double optional_number(const boost::json::object& o, std::string_view key, double fallback) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_number()) return v->to_number<double>();
  throw chp::ConfigError("'" + std::string(key) + "' must be a number");
}

ObjectSpec parse_object_spec(const boost::json::value& v, std::size_t index) {
  std::string where = "objects[" + std::to_string(index) + "]";
  if (!v.is_object()) throw chp::ConfigError("'" + where + "' must be an object");
  const boost::json::object& o = v.as_object();
  ObjectSpec spec;
  spec.name = chp::require_string(o, "name");
  if (!chp::salesforce::is_api_name(spec.name)) {
    throw chp::ConfigError("'" + where + ".name' is not a Salesforce API name: " + spec.name);
  }
  spec.fields = {"Id", "SystemModstamp", "IsDeleted"};
  const boost::json::value* f = o.if_contains("fields");
  if (f == nullptr || !f->is_array()) {
    throw chp::ConfigError("'" + where + ".fields' is required and must be an array of names");
  }
  for (const boost::json::value& field : f->as_array()) {
    if (!field.is_string() || !chp::salesforce::is_api_name(field.as_string())) {
      throw chp::ConfigError("'" + where + ".fields' of " + spec.name +
                             " must hold Salesforce field API names");
    }
    std::string name(field.as_string());
    bool dup = std::any_of(spec.fields.begin(), spec.fields.end(),
                           [&](const std::string& x) { return chp::http::iequals(x, name); });
    if (!dup) spec.fields.push_back(std::move(name));
  }
  spec.where = chp::optional_string(o, "where").value_or("");
  return spec;
}

}  // namespace

chp::salesforce::ClientOptions Config::client_options() const {
  chp::salesforce::ClientOptions o;
  o.api_version = api_version;
  o.api_usage_threshold_percent = api_usage_threshold_percent;
  o.page_size_records = page_size_records;
  return o;
}

Config parse_config(const boost::json::object& config) {
  static constexpr std::string_view kKnown[] = {"login_url",
                                                "client_id",
                                                "client_secret",
                                                "auth_flow",
                                                "username",
                                                "private_key_file",
                                                "scopes",
                                                "api_version",
                                                "revoke_on_disable",
                                                "objects",
                                                "overlap_seconds",
                                                "page_size_records",
                                                "api_usage_threshold_percent",
                                                "bulk_threshold_records",
                                                "bulk_page_records",
                                                "write_back",
                                                "require"};
  for (const auto& member : config) {
    if (std::find(std::begin(kKnown), std::end(kKnown), member.key()) == std::end(kKnown)) {
      throw chp::ConfigError("unknown field '" + std::string(member.key()) + "'");
    }
  }
  Config c;
  c.app.login_url = chp::salesforce::trim_trailing_slash(
      chp::optional_string(config, "login_url").value_or("https://login.salesforce.com"));
  if (!c.app.login_url.starts_with("https://") && !c.app.login_url.starts_with("http://")) {
    throw chp::ConfigError("'login_url' must be an http(s) URL");
  }
  c.app.client_id = chp::require_string(config, "client_id");
  c.app.client_secret = chp::optional_string(config, "client_secret").value_or("");

  std::string flow = chp::optional_string(config, "auth_flow").value_or("web_server");
  if (flow == "web_server") {
    c.auth_flow = AuthFlow::kWebServer;
  } else if (flow == "jwt_bearer") {
    c.auth_flow = AuthFlow::kJwtBearer;
    c.username = chp::require_string(config, "username");
    c.private_key_file = chp::require_string(config, "private_key_file");
  } else if (flow == "client_credentials") {
    c.auth_flow = AuthFlow::kClientCredentials;
    if (c.app.client_secret.empty()) {
      throw chp::ConfigError("'client_secret' is required when auth_flow is client_credentials");
    }
  } else {
    throw chp::ConfigError("'auth_flow' must be one of web_server, jwt_bearer, client_credentials");
  }
  if (c.auth_flow != AuthFlow::kJwtBearer) {
    c.username = chp::optional_string(config, "username").value_or("");
  }
  c.scopes = chp::optional_string(config, "scopes").value_or(c.scopes);
  c.api_version = chp::optional_string(config, "api_version").value_or(c.api_version);
  {
    const std::string& v = c.api_version;
    std::size_t dot = v.find('.');
    bool ok = dot != std::string::npos && dot > 0 && dot + 1 < v.size() &&
              std::all_of(v.begin(), v.end(),
                          [](unsigned char ch) { return std::isdigit(ch) || ch == '.'; }) &&
              v.find('.', dot + 1) == std::string::npos;
    if (!ok) throw chp::ConfigError("'api_version' must look like 59.0");
  }
  c.revoke_on_disable = optional_bool(config, "revoke_on_disable", false);
  c.write_back = optional_bool(config, "write_back", false);
  if (const boost::json::value* r = config.if_contains("require"); r && !r->is_null()) {
    if (!r->is_object()) throw chp::ConfigError("'require' must be an object");
    const boost::json::object& ro = r->as_object();
    auto names = [](const boost::json::value* v, const std::string& where) {
      std::vector<std::string> out;
      if (v == nullptr || v->is_null()) return out;
      if (!v->is_array()) throw chp::ConfigError("'" + where + "' must be an array of names");
      for (const boost::json::value& n : v->as_array()) {
        if (!n.is_string() || n.as_string().empty()) {
          throw chp::ConfigError("'" + where + "' must hold non-empty names");
        }
        out.emplace_back(n.as_string());
      }
      return out;
    };
    for (const auto& member : ro) {
      if (member.key() != "system_permissions" && member.key() != "object_permissions" &&
          member.key() != "permission_sets") {
        throw chp::ConfigError("unknown field 'require." + std::string(member.key()) + "'");
      }
    }
    c.require.system = names(ro.if_contains("system_permissions"), "require.system_permissions");
    c.require.permission_sets = names(ro.if_contains("permission_sets"), "require.permission_sets");
    if (const boost::json::value* op = ro.if_contains("object_permissions"); op && !op->is_null()) {
      if (!op->is_object())
        throw chp::ConfigError("'require.object_permissions' must be an object");
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
  c.overlap_seconds = chp::optional_int(config, "overlap_seconds", 300);
  if (c.overlap_seconds < 0) throw chp::ConfigError("'overlap_seconds' must be >= 0");
  std::int64_t page = chp::optional_int(config, "page_size_records", 2000);
  if (page < 200 || page > 2000) {
    throw chp::ConfigError("'page_size_records' must be between 200 and 2000");
  }
  c.page_size_records = static_cast<std::uint32_t>(page);
  c.bulk_threshold_records = chp::optional_int(config, "bulk_threshold_records", 2000);
  if (c.bulk_threshold_records < 0) throw chp::ConfigError("'bulk_threshold_records' must be >= 0");
  std::int64_t bulk_page = chp::optional_int(config, "bulk_page_records", 10000);
  if (bulk_page < 100 || bulk_page > 100000) {
    throw chp::ConfigError("'bulk_page_records' must be between 100 and 100000");
  }
  c.bulk_page_records = static_cast<std::uint32_t>(bulk_page);
  c.api_usage_threshold_percent = optional_number(config, "api_usage_threshold_percent", 90.0);
  if (!(c.api_usage_threshold_percent > 0.0 && c.api_usage_threshold_percent <= 100.0)) {
    throw chp::ConfigError("'api_usage_threshold_percent' must be in (0, 100]");
  }
  if (const boost::json::value* objs = config.if_contains("objects"); objs && !objs->is_null()) {
    if (!objs->is_array()) throw chp::ConfigError("'objects' must be an array");
    for (std::size_t i = 0; i < objs->as_array().size(); ++i) {
      c.objects.push_back(parse_object_spec(objs->as_array()[i], i));
    }
  }
  return c;
}

}  // namespace sfplugin
