// The host side of the plugin ABI: one static chp_host table whose callbacks dispatch through
// the chp_host_ctx (an InstanceContext) and chp_call (a CallState) they receive. Pass it to
// PluginLibrary::load / PluginRegistry::scan so plugins call back into the runtime.
#pragma once

#include <connector_host/plugin_api.h>

namespace chost::runtime {

// Static storage, valid for the whole process. Thread-safe.
const chp_host* host_callbacks();

// Prefix of the secret names plugins see, so a plugin's secret_get can never read the
// host-owned credentials stored in the same namespace.
inline constexpr const char* kPluginSecretPrefix = "plugin:";
// Name (in the connection's namespace) of the host-owned credentials secret.
inline constexpr const char* kCredentialsSecretName = "host:credentials";

}  // namespace chost::runtime
