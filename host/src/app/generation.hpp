// Generation: everything the Host builds from one HostConfig (plugins, instances, connection
// manager, status board, scheduler), owned together so it is replaced as a whole. Member order
// is destruction order in reverse: the scheduler goes first, then the connection manager, then
// the instances (which pin their libraries), then the board and the registry.
#pragma once

#include <map>
#include <memory>
#include <string>

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

struct GenerationInstance {
  config::ConnectorConfig config;
  std::shared_ptr<loader::PluginLibrary> library;
  bool provides_connection = false;
  bool enabled = true;  // config and admin flag combined
  std::unique_ptr<runtime::InstanceContext> ctx;
  std::unique_ptr<LoaderHooks> hooks;  // destroyed before ctx (declared after it)
  runtime::HookGate gate;
};

struct Generation {
  loader::PluginRegistry registry;
  runtime::StatusBoard board;
  std::map<std::string, std::unique_ptr<GenerationInstance>, std::less<>> instances;
  std::unique_ptr<runtime::ConnectionManager> manager;
  std::unique_ptr<runtime::Scheduler> scheduler;

  // Loads the plugins, creates every instance (running each create hook), registers providers
  // and fills the scheduler (not started). `services` and `store` must outlive the generation.
  static Result<std::unique_ptr<Generation>> build(const config::HostConfig& config,
                                                   const runtime::RuntimeServices& services,
                                                   store::StateStore& store);

  GenerationInstance* find(std::string_view name) const;
};

}  // namespace chost::app
