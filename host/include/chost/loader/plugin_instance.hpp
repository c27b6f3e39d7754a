// PluginInstance: one configured connector, i.e. a chp_instance created by a plugin's
// `create` hook, together with a reference to its PluginLibrary so the library cannot be
// unloaded while the instance exists. The destructor calls `destroy` exactly once.
// Thin by design: scheduling, deadlines and the chp_call contents belong to the runtime.
#pragma once

#include <connector_host/plugin_api.h>

#include <memory>
#include <string_view>

#include "chost/common/result.hpp"
#include "chost/loader/plugin_library.hpp"

namespace chost::loader {

class PluginInstance {
 public:
  // Calls the plugin's create(ctx, call, config_json). A failure status becomes an Error of
  // the matching class (CHP_ERR_CONFIG -> kConfig, ...); the plugin's own message is in
  // `call`, which the caller owns and reads. `ctx` must stay valid until destruction.
  static Result<std::unique_ptr<PluginInstance>> create(std::shared_ptr<PluginLibrary> library,
                                                        chp_host_ctx* ctx, chp_call* call,
                                                        std::string_view config_json);

  ~PluginInstance();  // destroy(instance), once
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  // Each forwards to the hook; CHP_ERR_UNSUPPORTED when the plugin has no such hook.
  chp_status_code authorize(chp_call* call, std::string_view input_json);
  chp_status_code refresh(chp_call* call, std::string_view input_json);
  chp_status_code disable(chp_call* call, std::string_view input_json);
  chp_status_code sync(chp_call* call, std::string_view input_json);

  const PluginLibrary& library() const { return *library_; }
  chp_host_ctx* ctx() const { return ctx_; }

 private:
  PluginInstance(std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx, chp_instance* instance);

  std::shared_ptr<PluginLibrary> library_;  // first member: released last
  chp_host_ctx* ctx_;
  chp_instance* instance_;
};

}  // namespace chost::loader
