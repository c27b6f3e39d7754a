// RawPlugin: dlopen()s a test plugin .so and drives it through the raw ABI, standing in for the
// loader in runtime tests (the loader has its own tests). RawInstance adapts a created
// instance to PluginHooksPort.
#pragma once

#include <connector_host/plugin_api.h>
#include <dlfcn.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "chost/runtime/plugin_port.hpp"

namespace chost::runtime::testing {

class RawPlugin {
 public:
  explicit RawPlugin(const std::string& path, const chp_host* host) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    auto entry = reinterpret_cast<chp_plugin_entry_fn>(dlsym(handle_, CHP_ENTRY_SYMBOL));
    if (!entry) throw std::runtime_error("no entry symbol");
    plugin_ = entry(host, CHP_ABI_VERSION_CURRENT);
    if (!plugin_) throw std::runtime_error("plugin refused the host");
  }
  ~RawPlugin() { dlclose(handle_); }
  RawPlugin(const RawPlugin&) = delete;
  RawPlugin& operator=(const RawPlugin&) = delete;
  const chp_plugin* plugin() const { return plugin_; }

 private:
  void* handle_ = nullptr;
  const chp_plugin* plugin_ = nullptr;
};

class RawInstance final : public PluginHooksPort {
 public:
  RawInstance(const chp_plugin* plugin, chp_instance* instance)
      : plugin_(plugin), instance_(instance) {}
  ~RawInstance() override { plugin_->destroy(instance_); }
  chp_status_code authorize(chp_call* call, std::string_view in) override {
    return plugin_->authorize(instance_, call, {in.data(), in.size()});
  }
  chp_status_code refresh(chp_call* call, std::string_view in) override {
    return plugin_->refresh(instance_, call, {in.data(), in.size()});
  }
  chp_status_code disable(chp_call* call, std::string_view in) override {
    return plugin_->disable(instance_, call, {in.data(), in.size()});
  }
  chp_status_code sync(chp_call* call, std::string_view in) override {
    return plugin_->sync(instance_, call, {in.data(), in.size()});
  }

 private:
  const chp_plugin* plugin_;
  chp_instance* instance_;
};

}  // namespace chost::runtime::testing
