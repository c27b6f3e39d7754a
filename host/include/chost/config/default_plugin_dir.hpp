// Where the host looks for plugins when the config names no host.plugin_dirs: the install
// layout's plugin folder, found from the running binary so that a relocated install (a
// `dpkg -x` root, a tarball under /opt) still finds the plugins it shipped with.
#pragma once

#include <filesystem>

namespace chost::config {

// The plugin folder relative to the install prefix (CMake's CHP_INSTALL_PLUGINDIR).
const char* installed_plugin_subdir();

// <prefix>/lib/connector-host/plugins, where <prefix> is the parent of the directory holding
// the running executable (/proc/self/exe, read at call time). When /proc/self/exe cannot be
// read, the same rule is applied to the current directory.
std::filesystem::path default_plugin_dir();

}  // namespace chost::config
