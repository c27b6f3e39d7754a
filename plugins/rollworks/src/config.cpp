// Reads the rollworks config, which the host has validated and completed with the schema's
// defaults. Object and field names end up inside SOQL and URLs, so they are checked here, once;
// the defaults, ranges and known keys live in the schema only.
#include "config.hpp"

#include <connector_host/sdk/config.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/salesforce/api_name.hpp>
#include <connector_host/sdk/salesforce/oauth.hpp>
#include <connector_host/sdk/salesforce/soql_time.hpp>

#include <algorithm>
#include <string_view>

namespace rollworks {

const char kConfigSchemaJson[] = R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "rollworks connector",
  "description": "Syncs Salesforce (the connection this connector `uses:`) with RollWorks ABM both ways: Accounts, Contacts, Leads, Opportunities and Campaigns up as batch upserts, per-account ABM data down into a custom object.",
  "type": "object",
  "required": ["advertiser_id", "api_key"],
  "additionalProperties": false,
  "x-default-schedule": {"at": "12:00", "tz": "UTC"},
  "properties": {
    "rollworks_url": {"type": "string", "default": "https://api.rollworks.com",
      "description": "RollWorks API base URL (without /api/v1)."},
    "advertiser_id": {"type": "string", "minLength": 1,
      "description": "The RollWorks advertiser (Audience) the CRM is connected to, e.g. adv_demo."},
    "api_key": {"type": "string", "x-secret": true,
      "description": "RollWorks API key granted this advertiser."},
    "objects_up": {"type": "array",
      "items": {"enum": ["Account", "Contact", "Lead", "Opportunity", "Campaign"]},
      "default": ["Account", "Contact", "Lead", "Opportunity", "Campaign"],
      "description": "Salesforce objects uploaded to RollWorks."},
    "account_data_object": {"type": "string", "default": "RollWorks_Account_Data__c",
      "description": "Salesforce custom object receiving the per-account ABM data (the current mapping version's target)."},
    "account_data_mapping_version": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1,
      "description": "Version of the account data mapping (object and key fields). Raise it when they change: the next sync re-reads the RollWorks accounts feed from a snapshot so the new target gets every account."},
    "account_data_legacy": {"type": "object", "additionalProperties": false,
      "required": ["version", "object", "until"],
      "description": "The previous account data mapping after a mapping change: written as well as the current one until `until`, then no longer written.",
      "properties": {
        "version": {"type": "integer", "minimum": 1,
          "description": "Its mapping version (lower than account_data_mapping_version)."},
        "object": {"type": "string", "description": "Its custom object, e.g. RollWorks_Account_Data__c."},
        "external_id_field": {"type": "string", "default": "RollWorks_Account_Id__c",
          "description": "Its external id field holding the RollWorks account id."},
        "account_field": {"type": "string", "default": "Account__c",
          "description": "Its lookup field to the Salesforce Account."},
        "until": {"type": "string",
          "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})$",
          "description": "End of the dual-write period (RFC 3339, e.g. 2027-01-31T00:00:00Z): from then on only the current mapping is written."}
      }},
    "account_data_external_id_field": {"type": "string", "default": "RollWorks_Account_Id__c",
      "description": "External id field on that object holding the RollWorks account id."},
    "account_data_account_field": {"type": "string", "default": "Account__c",
      "description": "Lookup field on that object to the Salesforce Account."},
    "contact_journey_stage_field": {"type": "string", "default": "RollWorks_Journey_Stage__c",
      "description": "Text field on Contact and Lead receiving the RollWorks journey stage from the contacts change feed; empty turns the contacts feed off."},
    "overlap_seconds": {"type": "integer", "minimum": 0, "maximum": 86400, "default": 300,
      "description": "Seconds re-read before the SystemModstamp checkpoint (late commits)."},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 500, "default": 500,
      "description": "Records per RollWorks batch upsert and per change-feed page."},
    "outbox_max_attempts": {"type": "integer", "minimum": 1, "maximum": 20, "default": 3,
      "description": "Refusals of one record (by RollWorks or Salesforce) before its outbox entry is parked for an admin (connector-host outbox NAME --retry)."},
    "outbox_retry_backoff_seconds": {"type": "integer", "minimum": 0, "maximum": 86400, "default": 900,
      "description": "Wait before a refused record is retried at a sync; each further wait doubles, up to a day."},
    "api_version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]$", "default": "59.0",
      "description": "Salesforce REST API version, e.g. 59.0."}
  }
})JSON";

namespace {

std::string api_name(const boost::json::object& o, std::string_view key,
                     std::string_view what = {}) {
  std::string v = chp::config_string(o, key, what);
  if (!chp::salesforce::is_api_name(v)) {
    throw chp::ConfigError((what.empty() ? "" : std::string(what) + ": ") + "'" + std::string(key) +
                           "' is not a Salesforce API name: " + v);
  }
  return v;
}

// Only what the schema cannot say: the versions' order, the objects and the date itself.
LegacyAccountDataTarget parse_legacy(const boost::json::object& o,
                                     const AccountDataTarget& current) {
  LegacyAccountDataTarget l;
  const std::string what = "account_data_legacy";
  l.target.version = chp::config_int(o, "version", what);
  if (l.target.version >= current.version) {
    throw chp::ConfigError(
        "account_data_legacy: 'version' must be at least 1 and lower than "
        "'account_data_mapping_version' (" +
        std::to_string(current.version) + ")");
  }
  l.target.object = api_name(o, "object", what);
  l.target.external_id_field = api_name(o, "external_id_field", what);
  l.target.account_field = api_name(o, "account_field", what);
  if (l.target.object == current.object) {
    throw chp::ConfigError(what + ": 'object' is the current account_data_object (" +
                           current.object + "): a legacy target must be another object");
  }
  if (l.target.object == "Contact" || l.target.object == "Lead") {
    throw chp::ConfigError(what + ": 'object' must be a custom object, not " + l.target.object);
  }
  l.until = chp::config_string(o, "until", what);
  const std::optional<std::int64_t> until = chp::salesforce::parse_sf_datetime(l.until);
  if (!until) {
    throw chp::ConfigError(what +
                           ": 'until' must be an RFC 3339 date-time such as "
                           "2027-01-31T00:00:00Z, not " +
                           l.until);
  }
  l.until_s = *until;
  return l;
}

}  // namespace

// `config` is validated against kConfigSchemaJson and complete with its defaults (the host's
// work): keys, types, ranges and the objects_up names are not checked again here.
Config parse_config(const boost::json::object& config) {
  Config c;
  c.rollworks_url =
      chp::salesforce::trim_trailing_slash(chp::config_string(config, "rollworks_url"));
  if (!c.rollworks_url.starts_with("https://") && !c.rollworks_url.starts_with("http://")) {
    throw chp::ConfigError("'rollworks_url' must be an http(s) URL");
  }
  c.advertiser_id = chp::config_require_string(config, "advertiser_id");
  if (c.advertiser_id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-") != std::string::npos) {
    throw chp::ConfigError("'advertiser_id' must be letters, digits, '_' or '-'");
  }
  c.api_key = chp::config_require_string(config, "api_key");
  c.objects_up.clear();
  for (const boost::json::value& item : chp::config_array(config, "objects_up")) {
    const std::string name(item.as_string());
    if (std::find(c.objects_up.begin(), c.objects_up.end(), name) == c.objects_up.end()) {
      c.objects_up.push_back(name);
    }
  }
  c.account_data.object = api_name(config, "account_data_object");
  c.account_data.external_id_field = api_name(config, "account_data_external_id_field");
  c.account_data.account_field = api_name(config, "account_data_account_field");
  c.account_data.version = chp::config_int(config, "account_data_mapping_version");
  if (c.account_data.object == "Contact" || c.account_data.object == "Lead") {
    throw chp::ConfigError("'account_data_object' must be a custom object, not " +
                           c.account_data.object);
  }
  if (std::optional<boost::json::object> legacy =
          chp::config_optional_object(config, "account_data_legacy")) {
    c.legacy_account_data = parse_legacy(*legacy, c.account_data);
  }
  c.contact_journey_stage_field = chp::config_string(config, "contact_journey_stage_field");
  if (!c.contact_journey_stage_field.empty() &&
      !chp::salesforce::is_api_name(c.contact_journey_stage_field)) {
    throw chp::ConfigError("'contact_journey_stage_field' is not a Salesforce API name: " +
                           c.contact_journey_stage_field);
  }
  c.overlap_seconds = chp::config_int(config, "overlap_seconds");
  c.page_size_records = static_cast<std::uint32_t>(chp::config_int(config, "page_size"));
  c.outbox_max_attempts = chp::config_int(config, "outbox_max_attempts");
  c.outbox_retry_backoff_s = chp::config_int(config, "outbox_retry_backoff_seconds");
  c.salesforce.api_version = chp::config_string(config, "api_version");
  return c;
}

}  // namespace rollworks
