// Generation::build: plugins -> instances -> connection manager -> scheduler.
#include "generation.hpp"

#include <connector_host/plugin_api.h>

#include "chost/app/options.hpp"
#include "chost/common/abi_status.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/host_callbacks.hpp"

namespace chost::app {

namespace {

std::string load_errors_text(const loader::PluginRegistry& registry) {
  std::string text;
  for (const loader::PluginLoadError& e : registry.errors()) text += "; " + e.message;
  return text;
}

runtime::InstanceState board_state_of(runtime::ConnectionState state) {
  switch (state) {
    case runtime::ConnectionState::kUnauthorized:
      return runtime::InstanceState::kUnauthorized;
    case runtime::ConnectionState::kConnected:
      return runtime::InstanceState::kConnected;
    case runtime::ConnectionState::kRefreshing:
      return runtime::InstanceState::kRefreshing;
    case runtime::ConnectionState::kDisconnected:
      return runtime::InstanceState::kDisconnected;
    case runtime::ConnectionState::kDisabled:
      return runtime::InstanceState::kDisabled;
  }
  return runtime::InstanceState::kUnauthorized;
}

}  // namespace

GenerationInstance* Generation::find(std::string_view name) const {
  auto it = instances.find(name);
  return it == instances.end() ? nullptr : it->second.get();
}

Result<std::unique_ptr<Generation>> Generation::build(const config::HostConfig& config,
                                                      const runtime::RuntimeServices& services,
                                                      store::StateStore& store) {
  auto gen = std::make_unique<Generation>();
  loader::LoadOptions load_options;
  load_options.allow_world_writable = config.host.allow_world_writable_plugin_dirs;
  gen->registry.scan(config.host.plugin_dirs, runtime::host_callbacks(), load_options);
  gen->manager = std::make_unique<runtime::ConnectionManager>(
      services, connection_options(config.host), &gen->board);

  const int64_t create_timeout_ms = std::max<int64_t>(1000, config.host.timeouts.refresh.count());
  for (const config::ConnectorConfig& cc : config.connectors) {
    auto in = std::make_unique<GenerationInstance>();
    in->config = cc;
    in->library = gen->registry.find(cc.plugin);
    if (!in->library) {
      return Error::config("connector '" + cc.name + "': plugin '" + cc.plugin +
                           "' was not found in the plugin directories" +
                           load_errors_text(gen->registry));
    }
    // A plugin that can do both (provide and use) is a consumer when configured with `uses:`.
    in->provides_connection =
        (in->library->descriptor().capabilities & CHP_CAP_PROVIDES_CONNECTION) != 0 &&
        !cc.uses.has_value();
    // A provider's own sync borrows its own connection's token (and the refresh it may need
    // runs re-entrantly under the same HookGate).
    const std::string borrows = in->provides_connection ? cc.name : cc.uses.value_or("");
    in->ctx = std::make_unique<runtime::InstanceContext>(cc.name, services, &gen->board,
                                                         gen->manager.get(), borrows);
    in->hooks = std::make_unique<LoaderHooks>(in->library, in->ctx->handle(), cc.config_json);
    Status created;
    LoaderHooks* hooks = in->hooks.get();
    runtime::HookOutcome out =
        runtime::run_hook(*in->ctx, in->gate, services.clock->steady_ms() + create_timeout_ms,
                          nullptr, [&](chp_call* call) -> chp_status_code {
                            created = hooks->create(call);
                            return created ? CHP_OK : CHP_ERR_CONFIG;
                          });
    if (!created) {
      return Error{created.error().cls,
                   "connector '" + cc.name + "': create failed: " +
                       (out.error.empty() ? created.error().message : out.error)};
    }
    if (in->provides_connection) {
      if (Status st = gen->manager->add(cc.name, in->hooks.get(), &in->gate); !st) {
        return Error{st.error().cls, "connector '" + cc.name + "': " + st.error().message};
      }
    }
    auto flag = store.get(kHostNamespace, disabled_key(cc.name));
    if (!flag) return flag.error();
    in->enabled = cc.enabled && !(flag->has_value() && **flag == "1");
    if (in->provides_connection &&
        gen->manager->state(cc.name) == runtime::ConnectionState::kDisabled) {
      in->enabled = false;
    }
    gen->instances[cc.name] = std::move(in);
  }

  gen->scheduler = std::make_unique<runtime::Scheduler>(scheduler_options(config.host), services,
                                                        gen->manager.get(), &gen->board);
  for (auto& [name, in] : gen->instances) {
    runtime::ScheduledInstance si;
    si.name = name;
    si.hooks = in->hooks.get();
    si.gate = &in->gate;
    si.ctx = in->ctx.get();
    si.every_ms = in->config.schedule_every ? in->config.schedule_every->count() : 0;
    // Providers wait for their own connection too: suspended while unauthorized, resumed by
    // the connection manager's listener once connected.
    si.uses_connection = in->ctx->uses_connection();
    si.enabled = in->enabled;
    si.provides_connection = in->provides_connection;
    gen->scheduler->add(std::move(si));
    // StatusBoard::ensure (called by Scheduler::add) resets a connection's state to
    // unauthorized; put back what the connection manager restored from the store.
    if (in->provides_connection) {
      if (auto cs = gen->manager->state(name)) gen->board.set_state(name, board_state_of(*cs));
    }
  }
  return gen;
}

}  // namespace chost::app
