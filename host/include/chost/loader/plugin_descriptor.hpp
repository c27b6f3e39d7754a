// PluginDescriptor: the host's own, validated copy of a plugin's chp_plugin descriptor, and
// read_descriptor(), which builds it from the raw struct without ever reading past the
// struct_size the plugin filled in. Kept apart from the library loading so that the version
// rules can be exercised against hand-made structs and other host ABI versions.
#pragma once

#include <connector_host/plugin_api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::loader {

// Hook pointers into the plugin's code. Valid only while the PluginLibrary that produced
// them is loaded. Members the plugin's struct does not cover are nullptr.
struct PluginHooks {
  decltype(chp_plugin::create) create = nullptr;
  decltype(chp_plugin::authorize) authorize = nullptr;
  decltype(chp_plugin::refresh) refresh = nullptr;
  decltype(chp_plugin::disable) disable = nullptr;
  decltype(chp_plugin::sync) sync = nullptr;
  decltype(chp_plugin::destroy) destroy = nullptr;
  decltype(chp_plugin::validate) validate = nullptr;  // since 1.4, optional
};

struct PluginDescriptor {
  std::string name;  // matches [a-z][a-z0-9-]*; what the YAML `plugin:` key refers to
  std::string version;
  std::string description;
  std::string config_schema_json;  // valid JSON (an object or a boolean schema)
  uint64_t capabilities = 0;       // CHP_CAP_* bits
  uint16_t abi_major = 0;          // the ABI the plugin was built against
  uint16_t abi_minor = 0;
  uint32_t struct_size_bytes = 0;  // what the plugin declared
  PluginHooks hooks;
};

// Splits CHP_ABI_VERSION(major, minor) values.
constexpr uint16_t abi_major_of(uint32_t abi) { return static_cast<uint16_t>(abi >> 16); }
constexpr uint16_t abi_minor_of(uint32_t abi) { return static_cast<uint16_t>(abi & 0xffffu); }

// Smallest chp_plugin struct_size a plugin declaring ABI 1.<minor> may use. Minors this
// host does not know (only possible when host_abi is overridden in tests) fall back to
// the largest size it knows, the conservative choice.
uint32_t min_descriptor_size_bytes(uint16_t minor);

// True when `name` matches [a-z][a-z0-9-]*.
bool is_valid_plugin_name(std::string_view name);

// Validates `raw` for a host implementing `host_abi` and copies it. `file` only names the
// plugin in error messages. Every failure is a one-line ErrorClass::kConfig error. Reads
// nothing beyond the header until struct_size is known to cover it.
Result<PluginDescriptor> read_descriptor(const chp_plugin* raw, std::string_view file,
                                         uint32_t host_abi = CHP_ABI_VERSION_CURRENT);

// "provides-connection,uses-connection,..." for the CHP_CAP_* bits; "-" when none. Bits this
// host does not know are shown as one hex value so nothing is hidden.
std::string capability_names(uint64_t capabilities);

// Names of the hooks that are present, e.g. {"create","sync","destroy"}.
std::vector<std::string> hook_names(const PluginHooks& hooks);

}  // namespace chost::loader
