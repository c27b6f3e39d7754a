// PluginHooksPort: the hooks of one created plugin instance as the runtime calls them, and
// HookGate, which makes sure two hooks of one instance never run at once even when they come
// from different places (the scheduler's sync and an admin's CLI sync, say).
// loader_hooks.hpp adapts chost::loader::PluginInstance to PluginHooksPort.
#pragma once

#include <connector_host/plugin_api.h>

#include <mutex>
#include <string_view>

namespace chost::runtime {

class PluginHooksPort {
 public:
  virtual ~PluginHooksPort() = default;
  // Each returns the plugin's status; CHP_ERR_UNSUPPORTED when the hook is absent.
  virtual chp_status_code authorize(chp_call* call, std::string_view input_json) = 0;
  virtual chp_status_code refresh(chp_call* call, std::string_view input_json) = 0;
  virtual chp_status_code disable(chp_call* call, std::string_view input_json) = 0;
  virtual chp_status_code sync(chp_call* call, std::string_view input_json) = 0;
};

// Mutual exclusion of one instance's hooks (ABI: never two hooks of one instance at once, never
// one inside another). Not re-entrant: a provider's credential hooks run on their own instance
// (see Connection), so nothing needs to enter a gate it already holds.
class HookGate {
 public:
  template <typename F>
  auto run(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f();
  }

 private:
  std::mutex mu_;
};

}  // namespace chost::runtime
