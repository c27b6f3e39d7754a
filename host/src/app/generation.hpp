// Generation: everything the Host builds from a HostConfig (plugins, connector instances, the
// connection registry, the status board, the scheduler). It lives as long as the Host and changes
// one instance at a time: admin enable/disable touch only their connector, and apply() (a config
// reload) re-creates only the connectors whose configuration changed, while the others keep
// running. Member order is destruction order in reverse: the scheduler goes first, then the
// connections (their refresh threads finish), then the instances (which pin their libraries),
// then the board and the registry.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chost/app/loader_hooks.hpp"
#include "chost/common/result.hpp"
#include "chost/config/host_config.hpp"
#include "chost/loader/plugin_registry.hpp"
#include "chost/runtime/connection_manager.hpp"
#include "chost/runtime/instance_context.hpp"
#include "chost/runtime/scheduler.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"
#include "chost/store/state_store.hpp"

namespace chost::app {

// One created plugin instance with its context and hook gate.
struct PluginSlot {
  std::unique_ptr<runtime::InstanceContext> ctx;
  std::unique_ptr<LoaderHooks> hooks;  // destroyed before ctx (declared after it)
  runtime::HookGate gate;
};

struct GenerationInstance {
  config::ConnectorConfig config;
  std::shared_ptr<loader::PluginLibrary> library;
  bool provides_connection = false;
  bool enabled = true;                // config and admin flag combined
  std::optional<Error> create_error;  // create() failed: shown as failed, never scheduled
  PluginSlot sync;                    // sync (and, without a connection, disable)
  // Providers only: the credential instance (authorize, refresh, disable), a second instance of
  // the plugin, so credential hooks never run nested inside the provider's own sync.
  std::unique_ptr<PluginSlot> credential;
};

struct Generation {
  std::unique_ptr<loader::PluginRegistry> registry;
  runtime::StatusBoard board;
  std::map<std::string, std::unique_ptr<GenerationInstance>, std::less<>> instances;
  std::unique_ptr<runtime::ConnectionManager> manager;
  std::unique_ptr<runtime::Scheduler> scheduler;

  // Loads the plugins, creates every instance (a create() failure marks only that connector
  // failed), registers providers and fills the scheduler (not started). `services` and `store`
  // must outlive the generation.
  static Result<std::unique_ptr<Generation>> build(const config::HostConfig& config,
                                                   const runtime::RuntimeServices& services,
                                                   store::StateStore& store);

  // Reload: connectors that were removed or whose configuration changed are stopped (their sync
  // cancelled and waited for within `grace_ms`) and re-created from `config`; the others keep
  // running untouched. A plugin missing from the new config's directories fails before anything
  // changes. Returns the names of connectors that were re-created or added.
  Result<std::vector<std::string>> apply(const config::HostConfig& config, int64_t grace_ms);

  GenerationInstance* find(std::string_view name) const;

  // ABI 1.3: what the consumers of connection `name` think of the account an admin has just
  // authorized. Each consumer (enabled or not) whose plugin has CHP_CAP_CHECKS_CONNECTION is asked
  // on a short-lived instance of its own (never its sync instance: no wait behind a running sync),
  // within `timeout_ms`; a refusal also becomes that consumer's last error.
  struct ConsumerCheck {
    std::string connector;
    std::vector<std::string> warnings;
    std::optional<Error> refusal;
  };
  std::vector<ConsumerCheck> check_consumers(std::string_view name,
                                             const std::string& identity_json, int64_t timeout_ms);

  const runtime::RuntimeServices* services = nullptr;
  store::StateStore* store = nullptr;
  int64_t create_timeout_ms = 60 * 1000;

 private:
  std::unique_ptr<GenerationInstance> make_instance(const config::ConnectorConfig& cc,
                                                    std::shared_ptr<loader::PluginLibrary> lib);
  // Creates `slot` as an instance of `cc`'s plugin borrowing connection `borrows` (may be empty).
  std::optional<Error> create_slot(PluginSlot& slot, const config::ConnectorConfig& cc,
                                   const std::shared_ptr<loader::PluginLibrary>& lib,
                                   const std::string& borrows);
  Status start_instance(GenerationInstance& in);  // registers with manager and scheduler
  void stop_instance(const std::string& name, int64_t grace_ms);
};

}  // namespace chost::app
