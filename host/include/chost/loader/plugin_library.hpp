// PluginLibrary: one loaded plugin shared object and its validated descriptor. Loading
// checks the file (permissions, ELF), the entry symbol and the descriptor's ABI version,
// and reports every problem as a one-line error naming the file instead of crashing.
// Share it with std::shared_ptr: every PluginInstance holds one, so the code stays mapped
// until the last instance is destroyed.
#pragma once

#include <connector_host/plugin_api.h>

#include <cstdint>
#include <filesystem>
#include <memory>

#include "chost/common/result.hpp"
#include "chost/loader/plugin_descriptor.hpp"

namespace chost::loader {

struct LoadOptions {
  // Load plugins from files or directories writable by group or others. Off by default:
  // anyone who can write there can run code inside the host.
  bool allow_world_writable = false;
  // The ABI version this host claims, passed to chp_plugin_entry and used for the version
  // checks. Only tests change it, to exercise the rules for other host minors.
  uint32_t host_abi = CHP_ABI_VERSION_CURRENT;
};

class PluginLibrary {
 public:
  // Loads `path` (RTLD_NOW | RTLD_LOCAL) and calls its chp_plugin_entry(host, host_abi).
  // `host` must outlive the returned library (it is the plugin's for the library's life).
  static Result<std::shared_ptr<PluginLibrary>> load(const std::filesystem::path& path,
                                                     const chp_host* host,
                                                     const LoadOptions& options = {});

  ~PluginLibrary();  // unloads the shared object
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const PluginDescriptor& descriptor() const { return descriptor_; }
  const std::string& name() const { return descriptor_.name; }
  const chp_host* host() const { return host_; }

 private:
  struct Impl;  // keeps Boost.DLL out of this header
  PluginLibrary(std::unique_ptr<Impl> impl, std::filesystem::path path, PluginDescriptor descriptor,
                const chp_host* host);

  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
  PluginDescriptor descriptor_;
  const chp_host* host_;
};

}  // namespace chost::loader
