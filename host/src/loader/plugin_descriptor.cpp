// Validation and copying of a plugin's chp_plugin descriptor (ABI version rules, required
// members, name and schema checks).
#include "chost/loader/plugin_descriptor.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "chost/config/plugin_schema.hpp"

namespace chost::loader {
namespace {

// Bytes a 1.0 descriptor must cover: everything up to and including `destroy`.
constexpr uint32_t kDescriptorSizeV1_0 =
    static_cast<uint32_t>(offsetof(chp_plugin, destroy) + sizeof(chp_plugin::destroy));

// What the plugin put in `name`, shortened and made printable so a garbage pointer to a
// long or binary string still yields a one-line message.
std::string printable(const char* s) {
  constexpr std::size_t kMaxChars = 64;
  std::string out;
  std::size_t i = 0;
  for (; s[i] != '\0' && i < kMaxChars; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s[i] != '\0') out += "...";
  return out;
}

std::string abi_string(uint16_t major, uint16_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

Error fail(std::string_view file, const std::string& what) {
  return Error::config("plugin " + std::string(file) + " " + what);
}

// Empty when the schema is usable by this host (JSON, draft-07 keywords, the meta-schema),
// otherwise every problem with the JSON pointer of its keyword.
std::string schema_problem(std::string_view json) {
  std::string out;
  for (const std::string& p : config::plugin_schema_problems(json)) {
    out += (out.empty() ? "" : "; ") + p;
  }
  return out;
}

}  // namespace

uint32_t min_descriptor_size_bytes(uint16_t minor) {
  // Minor bumps append members; each new minor adds its row here.
  (void)minor;
  return kDescriptorSizeV1_0;
}

bool is_valid_plugin_name(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<PluginDescriptor> read_descriptor(const chp_plugin* raw, std::string_view file,
                                         uint32_t host_abi) {
  if (raw == nullptr) return fail(file, "returned no descriptor (chp_plugin_entry gave NULL)");

  // The header {struct_size, abi_major, abi_minor} is the one part every version has.
  const uint32_t struct_size = raw->struct_size;
  const uint16_t major = raw->abi_major;
  const uint16_t minor = raw->abi_minor;
  const uint16_t host_major = abi_major_of(host_abi);
  const uint16_t host_minor = abi_minor_of(host_abi);
  if (major != host_major) {
    return fail(file, "was built for plugin ABI " + abi_string(major, minor) +
                          "; this host implements " + abi_string(host_major, host_minor));
  }
  if (minor > host_minor) {
    return fail(file, "was built for plugin ABI " + abi_string(major, minor) +
                          "; this host implements " + abi_string(host_major, host_minor) +
                          " \u2014 upgrade the host");
  }
  const uint32_t min_size = min_descriptor_size_bytes(minor);
  if (struct_size < min_size) {
    return fail(file, "declares a descriptor of " + std::to_string(struct_size) +
                          " bytes; plugin ABI " + abi_string(major, minor) + " needs at least " +
                          std::to_string(min_size));
  }

  // Copy only what the plugin filled in; members past its struct_size stay zero (absent).
  chp_plugin d;
  std::memset(&d, 0, sizeof d);
  std::memcpy(&d, raw, std::min<std::size_t>(struct_size, sizeof d));

  if (d.name == nullptr) return fail(file, "has no name");
  if (!is_valid_plugin_name(d.name)) {
    return fail(file,
                "has an invalid name \"" + printable(d.name) + "\": it must match [a-z][a-z0-9-]*");
  }
  PluginDescriptor out;
  out.name = d.name;
  const std::string label = std::string(file) + " (" + out.name + ")";
  if (d.version == nullptr || d.version[0] == '\0') return fail(label, "has no version");
  out.version = d.version;
  out.description = d.description != nullptr ? d.description : "";
  if (d.config_schema_json == nullptr) return fail(label, "has no config schema");
  out.config_schema_json = d.config_schema_json;
  if (const std::string problem = schema_problem(out.config_schema_json); !problem.empty()) {
    return fail(label, "has an invalid config schema: " + problem);
  }
  out.capabilities = d.capabilities;
  out.abi_major = major;
  out.abi_minor = minor;
  out.struct_size_bytes = struct_size;

  out.hooks.create = d.create;
  out.hooks.authorize = d.authorize;
  out.hooks.refresh = d.refresh;
  out.hooks.disable = d.disable;
  out.hooks.sync = d.sync;
  out.hooks.destroy = d.destroy;
  // Optional since 1.4; a 1.0-1.3 plugin's struct ends before it.
  out.hooks.validate = CHP_HAS_MEMBER(raw, chp_plugin, validate) ? d.validate : nullptr;
  // Every connector is created, synced, stopped and freed; only connection providers
  // authorize and refresh credentials.
  const bool provides = (out.capabilities & CHP_CAP_PROVIDES_CONNECTION) != 0;
  const std::pair<const char*, bool> required[] = {
      {"create", out.hooks.create != nullptr},
      {"sync", out.hooks.sync != nullptr},
      {"disable", out.hooks.disable != nullptr},
      {"destroy", out.hooks.destroy != nullptr},
      {"authorize", !provides || out.hooks.authorize != nullptr},
      {"refresh", !provides || out.hooks.refresh != nullptr},
  };
  for (const auto& [hook, present] : required) {
    if (!present) return fail(label, std::string("has a NULL `") + hook + "` hook (required)");
  }
  return out;
}

std::string capability_names(uint64_t capabilities) {
  static constexpr std::pair<uint64_t, const char*> kNames[] = {
      {CHP_CAP_PROVIDES_CONNECTION, "provides-connection"},
      {CHP_CAP_USES_CONNECTION, "uses-connection"},
      {CHP_CAP_SUBJECTS, "subjects"},
      {CHP_CAP_INTERACTIVE_AUTHORIZE, "interactive-authorize"},
      {CHP_CAP_WRITE_BACK, "write-back"},
      {CHP_CAP_CHECKS_CONNECTION, "checks-connection"},
  };
  std::string out;
  uint64_t unknown = capabilities;
  for (const auto& [bit, name] : kNames) {
    if ((capabilities & bit) == 0) continue;
    unknown &= ~bit;
    if (!out.empty()) out += ',';
    out += name;
  }
  if (unknown != 0) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(unknown));
    if (!out.empty()) out += ',';
    out += hex;
  }
  return out.empty() ? "-" : out;
}

std::vector<std::string> hook_names(const PluginHooks& hooks) {
  std::vector<std::string> out;
  if (hooks.create != nullptr) out.emplace_back("create");
  if (hooks.authorize != nullptr) out.emplace_back("authorize");
  if (hooks.refresh != nullptr) out.emplace_back("refresh");
  if (hooks.disable != nullptr) out.emplace_back("disable");
  if (hooks.sync != nullptr) out.emplace_back("sync");
  if (hooks.destroy != nullptr) out.emplace_back("destroy");
  if (hooks.validate != nullptr) out.emplace_back("validate");
  return out;
}

}  // namespace chost::loader
