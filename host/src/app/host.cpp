// Host: store + services for the process lifetime, and a replaceable Generation.
#include "chost/app/host.hpp"

#include <boost/json.hpp>
#include <mutex>
#include <shared_mutex>

#include "admin_glue.hpp"
#include "chost/app/common_ports.hpp"
#include "chost/app/http_client_port.hpp"
#include "chost/app/options.hpp"
#include "chost/app/state_lock.hpp"
#include "chost/app/state_store_adapter.hpp"
#include "chost/common/abi_status.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/store/sqlite_store.hpp"
#include "generation.hpp"

namespace chost::app {

struct Host::Impl {
  config::HostConfig config;
  HostOptions options;
  std::optional<StateLock> lock;  // held for the Host's life; released last
  std::unique_ptr<store::StateStore> store;
  std::unique_ptr<StateStoreAdapter> store_port;
  runtime::Redactor* redactor = &log::redactor();  // process-wide: what log::write masks
  std::unique_ptr<CommonLogPort> log;
  metrics::Registry metrics;
  std::unique_ptr<RegistryMetricsPort> metrics_port;
  std::unique_ptr<http::HttpClient> http_client;
  std::unique_ptr<HttpClientPort> http;
  runtime::RuntimeServices services;

  mutable std::shared_mutex mu;  // shared: actions; unique: generation swap, start, stop
  std::unique_ptr<Generation> gen;
  bool started = false;
  std::unique_ptr<AdminGlue> admin;

  // Stops the running generation's scheduler. A generation with a stuck hook is released
  // (leaked) instead of destroyed: destroying it would wait for the hook, and the hook still
  // uses the generation's objects. mu held uniquely.
  std::vector<std::string> stop_generation() {
    if (!gen || !started) return {};
    runtime::StopReport report = gen->scheduler->stop(config.host.shutdown_grace.count());
    started = false;
    for (const std::string& name : report.stuck) {
      log->log(runtime::LogLevel::kError, name,
               "hook still running after the shutdown grace period; abandoning it");
    }
    return report.stuck;
  }

  // Builds a generation from `cfg` and swaps it in (restarting the scheduler when running).
  // On failure the old generation keeps running. mu held uniquely.
  Status replace(const config::HostConfig& cfg) {
    auto next = Generation::build(cfg, services, *store);
    if (!next) return next.error();
    const bool was_started = started;
    std::vector<std::string> stuck = stop_generation();
    if (!stuck.empty()) {
      (void)gen.release();  // see stop_generation
    }
    gen = std::move(*next);
    if (was_started) {
      gen->scheduler->start();
      started = true;
    }
    return {};
  }

  void log_line(runtime::LogLevel level, const std::string& msg) { log->log(level, "", msg); }
};

Host::Host(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Host::~Host() {
  if (impl_->admin) impl_->admin->stop();
  std::unique_lock lock(impl_->mu);
  impl_->stop_generation();
  impl_->gen.reset();
}

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
  if (config.host.credentials.history_limit_entries > 0) {
    store_options.history_keep_per_connection =
        static_cast<size_t>(config.host.credentials.history_limit_entries);
  }
  auto st = store::open_sqlite_store(config.host.state.path.string(), std::move(key),
                                     std::move(store_options));
  if (!st) return st.error();
  impl->store = std::move(*st);
  impl->store_port = std::make_unique<StateStoreAdapter>(*impl->store);
  http::HttpClientOptions http_options;
  http_options.default_timeout_ms = impl->services.http_default_timeout_ms;
  http_options.metrics = &impl->metrics;
  impl->http_client = std::make_unique<http::HttpClient>(std::move(http_options));
  impl->http = std::make_unique<HttpClientPort>(*impl->http_client);
  impl->metrics_port = std::make_unique<RegistryMetricsPort>(impl->metrics);
  impl->services.store = impl->store_port.get();
  impl->services.http = impl->http.get();
  impl->services.metrics = impl->metrics_port.get();
  impl->services.log = impl->log.get();
  impl->services.redactor = impl->redactor;
  impl->services.clock = &runtime::system_clock();
  impl->services.random = &runtime::system_random();

  auto gen = Generation::build(config, impl->services, *impl->store);
  if (!gen) return gen.error();
  impl->gen = std::move(*gen);
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
  std::unique_lock lock(impl_->mu);
  return impl_->stop_generation();
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
  std::unique_lock lock(impl_->mu);
  if (Status st = impl_->replace(config); !st) return st;
  impl_->config = std::move(config);
  return {};
}

Result<std::string> Host::authorize(const std::string& name, const std::string& input_json) {
  std::shared_lock lock(impl_->mu);
  GenerationInstance* in = impl_->gen->find(name);
  if (!in) return Error::not_found("no connector named '" + name + "'");
  if (!in->provides_connection) {
    return Error::config("connector '" + name + "' does not provide a connection to authorize");
  }
  return impl_->gen->manager->authorize(name, input_json);
}

Status Host::refresh(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  GenerationInstance* in = impl_->gen->find(name);
  if (!in) return Error::not_found("no connector named '" + name + "'");
  if (!in->provides_connection) {
    return Error::config("connector '" + name + "' does not provide a connection to refresh");
  }
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

Status Host::disable(const std::string& name) {
  {
    std::shared_lock lock(impl_->mu);
    GenerationInstance* in = impl_->gen->find(name);
    if (!in) return Error::not_found("no connector named '" + name + "'");
    if (in->provides_connection) {
      if (Status st = impl_->gen->manager->disable(name, "disabled by an admin"); !st) return st;
    } else {
      runtime::HookOutcome out = runtime::run_hook(
          *in->ctx, in->gate,
          impl_->services.clock->steady_ms() + impl_->config.host.timeouts.disable.count(), nullptr,
          [&](chp_call* call) { return in->hooks->disable(call, "{}"); });
      if (out.status != CHP_OK) {
        impl_->log->log(runtime::LogLevel::kWarn, name, "disable hook failed: " + out.error);
      }
    }
    if (Status st = put_flag(*impl_->store, name, true); !st) return st;
  }
  impl_->log->log(runtime::LogLevel::kInfo, name, "disabled by an admin");
  std::unique_lock lock(impl_->mu);
  if (!impl_->started) return {};
  return impl_->replace(impl_->config);
}

Status Host::enable(const std::string& name) {
  {
    std::shared_lock lock(impl_->mu);
    GenerationInstance* in = impl_->gen->find(name);
    if (!in) return Error::not_found("no connector named '" + name + "'");
    if (in->provides_connection) {
      if (Status st = impl_->gen->manager->enable(name); !st) return st;
    }
    if (Status st = put_flag(*impl_->store, name, false); !st) return st;
  }
  impl_->log->log(runtime::LogLevel::kInfo, name, "enabled by an admin");
  std::unique_lock lock(impl_->mu);
  if (!impl_->started) return {};  // the next start creates fresh instances anyway
  // The replacement re-creates every instance: the SDK refuses to sync a disabled one.
  return impl_->replace(impl_->config);
}

Status Host::sync_now(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  return impl_->gen->scheduler->sync_now(name);
}

HookResult Host::sync_once(const std::string& name) {
  std::shared_lock lock(impl_->mu);
  HookResult r;
  GenerationInstance* in = impl_->gen->find(name);
  if (!in) {
    r.status = "not_found";
    r.error = "no connector named '" + name + "'";
    return r;
  }
  if (!in->enabled) {
    r.status = "config";
    r.error = "connector '" + name + "' is disabled";
    return r;
  }
  runtime::HookOutcome out = runtime::run_hook(
      *in->ctx, in->gate,
      impl_->services.clock->steady_ms() + impl_->config.host.timeouts.sync.count(), nullptr,
      [&](chp_call* call) { return in->hooks->sync(call, R"({"reason":"manual"})"); });
  r.ok = out.status == CHP_OK;
  r.status = chost::status_name(out.status);
  r.error = out.error;
  r.output = impl_->redactor->redact(out.output);
  return r;
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
    if (auto b = impl_->gen->board.get(name)) {
      s.state = runtime::to_string(b->state);
      s.status_line = b->status_line;
      if (b->last_error) {
        s.last_error = std::string(to_string(b->last_error->cls)) + ": " + b->last_error->message;
      }
      s.last_sync_at_ms = b->last_sync_at_ms;
      s.subjects = b->subjects;
    }
    if (!in->enabled) s.state = "disabled";
    if (in->provides_connection) {
      if (auto row = impl_->store->get_connection(name); row && row->has_value()) {
        s.identity_json = (*row)->identity_json;
        if (s.last_error.empty() && !(*row)->reason.empty() && (*row)->state != "connected") {
          s.status_line = (*row)->reason;
        }
      }
    }
    if (s.subjects.empty()) {
      if (auto subs = impl_->store->list_subjects(name); subs) {
        for (const store::SubjectRecord& r : *subs) {
          s.subjects.push_back(runtime::SubjectStatus{r.subject_id, r.display_name, r.state,
                                                      r.detail, r.updated_at_ms});
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

const config::HostConfig& Host::config() const { return impl_->config; }
store::StateStore& Host::store() { return *impl_->store; }
runtime::LogPort& Host::log() { return *impl_->log; }
runtime::Redactor& Host::redactor() { return *impl_->redactor; }
metrics::Registry& Host::metrics() { return impl_->metrics; }
std::string Host::admin_url() const { return impl_->admin ? impl_->admin->url() : ""; }

}  // namespace chost::app
