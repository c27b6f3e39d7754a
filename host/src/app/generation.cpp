// Generation: plugins -> instances -> connections -> scheduler, one instance at a time.
#include "generation.hpp"

#include <connector_host/plugin_api.h>

#include <boost/json.hpp>

#include "chost/app/options.hpp"
#include "chost/common/abi_status.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/host_callbacks.hpp"

namespace chost::app {

namespace json = boost::json;

namespace {

std::string load_errors_text(const loader::PluginRegistry& registry) {
  std::string text;
  for (const loader::PluginLoadError& e : registry.errors()) text += "; " + e.message;
  return text;
}

bool same_config(const config::ConnectorConfig& a, const config::ConnectorConfig& b) {
  return a.name == b.name && a.plugin == b.plugin && a.enabled == b.enabled &&
         a.schedule_every == b.schedule_every && a.schedule_at == b.schedule_at &&
         a.uses == b.uses && a.config_json == b.config_json &&
         a.process_isolation == b.process_isolation &&
         a.worker_memory_limit_mb == b.worker_memory_limit_mb;
}

std::unique_ptr<loader::PluginRegistry> scan(const config::HostConfig& config) {
  auto registry = std::make_unique<loader::PluginRegistry>();
  loader::LoadOptions load_options;
  load_options.allow_world_writable = config.host.allow_world_writable_plugin_dirs;
  registry->scan(config.host.plugin_dirs, runtime::host_callbacks(), load_options);
  return registry;
}

// Every configured plugin must be loadable before anything is built or replaced.
Status check_plugins(const config::HostConfig& config, const loader::PluginRegistry& registry) {
  for (const config::ConnectorConfig& cc : config.connectors) {
    if (!registry.find(cc.plugin)) {
      return Error::config("connector '" + cc.name + "': plugin '" + cc.plugin +
                           "' was not found in the plugin directories" +
                           load_errors_text(registry));
    }
  }
  return {};
}

store::InstanceStatusRecord record_of(const runtime::InstanceStatus& s, int64_t now_ms) {
  store::InstanceStatusRecord r;
  r.name = s.name;
  if (s.last_error) {
    r.last_error_class = to_string(s.last_error->cls);
    r.last_error = s.last_error->message;
  }
  r.last_outcome = s.last_sync_at_ms == 0                      ? ""
                   : s.last_success_at_ms == s.last_sync_at_ms ? "ok"
                   : s.last_error                              ? r.last_error_class
                                                               : "permanent";
  r.last_sync_at_ms = s.last_sync_at_ms;
  r.last_success_at_ms = s.last_success_at_ms;
  if (!s.last_summary_json.empty()) r.last_summary_json = s.last_summary_json;
  r.next_run_at_ms = s.next_run_at_ms;
  r.status_line = s.status_line;
  r.updated_at_ms = now_ms;
  return r;
}

runtime::InstanceStatus status_of(const store::InstanceStatusRecord& r) {
  runtime::InstanceStatus s;
  s.name = r.name;
  if (!r.last_error_class.empty() || !r.last_error.empty()) {
    s.last_error = Error{error_class_from_string(r.last_error_class), r.last_error};
  }
  s.last_sync_at_ms = r.last_sync_at_ms;
  s.last_success_at_ms = r.last_success_at_ms;
  if (r.last_summary_json != "{}") s.last_summary_json = r.last_summary_json;
  s.next_run_at_ms = r.next_run_at_ms;
  s.status_line = r.status_line;
  return s;
}

}  // namespace

GenerationInstance* Generation::find(std::string_view name) const {
  auto it = instances.find(name);
  return it == instances.end() ? nullptr : it->second.get();
}

std::optional<Error> Generation::create_slot(PluginSlot& slot, const config::ConnectorConfig& cc,
                                             const std::shared_ptr<loader::PluginLibrary>& lib,
                                             const std::string& borrows) {
  slot.ctx = std::make_unique<runtime::InstanceContext>(cc.name, *services, &board, manager.get(),
                                                        borrows);
  loader::IsolationOptions isolation;
  if (cc.process_isolation) {
    isolation.mode = loader::Isolation::kProcess;
    isolation.memory_limit_bytes = cc.worker_memory_limit_mb * 1024 * 1024;
  }
  slot.hooks =
      std::make_unique<LoaderHooks>(lib, slot.ctx->handle(), cc.config_json, std::move(isolation));
  Status created;
  LoaderHooks* hooks = slot.hooks.get();
  runtime::HookOutcome out =
      runtime::run_hook(*slot.ctx, slot.gate, services->clock->steady_ms() + create_timeout_ms,
                        nullptr, [&](chp_call* call) -> chp_status_code {
                          created = hooks->create(call);
                          return created ? CHP_OK : CHP_ERR_CONFIG;
                        });
  if (created) return std::nullopt;
  return Error{created.error().cls,
               "create failed: " + (out.error.empty() ? created.error().message : out.error)};
}

std::vector<Generation::ConsumerCheck> Generation::check_consumers(std::string_view name,
                                                                   const std::string& identity_json,
                                                                   int64_t timeout_ms) {
  std::vector<ConsumerCheck> checks;
  boost::system::error_code ec;
  json::value identity = json::parse(identity_json, ec);
  if (ec) identity = json::object{};
  const std::string input = json::serialize(json::object{
      {"step", "check_connection"}, {"connection", name}, {"identity", std::move(identity)}});
  for (auto& [consumer, in] : instances) {
    // Also a disabled consumer: admins re-authorize while it is off (its syncs stay off).
    if (!in->config.uses || *in->config.uses != name || in->create_error ||
        (in->library->descriptor().capabilities & CHP_CAP_CHECKS_CONNECTION) == 0) {
      continue;
    }
    ConsumerCheck check{consumer, {}, std::nullopt};
    PluginSlot slot;
    if (std::optional<Error> failed =
            create_slot(slot, in->config, in->library, std::string(name))) {
      check.refusal = Error{failed->cls, "could not check the account: " + failed->message};
    } else {
      LoaderHooks* hooks = slot.hooks.get();
      runtime::HookOutcome out =
          runtime::run_hook(*slot.ctx, slot.gate, services->clock->steady_ms() + timeout_ms,
                            nullptr, [&](chp_call* call) { return hooks->authorize(call, input); });
      if (out.status != CHP_OK) {
        check.refusal = Error{error_class_of(out.status),
                              out.error.empty() ? "refused the account" : out.error};
      } else {
        json::value v = json::parse(out.output, ec);
        const json::object* o = ec ? nullptr : v.if_object();
        const json::value* w = o ? o->if_contains("warnings") : nullptr;
        if (w && w->is_array()) {
          for (const json::value& item : w->as_array()) {
            if (item.is_string()) check.warnings.emplace_back(item.as_string());
          }
        }
      }
    }
    if (check.refusal) {
      board.set_error(consumer, check.refusal);
      services->log->log(runtime::LogLevel::kWarn, consumer,
                         "refuses the account just authorized for " + std::string(name) + ": " +
                             check.refusal->message);
    }
    for (const std::string& w : check.warnings) {
      services->log->log(runtime::LogLevel::kWarn, consumer, w);
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

std::unique_ptr<GenerationInstance> Generation::make_instance(
    const config::ConnectorConfig& cc, std::shared_ptr<loader::PluginLibrary> lib) {
  auto in = std::make_unique<GenerationInstance>();
  in->config = cc;
  in->library = std::move(lib);
  // A plugin that can do both (provide and use) is a consumer when configured with `uses:`.
  in->provides_connection =
      (in->library->descriptor().capabilities & CHP_CAP_PROVIDES_CONNECTION) != 0 &&
      !cc.uses.has_value();
  // A provider's own sync borrows its own connection's token, like a `uses:` consumer.
  in->create_error = create_slot(in->sync, cc, in->library,
                                 in->provides_connection ? cc.name : cc.uses.value_or(""));
  if (!in->create_error && in->provides_connection) {
    in->credential = std::make_unique<PluginSlot>();
    in->create_error = create_slot(*in->credential, cc, in->library, "");
  }
  auto flag = store->get(kHostNamespace, disabled_key(cc.name));
  in->enabled = cc.enabled && !(flag && flag->has_value() && **flag == "1");
  return in;
}

Status Generation::start_instance(GenerationInstance& in) {
  const std::string& name = in.config.name;
  if (in.create_error) {
    board.ensure(name, in.provides_connection ? runtime::InstanceKind::kConnection
                                              : runtime::InstanceKind::kConnector);
    board.set_state(name, runtime::InstanceState::kFailed);
    board.set_error(name, *in.create_error);
    services->log->log(runtime::LogLevel::kError, name, in.create_error->message);
    return {};
  }
  if (in.provides_connection) {
    runtime::CredentialInstance cred{in.credential->hooks.get(), in.credential->ctx.get(),
                                     &in.credential->gate};
    if (Status st = manager->add(name, cred); !st) {
      return Error{st.error().cls, "connector '" + name + "': " + st.error().message};
    }
    if (manager->state(name) == runtime::ConnectionState::kDisabled) in.enabled = false;
  }
  runtime::ScheduledInstance si;
  si.name = name;
  si.hooks = in.sync.hooks.get();
  si.gate = &in.sync.gate;
  si.ctx = in.sync.ctx.get();
  si.every_ms = in.config.schedule_every ? in.config.schedule_every->count() : 0;
  si.daily = in.config.schedule_at;
  // Providers wait for their own connection too: suspended while unauthorized, resumed by the
  // connection's listener once connected.
  si.uses_connection = in.sync.ctx->uses_connection();
  si.enabled = in.enabled;
  si.provides_connection = in.provides_connection;
  if (Status st = scheduler->add(std::move(si)); !st) return st;
  // StatusBoard::ensure (called by Scheduler::add) resets a connection's state to unauthorized;
  // put back what the connection restored from the store.
  if (in.provides_connection) {
    if (auto cs = manager->state(name)) board.set_state(name, runtime::board_state(*cs));
  }
  return {};
}

void Generation::stop_instance(const std::string& name, int64_t grace_ms) {
  auto it = instances.find(name);
  if (it == instances.end()) return;
  const bool idle = scheduler->remove(name, grace_ms);
  manager->remove(name);
  if (!idle) {
    // Its sync is stuck in plugin code that still uses the instance: keep it alive (leaked)
    // rather than free what the hook is using.
    services->log->log(runtime::LogLevel::kError, name,
                       "sync still running after the grace period; abandoning the old instance");
    (void)it->second.release();
  }
  instances.erase(it);
}

Result<std::unique_ptr<Generation>> Generation::build(const config::HostConfig& config,
                                                      const runtime::RuntimeServices& services,
                                                      store::StateStore& store) {
  auto gen = std::make_unique<Generation>();
  gen->services = &services;
  gen->store = &store;
  gen->create_timeout_ms = std::max<int64_t>(1000, config.host.timeouts.refresh.count());
  gen->registry = scan(config);
  if (Status st = check_plugins(config, *gen->registry); !st) return st.error();
  // One source of truth: the board shows what the store holds, from the last run or CLI sync on.
  if (auto stored = store.list_instance_statuses(); stored) {
    for (const store::InstanceStatusRecord& r : *stored) gen->board.restore(status_of(r));
  } else {
    services.log->log(runtime::LogLevel::kWarn, "",
                      "could not read stored statuses: " + stored.error().message);
  }
  for (const config::ConnectorConfig& cc : config.connectors) {
    auto subjects = store.list_subjects(cc.name);
    if (!subjects) {
      services.log->log(runtime::LogLevel::kWarn, cc.name,
                        "could not read stored subjects: " + subjects.error().message);
      continue;
    }
    for (const store::SubjectRecord& r : *subjects) {
      gen->board.set_subject(cc.name,
                             runtime::SubjectStatus{r.subject_id, r.display_name, r.state, r.detail,
                                                    r.updated_at_ms, r.admin_disabled});
    }
    gen->board.flush_disabled_subjects(cc.name);  // restored, not a transition: no observer yet
  }
  gen->board.set_persist([&store, &services](const runtime::InstanceStatus& s) {
    if (Status st = store.put_instance_status(record_of(s, services.clock->now_ms())); !st) {
      services.log->log(runtime::LogLevel::kWarn, s.name,
                        "could not store status: " + st.error().message);
    }
  });
  gen->manager = std::make_unique<runtime::ConnectionManager>(
      services, connection_options(config.host), &gen->board);
  gen->scheduler = std::make_unique<runtime::Scheduler>(scheduler_options(config.host), services,
                                                        gen->manager.get(), &gen->board);
  // Providers first: consumers look their connection up by name.
  for (bool providers : {true, false}) {
    for (const config::ConnectorConfig& cc : config.connectors) {
      auto lib = gen->registry->find(cc.plugin);
      const bool provides =
          (lib->descriptor().capabilities & CHP_CAP_PROVIDES_CONNECTION) != 0 && !cc.uses;
      if (provides != providers) continue;
      auto in = gen->make_instance(cc, lib);
      if (Status st = gen->start_instance(*in); !st) return st.error();
      gen->instances[cc.name] = std::move(in);
    }
  }
  return gen;
}

Result<std::vector<std::string>> Generation::apply(const config::HostConfig& config,
                                                   int64_t grace_ms) {
  auto next_registry = scan(config);
  if (Status st = check_plugins(config, *next_registry); !st) return st.error();
  std::map<std::string, const config::ConnectorConfig*, std::less<>> wanted;
  for (const config::ConnectorConfig& cc : config.connectors) wanted[cc.name] = &cc;
  std::vector<std::string> drop;
  for (const auto& [name, in] : instances) {
    auto w = wanted.find(name);
    const bool keep = w != wanted.end() && same_config(in->config, *w->second) &&
                      in->library->path() == next_registry->find(w->second->plugin)->path();
    if (!keep) drop.push_back(name);
  }
  for (const std::string& name : drop) stop_instance(name, grace_ms);
  std::vector<std::string> created;
  for (bool providers : {true, false}) {
    for (const config::ConnectorConfig& cc : config.connectors) {
      if (instances.count(cc.name)) continue;
      auto lib = next_registry->find(cc.plugin);
      const bool provides =
          (lib->descriptor().capabilities & CHP_CAP_PROVIDES_CONNECTION) != 0 && !cc.uses;
      if (provides != providers) continue;
      auto in = make_instance(cc, lib);
      if (Status st = start_instance(*in); !st) return st.error();
      instances[cc.name] = std::move(in);
      created.push_back(cc.name);
    }
  }
  registry = std::move(next_registry);  // kept instances pin their own libraries
  return created;
}

}  // namespace chost::app
