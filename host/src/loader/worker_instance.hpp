// The process-isolated PluginInstance: spawns `<exe> plugin-worker`, which loads the plugin and
// creates its instance there; every hook is a kHook frame, and while it runs the host answers
// the callbacks the plugin makes with the library's real chp_host (README.md in this folder).
#pragma once

#include <memory>
#include <string_view>

#include "chost/common/result.hpp"
#include "chost/loader/plugin_instance.hpp"

namespace chost::loader {

Result<std::unique_ptr<PluginInstance>> create_worker_instance(
    std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx, chp_call* call,
    std::string_view config_json, const IsolationOptions& isolation);

}  // namespace chost::loader
