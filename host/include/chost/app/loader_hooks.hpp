// LoaderHooks: the runtime's PluginHooksPort over a chost::loader::PluginInstance, which also
// owns the instance's lifecycle: the instance is created from its library and config, and
// re-created (destroy + create, inside the next hook call) after a failed sync and after the
// connector is re-enabled, because the SDK refuses to sync a disabled instance and a plugin that
// failed may hold broken internal state; and, in process isolation, after its worker was lost
// (crashed, killed at a deadline or over its memory limit): the next hook starts a new worker.
// Every method runs under the instance's HookGate (the runtime's run_hook), so re-creation never
// races another hook of the same instance.
#pragma once

#include <connector_host/plugin_api.h>

#include <atomic>
#include <memory>
#include <string>

#include "chost/common/result.hpp"
#include "chost/loader/plugin_instance.hpp"
#include "chost/runtime/plugin_port.hpp"

namespace chost::app {

class LoaderHooks final : public runtime::PluginHooksPort {
 public:
  // Nothing is created yet: call create() once (under the gate) before the first hook.
  LoaderHooks(std::shared_ptr<loader::PluginLibrary> library, chp_host_ctx* ctx,
              std::string config_json, loader::IsolationOptions isolation = {});

  // Creates (or re-creates) the instance now. The plugin's own message is in `call`.
  Status create(chp_call* call);

  chp_status_code authorize(chp_call* call, std::string_view input_json) override;
  chp_status_code refresh(chp_call* call, std::string_view input_json) override;
  chp_status_code disable(chp_call* call, std::string_view input_json) override;
  chp_status_code sync(chp_call* call, std::string_view input_json) override;

  // The next hook call destroys and re-creates the instance first.
  void mark_for_recreate() { recreate_.store(true); }
  bool created() const { return instance_ != nullptr; }
  size_t creations_ForTest() const { return creations_; }

 private:
  // Re-creates when marked or never created; CHP_OK or create's failure status.
  chp_status_code ensure(chp_call* call);

  std::shared_ptr<loader::PluginLibrary> library_;
  chp_host_ctx* ctx_;
  std::string config_json_;  // may hold resolved secrets: never log
  loader::IsolationOptions isolation_;
  std::unique_ptr<loader::PluginInstance> instance_;
  std::atomic<bool> recreate_{false};
  size_t creations_ = 0;
};

}  // namespace chost::app
