// LoaderHooks: PluginHooksPort over loader::PluginInstance with re-creation on demand.
#include "chost/app/loader_hooks.hpp"

#include "chost/common/abi_status.hpp"

namespace chost::app {

LoaderHooks::LoaderHooks(std::shared_ptr<loader::PluginLibrary> library, chp_host_ctx* ctx,
                         std::string config_json, loader::IsolationOptions isolation)
    : library_(std::move(library)),
      ctx_(ctx),
      config_json_(std::move(config_json)),
      isolation_(std::move(isolation)) {}

Status LoaderHooks::create(chp_call* call) {
  instance_.reset();  // destroy before create: a plugin may keep per-instance global state
  auto inst = loader::PluginInstance::create(library_, ctx_, call, config_json_, isolation_);
  if (!inst) return inst.error();
  instance_ = std::move(*inst);
  recreate_.store(false);
  ++creations_;
  return {};
}

chp_status_code LoaderHooks::ensure(chp_call* call) {
  if (instance_ && !recreate_.load() && !instance_->lost()) return CHP_OK;
  Status st = create(call);
  return st ? CHP_OK : status_code_of(st.error().cls);
}

chp_status_code LoaderHooks::authorize(chp_call* call, std::string_view input_json) {
  if (chp_status_code st = ensure(call); st != CHP_OK) return st;
  return instance_->authorize(call, input_json);
}

chp_status_code LoaderHooks::refresh(chp_call* call, std::string_view input_json) {
  if (chp_status_code st = ensure(call); st != CHP_OK) return st;
  return instance_->refresh(call, input_json);
}

chp_status_code LoaderHooks::disable(chp_call* call, std::string_view input_json) {
  if (chp_status_code st = ensure(call); st != CHP_OK) return st;
  const chp_status_code st = instance_->disable(call, input_json);
  // Whatever the plugin did, the instance is now "disabled" in its own eyes: enabling must
  // start from a fresh one.
  recreate_.store(true);
  return st;
}

chp_status_code LoaderHooks::sync(chp_call* call, std::string_view input_json) {
  if (chp_status_code st = ensure(call); st != CHP_OK) return st;
  const chp_status_code st = instance_->sync(call, input_json);
  // A failed sync is restarted by the scheduler with backoff; restart from a fresh instance.
  // Cancellation (shutdown, deadline) and a lost connection are not the instance's fault.
  if (st != CHP_OK && st != CHP_ERR_CANCELLED && st != CHP_ERR_AUTH_REVOKED) {
    recreate_.store(true);
  }
  return st;
}

}  // namespace chost::app
