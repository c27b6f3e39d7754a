// PluginInstance: create/destroy pairing and hook forwarding for one connector instance.
#include "chost/loader/plugin_instance.hpp"

#include <cassert>
#include <utility>

#include "chost/common/abi_status.hpp"

namespace chost::loader {
namespace {

chp_str to_chp(std::string_view s) { return chp_str{s.data(), s.size()}; }

}  // namespace

Result<std::unique_ptr<PluginInstance>> PluginInstance::create(
    std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx, chp_call* call,
    std::string_view config_json) {
  assert(library != nullptr);
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
  return std::unique_ptr<PluginInstance>(new PluginInstance(std::move(library), ctx, instance));
}

PluginInstance::PluginInstance(std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx,
                               chp_instance* instance)
    : library_(std::move(library)), ctx_(ctx), instance_(instance) {}

PluginInstance::~PluginInstance() { library_->descriptor().hooks.destroy(instance_); }

chp_status_code PluginInstance::authorize(chp_call* call, std::string_view input_json) {
  auto hook = library_->descriptor().hooks.authorize;
  return hook != nullptr ? hook(instance_, call, to_chp(input_json)) : CHP_ERR_UNSUPPORTED;
}

chp_status_code PluginInstance::refresh(chp_call* call, std::string_view input_json) {
  auto hook = library_->descriptor().hooks.refresh;
  return hook != nullptr ? hook(instance_, call, to_chp(input_json)) : CHP_ERR_UNSUPPORTED;
}

chp_status_code PluginInstance::disable(chp_call* call, std::string_view input_json) {
  auto hook = library_->descriptor().hooks.disable;
  return hook != nullptr ? hook(instance_, call, to_chp(input_json)) : CHP_ERR_UNSUPPORTED;
}

chp_status_code PluginInstance::sync(chp_call* call, std::string_view input_json) {
  auto hook = library_->descriptor().hooks.sync;
  return hook != nullptr ? hook(instance_, call, to_chp(input_json)) : CHP_ERR_UNSUPPORTED;
}

}  // namespace chost::loader
