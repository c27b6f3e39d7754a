// The host's configuration as the rest of the host sees it (HostConfig, ConnectorConfig), and
// the loaders that turn the admin's YAML file into it: validated against the host schema and each
// plugin's JSON Schema, secret references resolved, defaults filled, every problem reported with
// file:line:column. The loader never touches the plugin loader: plugins are described to it by
// PluginSchemaInfo, so check-config and tests can validate without loading any shared library.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chost/common/daily_time.hpp"
#include "chost/common/log_level.hpp"
#include "chost/common/result.hpp"

namespace chost::config {

// What the config loader needs to know about one loaded plugin.
struct PluginSchemaInfo {
  std::string name;                // what a connector's `plugin:` refers to
  std::string config_schema_json;  // JSON Schema for the connector's `config:`
  uint64_t capabilities = 0;       // CHP_CAP_* bits from plugin_api.h
};

// A position in the YAML file, 1-based as editors show it. line == 0 means "no position"
// (a value the loader filled in from a default).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { kError = 1, kWarning = 2 };

// One problem found while loading. to_string() is the line check-config prints:
//   host.yaml:12:5: error: connector 'sf-org': config.client_id: expected string, got integer 5
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLocation where;
  std::string connector;  // empty for the host section / file-level problems
  std::string field;      // dotted path inside the connector (or from the file root)
  std::string message;    // what is wrong; never contains a secret value

  std::string to_string() const;
};

enum class StateBackend { kSqlite = 1, kPostgres = 2 };
enum class LiteralSecretPolicy { kError = 1, kWarn = 2 };

struct StateConfig {
  StateBackend backend = StateBackend::kSqlite;
  std::filesystem::path path;  // sqlite: absolute path of the database file
  std::string url;             // postgres: connection URL (may be a resolved secret)
};

struct AdminConfig {
  std::string listen;                // "host:port"
  std::optional<std::string> token;  // bearer token (resolved secret); nullopt = not set
  std::string public_url;            // base URL browsers reach the admin API at (OAuth callback)
};

struct LogConfig {
  log::Format format = log::Format::kText;
  log::Level level = log::Level::kInfo;
};

// `host.http`: what the host's HTTP client is built with (app::http_client_options).
struct HttpConfig {
  std::string proxy;              // empty: no proxy; may be a resolved secret
  std::filesystem::path ca_file;  // absolute; empty: the system's CA store
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds request_timeout{0};  // when a plugin request names none
};

struct CredentialsConfig {
  std::chrono::milliseconds refresh_margin{0};  // refresh this long before expiry
  std::chrono::milliseconds keepalive_idle{0};  // refresh an idle connection this often
  int64_t history_limit_entries = 0;            // credential events kept per connection
};

struct TimeoutsConfig {
  std::chrono::milliseconds authorize{0};
  std::chrono::milliseconds refresh{0};
  std::chrono::milliseconds disable{0};
  std::chrono::milliseconds sync{0};
  // A token request that was sent is waited for this long, whatever stops or deadlines say:
  // its answer may carry a rotated refresh token that exists nowhere else.
  std::chrono::milliseconds token_response{0};
};

struct RestartConfig {
  std::chrono::milliseconds initial_backoff{0};
  std::chrono::milliseconds max_backoff{0};
};

// `host.notify`: webhooks and their delivery policy (app::notifier_options).
struct WebhookConfig {
  std::string name;
  std::string url;
  std::string secret;               // resolved secret
  std::vector<std::string> events;  // empty: every event
};

struct NotifyConfig {
  std::vector<WebhookConfig> webhooks;
  int64_t max_attempts = 0;
  std::chrono::milliseconds initial_backoff{0};
  std::chrono::milliseconds max_backoff{0};
  std::chrono::milliseconds timeout{0};
};

// The `host:` section, with every default filled in and every path absolute.
struct HostSettings {
  StateConfig state;
  std::optional<std::string> master_key;  // resolved secret (hex or base64; the store parses it)
  std::vector<std::filesystem::path> plugin_dirs;
  bool allow_world_writable_plugin_dirs = false;
  AdminConfig admin;
  LogConfig log;
  HttpConfig http;
  LiteralSecretPolicy literal_secrets = LiteralSecretPolicy::kError;
  CredentialsConfig credentials;
  TimeoutsConfig timeouts;
  std::chrono::milliseconds shutdown_grace{0};
  RestartConfig restart;
  NotifyConfig notify;
};

struct ConnectorConfig {
  std::string name;
  std::string plugin;
  bool enabled = true;
  std::optional<std::chrono::milliseconds> schedule_every;
  std::optional<common::DailyTime> schedule_at;  // schedule: {at, tz}; never with schedule_every
  std::optional<std::string> uses;  // name of the connector whose connection this one borrows
  bool process_isolation = false;   // isolation: process (a plugin-worker child per instance)
  uint64_t worker_memory_limit_mb = 1024;  // process isolation: kill the worker above this RSS
  std::string config_json;           // resolved secrets, defaults filled: give this to create()
  std::string config_json_redacted;  // x-secret and referenced values replaced by "***"
  SourceLocation where;              // the connector's entry in the `connectors:` list
};

struct HostConfig {
  std::filesystem::path source_path;  // absolute path of the YAML file
  HostSettings host;
  std::vector<ConnectorConfig> connectors;
  // Every resolved secret value (references and x-secret fields), for log redaction.
  std::vector<std::string> secret_values;
  std::vector<Diagnostic> warnings;
};

// Everything check-config needs: the config when there were no errors, and every diagnostic
// (errors and warnings) in file order.
struct LoadReport {
  std::optional<HostConfig> config;
  std::vector<Diagnostic> diagnostics;

  bool has_errors() const;
};

// Value rules owned by other subsystems (the store's master key format, the admin server's
// listen address), handed in by the caller so that check-config and run refuse exactly what the
// host would refuse at startup, at the value's file:line:column. Each returns the reason, never
// the value. An empty function checks nothing.
struct HostValueChecks {
  std::function<Status(const std::string&)> master_key;
  std::function<Status(const std::string&)> admin_listen;
};

// Loads and validates the whole file. Errors: one Error::config whose message is every error
// diagnostic, one per line. Warnings are kept in HostConfig::warnings.
Result<HostConfig> load_config(const std::filesystem::path& path,
                               const std::vector<PluginSchemaInfo>& plugins,
                               const HostValueChecks& checks = {});

// Same validation, but returns every diagnostic instead of failing on the first error list.
LoadReport load_config_report(const std::filesystem::path& path,
                              const std::vector<PluginSchemaInfo>& plugins,
                              const HostValueChecks& checks = {});

// Reads and validates only `host:` (the CLI needs plugin_dirs before it can load the plugins
// that validate the rest). `connectors:` is ignored apart from YAML syntax. The returned
// HostConfig has no connectors.
Result<HostConfig> load_host_section(const std::filesystem::path& path,
                                     const HostValueChecks& checks = {});

// A reference given on the command line (`rotate-key --new-key-ref`): "${env:NAME}" or
// "${file:PATH}" resolved by the same rules and bounds as in the file (a relative path is
// relative to the working directory); any other text comes back as it is.
Result<std::string> resolve_secret_reference(const std::string& ref);

// One JSON Schema (draft-07) for the whole file: the host schema, with each
// connector's `config` validated by its plugin's schema through if/then on `plugin`.
// For `connector-host schema`. Plugins whose schema is not valid JSON get an empty schema.
std::string combined_schema(const std::vector<PluginSchemaInfo>& plugins);

// The host schema alone (no plugin schemas), as JSON text.
const std::string& host_schema_json();

}  // namespace chost::config
