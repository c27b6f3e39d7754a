// JSON -> HostSettings (see host_settings.hpp).
#include "host_settings.hpp"

#include <boost/json.hpp>

#include "chost/config/default_plugin_dir.hpp"
#include "json_schema.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

std::string str(const json::value& obj, std::string_view key) {
  return std::string(obj.at(key).as_string());
}

std::chrono::milliseconds duration(const json::value& obj, std::string_view key) {
  return std::chrono::milliseconds(parse_duration_ms(obj.at(key).as_string()).value_or(0));
}

}  // namespace

std::filesystem::path absolute_from(const std::filesystem::path& base_dir, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_relative()) path = base_dir / path;
  return path.lexically_normal();
}

HostSettings host_settings_from_json(const json::value& host,
                                     const std::filesystem::path& base_dir) {
  HostSettings s;
  const json::value& state = host.at("state");
  s.state.backend =
      str(state, "backend") == "postgres" ? StateBackend::kPostgres : StateBackend::kSqlite;
  s.state.path = absolute_from(base_dir, str(state, "path"));
  if (const json::value* url = state.as_object().if_contains("url")) {
    s.state.url = std::string(url->as_string());
  }
  if (const json::value* key = host.as_object().if_contains("master_key")) {
    s.master_key = std::string(key->as_string());
  }
  if (const json::value* dirs = host.as_object().if_contains("plugin_dirs")) {
    for (const json::value& dir : dirs->as_array()) {
      s.plugin_dirs.push_back(absolute_from(base_dir, std::string(dir.as_string())));
    }
  } else {
    s.plugin_dirs.push_back(default_plugin_dir());
  }
  s.allow_world_writable_plugin_dirs = host.at("allow_world_writable_plugin_dirs").as_bool();

  const json::value& admin = host.at("admin");
  s.admin.listen = str(admin, "listen");
  if (const json::value* token = admin.as_object().if_contains("token")) {
    s.admin.token = std::string(token->as_string());
  }
  if (const json::value* url = admin.as_object().if_contains("public_url")) {
    s.admin.public_url = std::string(url->as_string());
  } else {
    s.admin.public_url = "http://" + s.admin.listen;
  }

  const json::value& logging = host.at("log");
  s.log.format = str(logging, "format") == "json" ? log::Format::kJson : log::Format::kText;
  // The schema allowed only level names log::parse_level knows.
  (void)log::parse_level(str(logging, "level"), &s.log.level);
  const json::value& http = host.at("http");
  if (const json::value* proxy = http.as_object().if_contains("proxy")) {
    s.http.proxy = std::string(proxy->as_string());
  }
  if (const json::value* ca = http.as_object().if_contains("ca_file")) {
    s.http.ca_file = absolute_from(base_dir, std::string(ca->as_string()));
  }
  s.http.connect_timeout = duration(http, "connect_timeout");
  s.http.request_timeout = duration(http, "request_timeout");

  s.literal_secrets = str(host, "literal_secrets") == "warn" ? LiteralSecretPolicy::kWarn
                                                             : LiteralSecretPolicy::kError;

  const json::value& cred = host.at("credentials");
  s.credentials.refresh_margin = duration(cred, "refresh_margin");
  s.credentials.keepalive_idle = duration(cred, "keepalive_idle");
  s.credentials.history_limit_entries = cred.at("history_limit").to_number<int64_t>();

  const json::value& t = host.at("timeouts");
  s.timeouts.authorize = duration(t, "authorize");
  s.timeouts.refresh = duration(t, "refresh");
  s.timeouts.disable = duration(t, "disable");
  s.timeouts.sync = duration(t, "sync");
  s.timeouts.token_response = duration(t, "token_response");

  s.shutdown_grace = duration(host, "shutdown_grace");
  const json::value& restart = host.at("restart");
  s.restart.initial_backoff = duration(restart, "initial_backoff");
  s.restart.max_backoff = duration(restart, "max_backoff");

  const json::value& notify = host.at("notify");
  for (const json::value& w : notify.at("webhooks").as_array()) {
    WebhookConfig hook;
    hook.name = str(w, "name");
    hook.url = str(w, "url");
    hook.secret = str(w, "secret");
    if (const json::value* events = w.as_object().if_contains("events")) {
      for (const json::value& e : events->as_array()) hook.events.emplace_back(e.as_string());
    }
    s.notify.webhooks.push_back(std::move(hook));
  }
  s.notify.max_attempts = notify.at("max_attempts").to_number<int64_t>();
  s.notify.initial_backoff = duration(notify, "initial_backoff");
  s.notify.max_backoff = duration(notify, "max_backoff");
  s.notify.timeout = duration(notify, "timeout");
  return s;
}

}  // namespace chost::config
