// The host schema (one source of truth for validation and `connector-host schema`) and
// combined_schema(), which plugs each plugin's config schema in through if/then on `plugin`.
#include <boost/json.hpp>

#include "chost/config/host_config.hpp"
#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "schema_walk.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

constexpr const char* kHostSchema = R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "connector-host configuration",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "host": {
      "description": "Settings of the host process itself.",
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "properties": {
        "state": {
          "description": "Where connection state, checkpoints and encrypted secrets live.",
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "backend": {"type": "string", "enum": ["sqlite", "postgres"], "default": "sqlite"},
            "path": {"type": "string", "minLength": 1, "default": "./state/host.db",
                     "description": "sqlite database file; relative to the config file"},
            "url": {"type": "string", "minLength": 1,
                    "description": "postgres connection URL (use a secret reference)"}
          },
          "if": {"properties": {"backend": {"const": "postgres"}}},
          "then": {"required": ["url"]}
        },
        "master_key": {"type": "string", "x-secret": true,
                       "description": "Key encrypting secrets at rest: ${env:NAME} or ${file:PATH}"},
        "plugin_dirs": {"type": "array", "items": {"type": "string", "minLength": 1},
                        "description": "Directories searched for plugins; relative to the config file. Default: <prefix>/lib/connector-host/plugins of the installed binary"},
        "allow_world_writable_plugin_dirs": {"type": "boolean", "default": false},
        "admin": {
          "description": "Admin HTTP API.",
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "listen": {"type": "string", "default": "127.0.0.1:8080",
                       "pattern": "^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$"},
            "token": {"type": "string", "x-secret": true, "minLength": 16,
                      "description": "Bearer token for the admin API: ${env:NAME} or ${file:PATH}"},
            "public_url": {"type": "string", "format": "uri",
                           "description": "URL browsers reach the admin API at; default http://<listen>"}
          }
        },
        "log": {
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "format": {"type": "string", "enum": ["text", "json"], "default": "text"},
            "level": {"type": "string", "enum": ["trace", "debug", "info", "warn", "error"],
                      "default": "info"}
          }
        },
        "http": {
          "description": "The host's outbound HTTP client, used by every plugin request. Changes take effect after a restart.",
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "proxy": {"type": "string", "minLength": 1,
                      "description": "Proxy for every request: http://, https://, socks4://, socks4a://, socks5:// or socks5h:// URL; a URL with user:password@ belongs in ${env:NAME} or ${file:PATH}. Default: none (proxy environment variables are ignored)"},
            "ca_file": {"type": "string", "minLength": 1,
                        "description": "PEM bundle of the CAs to trust instead of the system's; relative to the config file"},
            "connect_timeout": {"type": "string", "format": "x-duration", "default": "10s",
                                "description": "Longest wait for a TCP+TLS connection"},
            "request_timeout": {"type": "string", "format": "x-duration", "default": "30s",
                                "description": "Deadline of a request (all retries) that names none; always capped by the hook's deadline"}
          }
        },
        "literal_secrets": {"type": "string", "enum": ["error", "warn"], "default": "error",
                            "description": "What a secret written literally in this file is"},
        "credentials": {
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "refresh_margin": {"type": "string", "format": "x-duration", "default": "5m"},
            "keepalive_idle": {"type": "string", "format": "x-duration", "default": "1h"},
            "history_limit": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 50}
          }
        },
        "timeouts": {
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "authorize": {"type": "string", "format": "x-duration", "default": "2m"},
            "refresh": {"type": "string", "format": "x-duration", "default": "1m"},
            "disable": {"type": "string", "format": "x-duration", "default": "1m"},
            "sync": {"type": "string", "format": "x-duration", "default": "15m"},
            "token_response": {"type": "string", "format": "x-duration", "default": "5m"}
          }
        },
        "shutdown_grace": {"type": "string", "format": "x-duration", "default": "30s"},
        "restart": {
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "initial_backoff": {"type": "string", "format": "x-duration", "default": "5s"},
            "max_backoff": {"type": "string", "format": "x-duration", "default": "10m"}
          }
        },
        "notify": {
          "description": "Webhooks called on connection disconnected/recovered, connector failed/recovered, subjects disabled due to an error, a sync paused by API quota (quota.paused). Delivered at least once from a queue in the state store, signed with HMAC-SHA256 (README, Notifications).",
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "webhooks": {
              "type": "array",
              "default": [],
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "url", "secret"],
                "properties": {
                  "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 63,
                           "description": "Shown in the admin API and metrics"},
                  "url": {"type": "string", "format": "uri",
                          "description": "http:// or https:// URL that receives the POST"},
                  "secret": {"type": "string", "x-secret": true, "minLength": 16,
                             "description": "HMAC-SHA256 key of the X-Chost-Signature header: ${env:NAME} or ${file:PATH}"},
                  "events": {"type": "array", "minItems": 1,
                             "items": {"type": "string", "enum": ["connection.disconnected", "connection.recovered", "connector.failed", "connector.recovered", "subjects.disabled", "quota.paused"]},
                             "description": "Events this webhook receives; default all"}
                }
              }
            },
            "max_attempts": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 12,
                             "description": "Delivery attempts before an event is marked failed"},
            "initial_backoff": {"type": "string", "format": "x-duration", "default": "10s"},
            "max_backoff": {"type": "string", "format": "x-duration", "default": "1h"},
            "timeout": {"type": "string", "format": "x-duration", "default": "10s",
                        "description": "Deadline of one delivery attempt"}
          }
        }
      }
    },
    "connectors": {
      "type": "array",
      "default": [],
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "plugin"],
        "properties": {
          "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 63},
          "plugin": {"type": "string", "minLength": 1},
          "enabled": {"type": "boolean", "default": true},
          "schedule": {
            "type": "object",
            "additionalProperties": false,
            "description": "Either {every: 15m} or a daily {at: \"12:00\", tz: UTC}; without one: the plugin's x-default-schedule if it declares one (rollworks: daily 12:00 UTC), else only on demand",
            "properties": {
              "every": {"type": "string", "format": "x-duration"},
              "at": {"type": "string", "description": "Daily time of day, HH:MM (00:00-23:59)"},
              "tz": {"type": "string",
                     "description": "Time zone of `at` (default UTC): UTC or a fixed offset such as +02:00 or UTC-05:00 (IANA names are not supported)"}
            }
          },
          "uses": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$",
                   "description": "Name of the connector whose connection this one borrows"},
          "isolation": {"type": "string", "enum": ["in-process", "process"], "default": "in-process",
                        "description": "process: the plugin runs in a `connector-host plugin-worker` child process, so a crash, hang, leak or stray output of the plugin cannot take the host or other connectors down (README: Plugin isolation)"},
          "worker_memory_limit_mb": {"type": "integer", "minimum": 16, "maximum": 1048576, "default": 1024,
                                     "description": "isolation: process only: the worker is killed (and restarted with backoff) once its resident memory exceeds this many MiB"},
          "config": {"type": "object", "default": {},
                     "description": "Validated against the plugin's JSON Schema"}
        }
      }
    }
  }
})JSON";

// A plugin schema moved to `at` inside the combined schema: its "#..." references must point
// into it there.
void point_refs_into(json::value& schema, const std::string& at) {
  if (json::object* o = schema.if_object()) {
    json::value* ref = o->if_contains("$ref");
    if (ref && ref->is_string() && ref->get_string().starts_with("#")) {
      *ref = "#" + at + std::string(ref->get_string().subview(1));
    }
  }
  for_each_subschema_mut(
      schema, "", [&](json::value& child, const std::string&) { point_refs_into(child, at); });
}

}  // namespace

const std::string& host_schema_json() {
  static const std::string text = json::serialize(json::parse(kHostSchema));
  return text;
}

std::string combined_schema(const std::vector<PluginSchemaInfo>& plugins) {
  json::value schema = json::parse(host_schema_json());
  json::object& item = schema.at("properties").at("connectors").at("items").as_object();
  json::array names;
  json::array branches;
  for (const PluginSchemaInfo& p : plugins) {
    names.push_back(json::string(p.name));
    boost::system::error_code ec;
    json::value plugin_schema = json::parse(p.config_schema_json, ec);
    if (ec || !check_schema(plugin_schema).empty()) plugin_schema = json::object();
    if (json::object* o = plugin_schema.if_object()) o->erase("$schema");  // a root-only keyword
    point_refs_into(plugin_schema, "/properties/connectors/items/allOf/" +
                                       std::to_string(branches.size()) + "/then/properties/config");
    json::object cond;
    cond["required"] = json::array{"plugin"};
    cond["properties"] = json::object{{"plugin", json::object{{"const", p.name}}}};
    json::object then;
    then["properties"] = json::object{{"config", std::move(plugin_schema)}};
    branches.push_back(json::object{{"if", std::move(cond)}, {"then", std::move(then)}});
  }
  if (!names.empty()) item["properties"].as_object()["plugin"].as_object()["enum"] = names;
  if (!branches.empty()) item["allOf"] = std::move(branches);
  return json::serialize(schema);
}

}  // namespace chost::config
