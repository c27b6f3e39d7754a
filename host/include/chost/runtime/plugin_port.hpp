// PluginHooksPort: the hooks of one created plugin instance as the runtime calls them, and
// HookGate, which makes sure two hooks of one instance never run at once even when they come
// from different places (the scheduler's sync and a refresh asked for by another connector).
// loader_hooks.hpp adapts chost::loader::PluginInstance to PluginHooksPort.
#pragma once

#include <connector_host/plugin_api.h>

#include <atomic>
#include <mutex>
#include <string_view>
#include <thread>

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

// Mutual exclusion of one instance's hooks. Re-entrant on the thread that holds it, so that a
// provider whose own sync asks for its connection's token can refresh in that same thread.
class HookGate {
 public:
  template <typename F>
  auto run(F&& f) {
    if (owner_.load() == std::this_thread::get_id()) return f();
    std::lock_guard<std::mutex> lock(mu_);
    owner_.store(std::this_thread::get_id());
    struct Reset {
      std::atomic<std::thread::id>& o;
      ~Reset() { o.store(std::thread::id()); }
    } reset{owner_};
    return f();
  }

 private:
  std::mutex mu_;
  std::atomic<std::thread::id> owner_{};
};

}  // namespace chost::runtime
