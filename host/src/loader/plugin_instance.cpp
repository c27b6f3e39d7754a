// PluginInstance: create/destroy pairing and hook forwarding for one connector instance, and
// the choice between the in-process instance (here) and the worker process (worker_instance).
#include "chost/loader/plugin_instance.hpp"

#include <cassert>
#include <utility>

#include "chost/common/abi_status.hpp"
#include "worker_instance.hpp"

namespace chost::loader {
namespace {

chp_str to_chp(std::string_view s) { return chp_str{s.data(), s.size()}; }

// The plugin's code runs on the calling thread, in this process.
class InProcessInstance final : public PluginInstance {
 public:
  InProcessInstance(std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx,
                    chp_instance* instance)
      : PluginInstance(std::move(library), ctx), instance_(instance) {}
  ~InProcessInstance() override { library_->descriptor().hooks.destroy(instance_); }

  chp_status_code authorize(chp_call* call, std::string_view input_json) override {
    return forward(library_->descriptor().hooks.authorize, call, input_json);
  }
  chp_status_code refresh(chp_call* call, std::string_view input_json) override {
    return forward(library_->descriptor().hooks.refresh, call, input_json);
  }
  chp_status_code disable(chp_call* call, std::string_view input_json) override {
    return forward(library_->descriptor().hooks.disable, call, input_json);
  }
  chp_status_code sync(chp_call* call, std::string_view input_json) override {
    return forward(library_->descriptor().hooks.sync, call, input_json);
  }

 private:
  chp_status_code forward(chp_status_code (*hook)(chp_instance*, chp_call*, chp_str),
                          chp_call* call, std::string_view input_json) {
    return hook != nullptr ? hook(instance_, call, to_chp(input_json)) : CHP_ERR_UNSUPPORTED;
  }

  chp_instance* instance_;
};

}  // namespace

Result<std::unique_ptr<PluginInstance>> PluginInstance::create(
    std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx, chp_call* call,
    std::string_view config_json, const IsolationOptions& isolation) {
  assert(library != nullptr);
  if (isolation.mode == Isolation::kProcess) {
    return create_worker_instance(std::move(library), ctx, call, config_json, isolation);
  }
  const auto& d = library->descriptor();
  chp_instance* instance = nullptr;
  const chp_status_code rc = d.hooks.create(ctx, call, to_chp(config_json), &instance);
  if (rc != CHP_OK) {
    // A plugin that fails must not hand out an instance; if it does anyway it is not
    // destroyed, since the ABI does not say it is valid.
    return Error{error_class_of(rc),
                 "plugin " + d.name + ": create failed (" + status_name(rc) + ")"};
  }
  if (instance == nullptr) {
    return Error::permanent("plugin " + d.name + ": create returned ok without an instance");
  }
  return std::unique_ptr<PluginInstance>(
      std::make_unique<InProcessInstance>(std::move(library), ctx, instance));
}

}  // namespace chost::loader
