// load_config / load_config_report / load_host_section: the order of the loading steps.
// 1. parse YAML with positions, 2. resolve secret references, 3. validate against the host
// schema (fills defaults), 4. validate each connector's `config` against its plugin's schema,
// 5. cross-connector and host-level checks, 6. literal-secret policy, 7. build HostConfig.
// Every step reports into one list so the admin sees all problems at once.
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

#include "chost/config/host_config.hpp"
#include "chost/http/http_client.hpp"
#include "connector_checks.hpp"
#include "host_settings.hpp"
#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "load_context.hpp"
#include "secret_refs.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

const json::value& host_schema() {
  static const json::value schema = json::parse(host_schema_json());
  return schema;
}

bool has_prefix(const std::string& pointer, const std::string& prefix) {
  return pointer == prefix || (pointer.size() > prefix.size() && pointer.starts_with(prefix) &&
                               pointer[prefix.size()] == '/');
}

class Loader {
 public:
  Loader(const std::filesystem::path& path, const std::vector<PluginSchemaInfo>* plugins,
         const HostValueChecks& checks)
      : plugins_(plugins), checks_(checks) {
    ctx_.file_label = path.string();
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(path, ec).lexically_normal();
    source_path_ = abs;
    ctx_.base_dir = abs.parent_path();
  }

  LoadReport run() {
    LoadReport report;
    ctx_.doc = parse_yaml_file(source_path_);
    for (const YamlProblem& p : ctx_.doc.problems) {
      Diagnostic d;
      d.where = {ctx_.file_label, p.pos.line, p.pos.column};
      d.field = pointer_to_path(p.pointer);
      d.message = p.message;
      ctx_.diagnostics.push_back(std::move(d));
    }
    if (!ctx_.doc.parsed) return finish(std::move(report));
    json::value& root = ctx_.doc.root;
    if (root.is_null()) root = json::object();  // an empty file is a file with all defaults
    drop_empty_sections(root);
    if (plugins_ == nullptr) {
      // Host only: connectors are validated later, once plugins are loaded.
      if (root.is_object()) root.get_object().erase("connectors");
    }

    resolve_secret_refs(root, "", ctx_.base_dir, refs_);
    for (const auto& [ptr, message] : refs_.problems) ctx_.error(ptr, message);
    for (const std::string& ptr : refs_.failed_pointers) {
      // A whole file that is one failed reference ("${env:UNSET}") has no host section either:
      // its schema errors are skipped (already reported), so the value checks must be too.
      if (ptr.empty() || has_prefix(ptr, "/host")) host_invalid_ = true;
    }

    ValidationOptions options;
    options.hidden_pointers = &refs_.resolved_pointers;
    add_validation(validate_instance(host_schema(), root, options), "");
    if (plugins_ != nullptr) {
      validate_plugin_configs();
      check_connectors(ctx_, *plugins_);
    }
    if (!host_invalid_) check_host_values();
    apply_literal_secret_policy();
    if (!ctx_.has_errors()) report.config = build();
    return finish(std::move(report));
  }

 private:
  LoadReport finish(LoadReport report) {
    std::stable_sort(ctx_.diagnostics.begin(), ctx_.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::tie(a.where.line, a.where.column) <
                              std::tie(b.where.line, b.where.column);
                     });
    report.diagnostics = std::move(ctx_.diagnostics);
    if (report.config) {
      for (const Diagnostic& d : report.diagnostics) {
        if (d.severity == Severity::kWarning) report.config->warnings.push_back(d);
      }
    }
    return report;
  }

  // `host:` or `config:` with every line below commented out is YAML null; admins mean "all
  // defaults", so such keys count as absent rather than as "expected object, got null".
  static void drop_empty_sections(json::value& root) {
    json::object* top = root.if_object();
    if (top == nullptr) return;
    for (const char* key : {"host", "connectors"}) {
      if (const json::value* v = top->if_contains(key); v && v->is_null()) top->erase(key);
    }
    json::value* list = top->if_contains("connectors");
    if (list == nullptr || !list->is_array()) return;
    for (json::value& item : list->get_array()) {
      json::object* entry = item.if_object();
      if (!entry) continue;
      if (const json::value* c = entry->if_contains("config"); c && c->is_null()) {
        entry->erase("config");
      }
    }
  }

  void add_validation(const ValidationResult& r, const std::string& base) {
    for (const SchemaIssue& issue : r.issues) {
      std::string ptr = base + issue.pointer;
      // A reference that failed to resolve was already reported; its placeholder is no value.
      if (refs_.failed_pointers.count(ptr)) continue;
      if (ptr.empty() || has_prefix(ptr, "/host")) host_invalid_ = true;
      ctx_.report(Severity::kError, ptr, issue.at_key, issue.message);
    }
    for (const std::string& p : r.secret_pointers) secret_pointers_.insert(base + p);
  }

  // Parsed and checked once per plugin; nullopt (reported once) when unusable.
  const json::value* plugin_schema(const PluginSchemaInfo& plugin, const std::string& at) {
    auto it = schemas_.find(plugin.name);
    if (it != schemas_.end()) return it->second ? &*it->second : nullptr;
    boost::system::error_code ec;
    json::value schema = json::parse(plugin.config_schema_json, ec);
    std::optional<json::value> usable;
    if (ec) {
      ctx_.error(at, "plugin '" + plugin.name +
                         "' has a config schema that is not valid JSON: " + ec.message());
    } else if (std::vector<std::string> problems = check_schema(schema); !problems.empty()) {
      std::string text;
      for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
      ctx_.error(at, "plugin '" + plugin.name + "' has an unusable config schema: " + text);
    } else {
      usable = std::move(schema);
    }
    auto [pos, _] = schemas_.emplace(plugin.name, std::move(usable));
    return pos->second ? &*pos->second : nullptr;
  }

  void validate_plugin_configs() {
    json::value* list = pointer_find(ctx_.doc.root, "/connectors");
    if (list == nullptr || !list->is_array()) return;
    for (size_t i = 0; i < list->get_array().size(); ++i) {
      json::value& item = list->get_array()[i];
      if (!item.is_object()) continue;
      const json::value* plugin_name = item.get_object().if_contains("plugin");
      json::value* config = item.get_object().if_contains("config");
      if (!plugin_name || !plugin_name->is_string() || !config || !config->is_object()) continue;
      auto plugin = std::find_if(plugins_->begin(), plugins_->end(), [&](const auto& p) {
        return p.name == plugin_name->get_string();
      });
      if (plugin == plugins_->end()) continue;  // check_connectors reports it
      std::string base = pointer_append(pointer_append("/connectors", i), "config");
      const json::value* schema =
          plugin_schema(*plugin, pointer_append(pointer_parent(base), "plugin"));
      if (schema == nullptr) continue;
      std::unordered_set<std::string> hidden;
      for (const std::string& p : refs_.resolved_pointers) {
        if (has_prefix(p, base)) hidden.insert(p.substr(base.size()));
      }
      ValidationOptions options;
      options.hidden_pointers = &hidden;
      add_validation(validate_instance(*schema, *config, options), base);
    }
  }

  // A duration the host schema has validated (and defaulted), in milliseconds.
  int64_t duration_ms_at(const std::string& ptr) const {
    return parse_duration_ms(pointer_find(ctx_.doc.root, ptr)->as_string()).value_or(0);
  }

  // Value checks the schema cannot express; only run once the host section is well-formed.
  void check_host_values() {
    for (const char* key : {"authorize", "refresh", "disable", "sync"}) {
      std::string ptr = pointer_append("/host/timeouts", key);
      if (duration_ms_at(ptr) == 0) ctx_.error(ptr, "must be greater than 0");
    }
    const int64_t initial_backoff_ms = duration_ms_at("/host/restart/initial_backoff");
    if (initial_backoff_ms == 0) {
      ctx_.error("/host/restart/initial_backoff", "must be greater than 0");
    }
    if (initial_backoff_ms > duration_ms_at("/host/restart/max_backoff")) {
      ctx_.error("/host/restart/max_backoff", "must not be shorter than restart.initial_backoff");
    }
    check_http_values();
    check_notify_values();
    check_state_path();
    check_owned_value("/host/master_key", checks_.master_key);
    check_owned_value("/host/admin/listen", checks_.admin_listen);
  }

  void check_owned_value(const std::string& ptr,
                         const std::function<Status(const std::string&)>& check) {
    if (!check || refs_.failed_pointers.count(ptr)) return;
    const json::value* v = pointer_find(ctx_.doc.root, ptr);
    if (v == nullptr || !v->is_string()) return;
    if (Status st = check(std::string(v->get_string())); !st) ctx_.error(ptr, st.error().message);
  }

  // What opening the SQLite state would trip over, found without creating or opening anything:
  // check-config must not touch the state, and run should refuse at the line that is wrong.
  void check_state_path() {
    const json::value* backend = pointer_find(ctx_.doc.root, "/host/state/backend");
    const json::value* p = pointer_find(ctx_.doc.root, "/host/state/path");
    if (backend == nullptr || p == nullptr || backend->as_string() != "sqlite") return;
    const std::filesystem::path path = absolute_from(ctx_.base_dir, std::string(p->as_string()));
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(st)) {
      ctx_.error("/host/state/path", "'" + path.string() +
                                         "' is a directory: give the database file, e.g. " +
                                         (path / "host.db").string());
    } else if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) {
      ctx_.error("/host/state/path", "'" + path.string() +
                                         "' is not a regular file: the state needs a database "
                                         "file of its own, e.g. ./state/host.db");
    } else if (const std::filesystem::path parent = path.parent_path();
               std::filesystem::exists(parent, ec) && !std::filesystem::is_directory(parent, ec)) {
      ctx_.error("/host/state/path", "'" + parent.string() + "' is not a directory");
    }
  }

  // host.notify: what the schema cannot say about webhooks and their backoff.
  void check_notify_values() {
    const int64_t initial_ms = duration_ms_at("/host/notify/initial_backoff");
    if (initial_ms == 0) ctx_.error("/host/notify/initial_backoff", "must be greater than 0");
    if (initial_ms > duration_ms_at("/host/notify/max_backoff")) {
      ctx_.error("/host/notify/max_backoff", "must not be shorter than notify.initial_backoff");
    }
    const int64_t timeout_ms = duration_ms_at("/host/notify/timeout");
    if (timeout_ms == 0) ctx_.error("/host/notify/timeout", "must be greater than 0");
    if (timeout_ms > 10LL * 60 * 1000) ctx_.error("/host/notify/timeout", "must be at most 10m");
    const json::value* hooks = pointer_find(ctx_.doc.root, "/host/notify/webhooks");
    if (!hooks || !hooks->is_array()) return;
    std::set<std::string> names;
    for (size_t i = 0; i < hooks->as_array().size(); ++i) {
      const json::object& w = hooks->as_array()[i].as_object();
      const std::string base = pointer_append("/host/notify/webhooks", i);
      const std::string name(w.at("name").as_string());
      if (!names.insert(name).second) {
        ctx_.error(base + "/name", "webhook name '" + name + "' is used twice");
      }
      const std::string_view url = w.at("url").as_string();
      if (!url.starts_with("http://") && !url.starts_with("https://")) {
        ctx_.error(base + "/url", "must be an http:// or https:// URL");
      }
    }
  }

  // host.http against the HTTP client's own rules (http::validate_*), so check-config rejects
  // what the client would refuse at startup, at the key that is wrong.
  void check_http_values() {
    constexpr int64_t kMaxHttpTimeoutMs = 24LL * 60 * 60 * 1000;  // the client counts in uint32 ms
    for (const char* key : {"connect_timeout", "request_timeout"}) {
      const std::string ptr = pointer_append("/host/http", key);
      const int64_t timeout_ms = duration_ms_at(ptr);
      if (timeout_ms == 0) ctx_.error(ptr, "must be greater than 0");
      if (timeout_ms > kMaxHttpTimeoutMs) ctx_.error(ptr, "must be at most 24h");
    }
    if (const json::value* proxy = pointer_find(ctx_.doc.root, "/host/http/proxy")) {
      if (Status st = http::validate_proxy_url(proxy->as_string()); !st) {
        ctx_.error("/host/http/proxy", st.error().message);
      }
    }
    if (const json::value* ca = pointer_find(ctx_.doc.root, "/host/http/ca_file")) {
      const std::filesystem::path path = absolute_from(ctx_.base_dir, std::string(ca->as_string()));
      if (Status st = http::validate_ca_file(path.string()); !st) {
        ctx_.error("/host/http/ca_file", st.error().message);
      }
    }
  }

  LiteralSecretPolicy policy() const {
    const json::value* p = pointer_find(ctx_.doc.root, "/host/literal_secrets");
    return p && p->is_string() && p->get_string() == "warn" ? LiteralSecretPolicy::kWarn
                                                            : LiteralSecretPolicy::kError;
  }

  void apply_literal_secret_policy() {
    const Severity severity =
        policy() == LiteralSecretPolicy::kWarn ? Severity::kWarning : Severity::kError;
    for (const std::string& ptr : secret_pointers_) {
      if (refs_.resolved_pointers.count(ptr) || refs_.failed_pointers.count(ptr)) continue;
      if (!ctx_.doc.value_pos.count(ptr)) continue;  // a default, not written by the admin
      const json::value* v = pointer_find(ctx_.doc.root, ptr);
      if (v == nullptr) continue;
      literal_values_.push_back(v->is_string() ? std::string(v->get_string())
                                               : json::serialize(*v));
      ctx_.report(severity, ptr, false,
                  "secret written literally in the file: use \"${env:NAME}\" or "
                  "\"${file:PATH}\" instead");
    }
  }

  HostConfig build() {
    HostConfig config;
    config.source_path = source_path_;
    config.host = host_settings_from_json(ctx_.doc.root.at("host"), ctx_.base_dir);
    config.secret_values = refs_.secret_values;
    config.secret_values.insert(config.secret_values.end(), literal_values_.begin(),
                                literal_values_.end());
    std::sort(config.secret_values.begin(), config.secret_values.end());
    config.secret_values.erase(
        std::unique(config.secret_values.begin(), config.secret_values.end()),
        config.secret_values.end());
    if (plugins_ == nullptr) return config;

    const json::array& list = ctx_.doc.root.at("connectors").as_array();
    for (size_t i = 0; i < list.size(); ++i) {
      const json::object& item = list[i].as_object();
      std::string base = pointer_append("/connectors", i);
      ConnectorConfig c;
      c.name = std::string(item.at("name").as_string());
      c.plugin = std::string(item.at("plugin").as_string());
      c.enabled = item.at("enabled").as_bool();
      if (const json::value* s = item.if_contains("schedule")) {
        if (const json::value* every = s->as_object().if_contains("every")) {
          c.schedule_every = std::chrono::milliseconds(*parse_duration_ms(every->as_string()));
        } else if (const json::value* at = s->as_object().if_contains("at")) {
          const json::value* tz = s->as_object().if_contains("tz");
          c.schedule_at =
              common::DailyTime{*common::parse_time_of_day(at->as_string()),
                                tz != nullptr ? *common::parse_utc_offset(tz->as_string()) : 0};
        }
      }
      if (!item.contains("schedule")) c.schedule_at = plugin_default_schedule(c.plugin);
      if (const json::value* u = item.if_contains("uses")) c.uses = std::string(u->as_string());
      c.process_isolation = item.at("isolation").as_string() == "process";
      c.worker_memory_limit_mb = item.at("worker_memory_limit_mb").to_number<uint64_t>();
      c.config_json = json::serialize(item.at("config"));
      json::value redacted = item.at("config");
      std::string config_base = base + "/config";
      for (const auto* set : {&secret_pointers_, &refs_.resolved_pointers}) {
        for (const std::string& p : *set) {
          if (!has_prefix(p, config_base)) continue;
          if (json::value* v = pointer_find(redacted, p.substr(config_base.size()))) *v = "***";
        }
      }
      c.config_json_redacted = json::serialize(redacted);
      YamlPos pos = ctx_.doc.value_position(base);
      c.where = {ctx_.file_label, pos.line, pos.column};
      config.connectors.push_back(std::move(c));
    }
    return config;
  }

  // A plugin's own daily default, `"x-default-schedule": {"at": "12:00", "tz": "UTC"}` at the top
  // of its config schema, for connectors without a `schedule:` (e.g. rollworks: daily at noon).
  std::optional<common::DailyTime> plugin_default_schedule(const std::string& plugin) const {
    for (const PluginSchemaInfo& p : *plugins_) {
      if (p.name != plugin) continue;
      boost::system::error_code ec;
      const json::value schema = json::parse(p.config_schema_json, ec);
      const json::value* d = ec || !schema.is_object()
                                 ? nullptr
                                 : schema.as_object().if_contains("x-default-schedule");
      if (d == nullptr || !d->is_object()) return std::nullopt;
      const json::value* at = d->as_object().if_contains("at");
      const json::value* tz = d->as_object().if_contains("tz");
      const std::optional<int> minute =
          at && at->is_string() ? common::parse_time_of_day(at->get_string()) : std::nullopt;
      const std::optional<int> offset = tz == nullptr ? std::optional<int>(0)
                                        : tz->is_string()
                                            ? common::parse_utc_offset(tz->get_string())
                                            : std::nullopt;
      if (!minute || !offset) return std::nullopt;  // plugin-info shows the schema as written
      return common::DailyTime{*minute, *offset};
    }
    return std::nullopt;
  }

  const std::vector<PluginSchemaInfo>* plugins_;
  const HostValueChecks& checks_;
  std::filesystem::path source_path_;
  LoadContext ctx_;
  SecretRefOutcome refs_;
  std::unordered_set<std::string> secret_pointers_;
  std::vector<std::string> literal_values_;
  bool host_invalid_ = false;  // the host section failed its schema: skip value checks
  std::map<std::string, std::optional<json::value>> schemas_;
};

Result<HostConfig> to_result(LoadReport report) {
  if (!report.has_errors() && report.config) return std::move(*report.config);
  std::string message;
  for (const Diagnostic& d : report.diagnostics) {
    if (d.severity != Severity::kError) continue;
    if (!message.empty()) message += '\n';
    message += d.to_string();
  }
  return Error::config(message);
}

}  // namespace

LoadReport load_config_report(const std::filesystem::path& path,
                              const std::vector<PluginSchemaInfo>& plugins,
                              const HostValueChecks& checks) {
  return Loader(path, &plugins, checks).run();
}

Result<HostConfig> load_config(const std::filesystem::path& path,
                               const std::vector<PluginSchemaInfo>& plugins,
                               const HostValueChecks& checks) {
  return to_result(load_config_report(path, plugins, checks));
}

Result<HostConfig> load_host_section(const std::filesystem::path& path,
                                     const HostValueChecks& checks) {
  return to_result(Loader(path, nullptr, checks).run());
}

}  // namespace chost::config
