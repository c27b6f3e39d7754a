// Host: store + services for the process lifetime, and a Generation changed one instance at a
// time.
#include "chost/app/host.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "admin_glue.hpp"
#include "chost/app/common_ports.hpp"
#include "chost/app/http_client_port.hpp"
#include "chost/app/options.hpp"
#include "chost/app/orphans.hpp"
#include "chost/app/state_lock.hpp"
#include "chost/common/abi_status.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/notifier.hpp"
#include "chost/store/sqlite_store.hpp"
#include "generation.hpp"

namespace chost::app {

namespace json = boost::json;

struct Host::Impl {
  config::HostConfig config;
  HostOptions options;
  std::optional<StateLock> lock;  // held for the Host's life; released last
  std::unique_ptr<store::StateStore> store;
  runtime::Redactor* redactor = &log::redactor();  // process-wide: what log::write masks
  std::unique_ptr<CommonLogPort> log;
  metrics::Registry metrics;
  std::unique_ptr<RegistryMetricsPort> metrics_port;
  std::unique_ptr<http::HttpClient> http_client;
  std::unique_ptr<HttpClientPort> http;
  runtime::RuntimeServices services;
  // Before gen: the generation's board and connection listener call into it until gen is gone.
  std::unique_ptr<runtime::Notifier> notifier;

  mutable std::shared_mutex mu;  // shared: actions; unique: generation swap, start, stop
  std::unique_ptr<Generation> gen;
  bool started = false;
  std::unique_ptr<AdminGlue> admin;

  // Stops the scheduler, then the connections (a refresh whose request was sent finishes and
  // is stored). A generation with a stuck hook is released (leaked) instead of destroyed:
  // destroying it would wait for the hook, and the hook still uses the generation's objects.
  // mu held uniquely.
  std::vector<std::string> stop_generation() {
    if (!gen || !started) return {};
    runtime::StopReport report = gen->scheduler->stop(config.host.shutdown_grace.count());
    started = false;
    gen->manager->shutdown_all();
    for (const std::string& name : report.stuck) {
      log->log(runtime::LogLevel::kError, name,
               "hook still running after the shutdown grace period; abandoning it");
    }
    return report.stuck;
  }

  // The named instance, or the reason an action cannot reach it. mu held (shared).
  Result<GenerationInstance*> usable(const std::string& name) const {
    GenerationInstance* in = gen->find(name);
    if (!in) return Error::not_found("no connector named '" + name + "'");
    if (in->create_error) {
      return Error{in->create_error->cls, "connector '" + name + "': " + in->create_error->message};
    }
    return in;
  }

  Result<GenerationInstance*> provider(const std::string& name, const char* action) const {
    auto in = usable(name);
    if (!in) return in;
    if (!(*in)->provides_connection) {
      return Error::config("connector '" + name + "' does not provide a connection to " + action);
    }
    return in;
  }

  void log_line(runtime::LogLevel level, const std::string& msg) { log->log(level, "", msg); }

  // Last "sync now" per connector + '\0' + subject (steady ms), for the once-a-minute limit.
  std::mutex subject_sync_mu;
  std::map<std::string, int64_t> subject_sync_at;

  // The subject as the board knows it, or why an admin cannot act on it. mu held (shared).
  Result<runtime::SubjectStatus> subject(const std::string& connector,
                                         const std::string& id) const {
    if (auto in = usable(connector); !in) return in.error();
    if (auto st = gen->board.get(connector)) {
      for (const runtime::SubjectStatus& s : st->subjects) {
        if (s.subject_id == id) return s;
      }
    }
    return Error::not_found("connector '" + connector + "' has no user '" + id + "'");
  }
};

namespace {

// host.notify hears the generation's transitions: connection states from the manager's
// listener, connector failures and disabled subjects from the status board.
void wire_notifier(Generation& gen, runtime::Notifier& notifier) {
  gen.board.set_observer(runtime::StatusBoard::Observer{
      [&notifier](const runtime::InstanceStatus& s) { notifier.instance_changed(s); },
      [&notifier](std::string_view name, const std::vector<runtime::SubjectStatus>& subjects) {
        notifier.subjects_disabled(name, subjects);
      }});
  for (const std::string& name : gen.manager->names()) {
    if (auto state = gen.manager->state(name)) notifier.connection_seen(name, *state);
  }
  for (const runtime::InstanceStatus& s : gen.board.snapshot()) notifier.instance_seen(s);
  runtime::ConnectionManager* manager = gen.manager.get();
  manager->add_listener(
      [&notifier, manager](const std::string& name, runtime::ConnectionState state) {
        std::shared_ptr<runtime::Connection> c = manager->find(name);
        notifier.connection_changed(name, state, c ? c->reason() : std::string());
      });
}

}  // namespace

Host::Host(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Host::~Host() {
  if (impl_->admin) impl_->admin->stop();
  std::unique_lock lock(impl_->mu);
  impl_->stop_generation();
  impl_->notifier->stop();
  impl_->gen.reset();
}

namespace {
std::atomic<bool> g_state_init_allowed{false};
}  // namespace

void allow_state_init_for_process() { g_state_init_allowed.store(true); }

Result<std::unique_ptr<Host>> Host::open(config::HostConfig config, HostOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  log::LogOptions log_options;
  log_options.format = config.host.log.format;
  log_options.level = config.host.log.level;
  if (impl->options.log_sink) {
    log_options.sink = [sink = impl->options.log_sink](std::string_view line) {
      sink(std::string(line));
    };
  }
  log::init(std::move(log_options));
  for (const std::string& s : config.secret_values) impl->redactor->add(s);
  if (config.host.master_key) impl->redactor->add(*config.host.master_key);
  if (config.host.admin.token) impl->redactor->add(*config.host.admin.token);
  impl->log = std::make_unique<CommonLogPort>();

  if (config.host.state.backend == config::StateBackend::kPostgres) {
    return Error::config(
        "host.state.backend: postgres is not supported yet; use sqlite (the default)");
  }
  std::optional<store::MasterKey> key;
  if (config.host.master_key) {
    auto parsed = store::parse_master_key(*config.host.master_key);
    if (!parsed) return Error::config("host.master_key: " + parsed.error().message);
    key.emplace(std::move(*parsed));
  }
  auto lock = StateLock::acquire(config.host.state.path);
  if (!lock) return lock.error();
  impl->lock.emplace(std::move(*lock));
  store::SqliteStoreOptions store_options;
  store_options.init_state = impl->options.init_state || g_state_init_allowed.load();
  store_options.warn = [log = impl->log.get()](const std::string& message) {
    log->log(runtime::LogLevel::kWarn, "", message);
  };
  if (config.host.credentials.history_limit_entries > 0) {
    store_options.history_keep_per_connection =
        static_cast<size_t>(config.host.credentials.history_limit_entries);
  }
  auto st = store::open_sqlite_store(config.host.state.path.string(), std::move(key),
                                     std::move(store_options));
  if (!st) return st.error();
  impl->store = std::move(*st);
  // A state from another host (same key, other connector names) or a renamed connector: its
  // credentials stay in the file until an admin prunes them.
  if (auto orphans = find_orphans(*impl->store, config); orphans && !orphans->empty()) {
    std::string names;
    for (const auto& o : *orphans) names += (names.empty() ? "" : "; ") + describe_orphan(o);
    impl->log->log(runtime::LogLevel::kWarn, "",
                   "the state holds connectors or connections that the configuration does not "
                   "name: " +
                       names + "; `connector-host state prune -c FILE` lists and removes them");
  }
  http::HttpClientOptions http_options = http_client_options(config.host);
  // check-config reports these at their YAML keys; a CA file can also vanish before start.
  if (auto valid = http::validate_options(http_options); !valid) {
    return Error::config("host." + valid.error().message);
  }
  impl->services.http_default_timeout_ms = http_options.default_timeout_ms;
  http_options.metrics = &impl->metrics;
  // The runtime's event series (sync runs, durations, errors), described once here.
  (void)impl->metrics.describe_counter("chost_sync_runs_total",
                                       "Scheduled and manual sync runs by connector and result.");
  (void)impl->metrics.describe_counter("chost_sync_errors_total",
                                       "Failed sync runs by connector and error class.");
  (void)impl->metrics.describe_counter(
      "chost_sync_records_total",
      "Records of successful sync runs by connector and kind: in (read from the SaaS), out "
      "(written to it), failed (refused), from each run's summary.");
  (void)impl->metrics.describe_histogram("chost_sync_duration_seconds",
                                         "Duration of sync runs by connector.",
                                         {0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600});
  impl->http_client = std::make_unique<http::HttpClient>(std::move(http_options));
  impl->http = std::make_unique<HttpClientPort>(*impl->http_client);
  impl->metrics_port = std::make_unique<RegistryMetricsPort>(impl->metrics);
  impl->services.store = impl->store.get();
  impl->services.http = impl->http.get();
  impl->services.metrics = impl->metrics_port.get();
  impl->services.log = impl->log.get();
  impl->services.redactor = impl->redactor;
  impl->services.clock = &runtime::system_clock();
  impl->services.random = &runtime::system_random();

  runtime::NotifierOptions notify_options = notifier_options(config.host);
  for (const runtime::WebhookTarget& w : notify_options.webhooks) impl->redactor->add(w.secret);
  notify_options.metrics = &impl->metrics;
  impl->notifier = std::make_unique<runtime::Notifier>(std::move(notify_options), impl->services);
  auto gen = Generation::build(config, impl->services, *impl->store);
  if (!gen) return gen.error();
  impl->gen = std::move(*gen);
  if (impl->notifier->active()) wire_notifier(*impl->gen, *impl->notifier);
  impl->config = std::move(config);
  return std::unique_ptr<Host>(new Host(std::move(impl)));
}

Status Host::start() {
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->started) return {};
    impl_->gen->scheduler->start();
    impl_->started = true;
  }
  // Also delivers what an earlier run (or a CLI verb on the stopped host) left queued.
  if (impl_->notifier->active()) impl_->notifier->start();
  impl_->log_line(
      runtime::LogLevel::kInfo,
      "started with " + std::to_string(impl_->config.connectors.size()) + " connector(s)");
  if (AdminGlue::wanted(impl_->config)) {
    auto admin = AdminGlue::start(*this, impl_->config);
    if (!admin) return admin.error();
    impl_->admin = std::move(*admin);
    impl_->log_line(runtime::LogLevel::kInfo, "admin API listening on " + impl_->admin->url());
  }
  return {};
}

std::vector<std::string> Host::stop() {
  if (impl_->admin) impl_->admin->stop();
  std::vector<std::string> stuck;
  {
    std::unique_lock lock(impl_->mu);
    stuck = impl_->stop_generation();
  }
  impl_->notifier->stop();  // undelivered events stay queued for the next start
  return stuck;
}

Status Host::reload(config::HostConfig config) {
  const auto& old_state = impl_->config.host.state;
  if (config.host.state.path != old_state.path ||
      config.host.master_key != impl_->config.host.master_key ||
      config.host.state.backend != old_state.backend) {
    return Error::config(
        "host.state and host.master_key cannot change on reload; restart the host");
  }
  for (const std::string& s : config.secret_values) impl_->redactor->add(s);
  const auto& old_admin = impl_->config.host.admin;
  if (config.host.admin.listen != old_admin.listen || config.host.admin.token != old_admin.token ||
      config.host.admin.public_url != old_admin.public_url) {
    impl_->log_line(runtime::LogLevel::kWarn,
                    "host.admin changes take effect after a restart; the admin API keeps its "
                    "current settings");
  }
  const http::HttpClientOptions old_http = http_client_options(impl_->config.host);
  const http::HttpClientOptions new_http = http_client_options(config.host);
  if (new_http.proxy != old_http.proxy || new_http.ca_file != old_http.ca_file ||
      new_http.connect_timeout_ms != old_http.connect_timeout_ms ||
      new_http.default_timeout_ms != old_http.default_timeout_ms) {
    impl_->log_line(runtime::LogLevel::kWarn,
                    "host.http changes take effect after a restart; plugin requests keep the "
                    "current proxy, CA file and timeouts");
  }
  std::unique_lock lock(impl_->mu);
  auto changed = impl_->gen->apply(config, config.host.shutdown_grace.count());
  if (!changed) return changed.error();
  impl_->log_line(runtime::LogLevel::kInfo,
                  "reloaded: " + std::to_string(changed->size()) + " connector(s) (re)created, " +
                      std::to_string(config.connectors.size() - changed->size()) +
                      " unchanged and still running");
  impl_->config = std::move(config);
  return {};
}

Result<std::string> Host::authorize(const std::string& name, const std::string& input_json) {
  std::shared_lock lock(impl_->mu);
  auto in = impl_->provider(name, "authorize");
  if (!in) return in.error();
  Result<std::string> out = impl_->gen->manager->authorize(name, input_json);
  if (!out) return out;
  boost::system::error_code ec;
  json::value answer = json::parse(*out, ec);
  json::object* o = ec ? nullptr : answer.if_object();
  const json::value* identity = o ? o->if_contains("identity") : nullptr;
  if (identity == nullptr) return out;  // an interactive start: nothing is authorized yet
  // The consumers' word on the account (ABI 1.3), in the same answer as the provider's own.
  const auto checks =
      impl_->gen->check_consumers(name, json::serialize(*identity),
                                  connection_options(impl_->config.host).authorize_timeout_ms);
  if (checks.empty()) return out;
  json::array warnings;
  if (const json::value* w = o->if_contains("warnings"); w && w->is_array())
    warnings = w->as_array();
  json::array results;
  for (const Generation::ConsumerCheck& c : checks) {
    json::array mine;
    for (const std::string& w : c.warnings) {
      warnings.emplace_back(c.connector + ": " + w);
      mine.emplace_back(w);
    }
    json::object r{{"connector", c.connector}, {"ok", !c.refusal}, {"warnings", std::move(mine)}};
    if (c.refusal) r["error"] = c.refusal->message;
    results.push_back(std::move(r));
  }
  (*o)["warnings"] = std::move(warnings);
  (*o)["checks"] = std::move(results);
  return json::serialize(answer);
}

Status Host::refresh(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  auto in = impl_->provider(name, "refresh");
  if (!in) return in.error();
  return impl_->gen->manager->refresh_now(name);
}

namespace {

Status put_flag(store::StateStore& store, const std::string& name, bool disabled) {
  auto txn = store.begin(kHostNamespace);
  if (!txn) return txn.error();
  Status st = disabled ? (*txn)->put(disabled_key(name), "1") : (*txn)->del(disabled_key(name));
  if (!st) return st;
  return (*txn)->commit();
}

}  // namespace

// Touches only the named connector: its sync is cancelled and waited for, its disable hook
// runs once (the flag is durable, so a second disable, also after a restart, does not reach the
// plugin), and the other connectors and their connections go on undisturbed.
Status Host::disable(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  auto found = impl_->usable(name);
  if (!found) return found.error();
  GenerationInstance* in = *found;
  auto flag = impl_->store->get(kHostNamespace, disabled_key(name));
  if (!flag) return flag.error();
  const bool already = flag->has_value() && **flag == "1";
  const int64_t grace_ms = impl_->config.host.shutdown_grace.count();
  auto idle = impl_->gen->scheduler->disable(name, grace_ms);
  if (!idle) return idle.error();
  in->enabled = false;
  if (in->provides_connection) {
    if (Status st = impl_->gen->manager->disable(name, "disabled by an admin"); !st) return st;
    in->sync.hooks->mark_for_recreate();  // enabling starts from a fresh sync instance
  } else if (!already && *idle) {
    const runtime::ConnectionOptions copt = connection_options(impl_->config.host);
    runtime::HookOutcome out = runtime::run_hook(
        *in->sync.ctx, in->sync.gate,
        runtime::HookCall{impl_->services.clock->steady_ms() + copt.disable_timeout_ms, nullptr,
                          copt.token_response_ms},
        [&](chp_call* call) { return in->sync.hooks->disable(call, "{}"); });
    if (out.status != CHP_OK && out.status != CHP_ERR_UNSUPPORTED) {
      impl_->log->log(runtime::LogLevel::kWarn, name, "disable hook failed: " + out.error);
    }
  } else if (!*idle) {
    impl_->log->log(runtime::LogLevel::kWarn, name,
                    "its sync did not stop within the grace period; disable hook skipped");
  }
  if (Status st = put_flag(*impl_->store, name, true); !st) return st;
  impl_->log->log(runtime::LogLevel::kInfo, name, "disabled by an admin");
  return {};
}

Status Host::enable(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  auto found = impl_->usable(name);
  if (!found) return found.error();
  GenerationInstance* in = *found;
  if (in->provides_connection) {
    if (Status st = impl_->gen->manager->enable(name); !st) return st;
  }
  if (Status st = put_flag(*impl_->store, name, false); !st) return st;
  in->enabled = in->config.enabled;
  if (in->enabled) {
    if (Status st = impl_->gen->scheduler->enable(name); !st) return st;
  }
  impl_->log->log(runtime::LogLevel::kInfo, name, "enabled by an admin");
  return {};
}

Status Host::sync_now(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  if (auto in = impl_->usable(name); !in) return in.error();
  return impl_->gen->scheduler->sync_now(name);
}

Status Host::set_subject_enabled(const std::string& connector, const std::string& subject,
                                 bool enabled) {
  std::shared_lock lock(impl_->mu);
  auto s = impl_->subject(connector, subject);
  if (!s) return s.error();
  if (s->admin_disabled == !enabled) return {};  // already so: nothing to write
  if (Status st = impl_->store->set_subject_admin_disabled(connector, subject, !enabled); !st) {
    return st;
  }
  impl_->gen->board.set_subject_admin_disabled(connector, subject, !enabled);
  impl_->log->log(runtime::LogLevel::kInfo, connector,
                  "user " + subject + (enabled ? " enabled" : " disabled") + " by an admin");
  return {};
}

HookResult Host::sync_subject(const std::string& connector, const std::string& subject) {
  auto refuse = [](const Error& e) {
    HookResult r;
    r.status = chost::status_name(status_code_of(e.cls));
    r.error = e.message;
    return r;
  };
  bool running = false;
  {
    std::shared_lock lock(impl_->mu);
    auto s = impl_->subject(connector, subject);
    if (!s) return refuse(s.error());
    if (s->admin_disabled) {
      return refuse(Error::config("user " + subject + " is disabled by an admin; enable it first"));
    }
    running = impl_->started;
  }
  {
    std::lock_guard<std::mutex> l(impl_->subject_sync_mu);
    const std::string key = connector + '\0' + subject;
    const int64_t now = impl_->services.clock->steady_ms();
    auto it = impl_->subject_sync_at.find(key);
    if (it != impl_->subject_sync_at.end() && now - it->second < kSubjectSyncIntervalMs) {
      const int64_t wait_s = (kSubjectSyncIntervalMs - (now - it->second) + 999) / 1000;
      return refuse(Error::conflict("user " + subject +
                                    " was synced less than a minute ago; try again in " +
                                    std::to_string(wait_s) + " s"));
    }
    impl_->subject_sync_at[key] = now;
  }
  if (!running) return sync_once(connector, {subject});
  std::shared_lock lock(impl_->mu);
  if (Status st = impl_->gen->scheduler->sync_now(connector, {subject}); !st) {
    return refuse(st.error());
  }
  HookResult r;
  r.ok = true;
  r.status = "ok";
  r.output = R"({"queued":true})";
  return r;
}

HookResult Host::sync_once(const std::string& name, const std::vector<std::string>& subjects) {
  std::shared_lock lock(impl_->mu);
  HookResult r;
  auto found = impl_->usable(name);
  if (!found) {
    r.status = chost::status_name(status_code_of(found.error().cls));
    r.error = found.error().message;
    return r;
  }
  GenerationInstance* in = *found;
  if (!in->enabled) {
    r.status = "config";
    r.error = "connector '" + name + "' is disabled";
    return r;
  }
  runtime::HookOutcome out = runtime::run_hook(
      *in->sync.ctx, in->sync.gate,
      impl_->services.clock->steady_ms() + impl_->config.host.timeouts.sync.count(), nullptr,
      [&, input = runtime::sync_input_json("manual", subjects,
                                           impl_->gen->board.admin_disabled_subjects(name))](
          chp_call* call) { return in->sync.hooks->sync(call, input); });
  r.ok = out.status == CHP_OK;
  r.status = chost::status_name(out.status);
  r.error = out.error;
  r.output = impl_->redactor->redact(out.output);
  // The same record a scheduled run leaves, so `status` shows it later, also on a stopped host.
  runtime::StatusBoard& board = impl_->gen->board;
  board.record_sync(name, r.ok, impl_->services.clock->now_ms(), r.ok ? r.output : "");
  board.set_error(
      name, r.ok ? std::nullopt
                 : std::optional<Error>(Error{chost::error_class_of(out.status),
                                              out.error.empty() ? "sync failed" : out.error}));
  if (out.status == CHP_ERR_AUTH_REVOKED && in->config.uses &&
      impl_->gen->manager->state(*in->config.uses) != runtime::ConnectionState::kConnected) {
    runtime::mark_subjects_waiting(impl_->services, board, *impl_->gen->manager, name,
                                   *in->config.uses);
  }
  return r;
}

Result<std::vector<store::OutboxEntry>> Host::outbox(const std::string& name, OutboxState state,
                                                     size_t limit) {
  std::shared_lock lock(impl_->mu);
  if (!impl_->gen->find(name)) return Error::not_found("no connector named '" + name + "'");
  auto entries = state == OutboxState::kPending ? impl_->store->outbox_pending(name, limit)
                                                : impl_->store->outbox_failed(name);
  if (!entries) return entries.error();
  if (entries->size() > limit) entries->resize(limit);
  // The errors quote what the SaaS answered, which may echo a value the host knows as secret.
  for (store::OutboxEntry& e : *entries) e.error = impl_->redactor->redact(e.error);
  return entries;
}

Result<std::vector<OrphanStatus>> Host::orphans() {
  std::shared_lock lock(impl_->mu);
  auto found = find_orphans(*impl_->store, impl_->config);
  if (!found) return found.error();
  std::vector<OrphanStatus> out;
  for (auto& o : *found) out.push_back(OrphanStatus{std::move(o.name), std::move(o.holds)});
  return out;
}

Result<std::vector<int64_t>> Host::outbox_retry(const std::string& name,
                                                const std::vector<int64_t>& entry_ids) {
  std::shared_lock lock(impl_->mu);
  if (!impl_->gen->find(name)) return Error::not_found("no connector named '" + name + "'");
  auto failed = impl_->store->outbox_failed(name);
  if (!failed) return failed.error();
  std::vector<int64_t> ids;
  for (const store::OutboxEntry& e : *failed) {
    if (entry_ids.empty() ||
        std::find(entry_ids.begin(), entry_ids.end(), e.entry_id) != entry_ids.end()) {
      ids.push_back(e.entry_id);
    }
  }
  // Check every id first: an admin's typo must not retry half of what was asked.
  for (int64_t id : entry_ids) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      return Error::not_found("connector '" + name + "' has no failed outbox entry " +
                              std::to_string(id));
    }
  }
  for (int64_t id : ids) {
    if (Status st = impl_->store->outbox_retry(name, id); !st) return st.error();
  }
  if (!ids.empty()) {
    impl_->log->log(runtime::LogLevel::kInfo, name,
                    std::to_string(ids.size()) + " failed outbox entr" +
                        (ids.size() == 1 ? "y" : "ies") + " retried by an admin");
  }
  return ids;
}

std::vector<ConnectorStatus> Host::status() {
  std::shared_lock lock(impl_->mu);
  std::vector<ConnectorStatus> out;
  for (const auto& [name, in] : impl_->gen->instances) {
    ConnectorStatus s;
    s.name = name;
    s.plugin = in->config.plugin;
    s.kind = in->provides_connection ? "connection" : "connector";
    s.uses = in->config.uses.value_or("");
    if (in->config.schedule_every) s.schedule_every_ms = in->config.schedule_every->count();
    if (auto b = impl_->gen->board.get(name)) {
      s.state = runtime::to_string(b->state);
      s.status_line = b->status_line;
      if (b->last_error) {
        s.last_error_class = to_string(b->last_error->cls);
        s.last_error = b->last_error->message;
      }
      s.last_sync_at_ms = b->last_sync_at_ms;
      s.last_success_at_ms = b->last_success_at_ms;
      s.last_summary_json = b->last_summary_json;
      s.next_run_at_ms = b->next_run_at_ms;
      s.subjects = b->subjects;
    }
    if (!in->enabled && !in->create_error) s.state = "disabled";
    if (in->provides_connection) {
      if (auto row = impl_->store->get_connection(name); row && row->has_value()) {
        s.identity_json = (*row)->identity_json;
        if (s.last_error.empty() && !(*row)->reason.empty() && (*row)->state != "connected") {
          s.status_line = (*row)->reason;
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool Host::running() const {
  std::shared_lock lock(impl_->mu);
  return impl_->started;
}

std::string Host::version() { return CHOST_VERSION; }

Status Host::health() const {
  std::shared_lock lock(impl_->mu);
  return impl_->gen->scheduler->health();
}

const config::HostConfig& Host::config() const { return impl_->config; }
store::StateStore& Host::store() { return *impl_->store; }
runtime::LogPort& Host::log() { return *impl_->log; }
runtime::Redactor& Host::redactor() { return *impl_->redactor; }
metrics::Registry& Host::metrics() { return impl_->metrics; }
std::string Host::admin_url() const { return impl_->admin ? impl_->admin->url() : ""; }

}  // namespace chost::app
