// The default plugin folder, derived from the running binary (see default_plugin_dir.hpp).
#include "chost/config/default_plugin_dir.hpp"

#include <system_error>

#ifndef CHOST_INSTALL_PLUGINDIR
#error "CHOST_INSTALL_PLUGINDIR must be defined by the build (CHP_INSTALL_PLUGINDIR)"
#endif

namespace chost::config {

const char* installed_plugin_subdir() { return CHOST_INSTALL_PLUGINDIR; }

std::filesystem::path default_plugin_dir() {
  std::error_code ec;
  // The executable's real path: a symlink such as /usr/local/bin/connector-host -> /opt/...
  // must lead to the plugins of the install the binary belongs to.
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::current_path(ec) / "bin" / "connector-host";
  return (exe.parent_path().parent_path() / installed_plugin_subdir()).lexically_normal();
}

}  // namespace chost::config
