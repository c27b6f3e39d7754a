// PluginRegistry: every plugin found in the configured plugin directories, by name. A bad
// file never stops the good ones: its error is collected and the scan goes on.
#pragma once

#include <connector_host/plugin_api.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chost/loader/plugin_library.hpp"

namespace chost::loader {

struct PluginLoadError {
  std::filesystem::path path;  // the file (or directory) at fault
  std::string message;         // one line, names the file
};

class PluginRegistry {
 public:
  // Loads every `*.so` directly inside each dir (not recursive), in file-name order per
  // dir, dirs in the given order. A plugin name seen twice keeps the first file and
  // records an error naming both. `host` must outlive every library loaded.
  void scan(const std::vector<std::filesystem::path>& dirs, const chp_host* host,
            const LoadOptions& options = {});

  // Loads one file into the registry; false (and an error recorded) when it fails.
  bool add_file(const std::filesystem::path& file, const chp_host* host,
                const LoadOptions& options = {});

  // nullptr when no plugin has that name.
  std::shared_ptr<PluginLibrary> find(std::string_view name) const;

  // In load order.
  const std::vector<std::shared_ptr<PluginLibrary>>& plugins() const { return plugins_; }
  const std::vector<PluginLoadError>& errors() const { return errors_; }

 private:
  std::vector<std::shared_ptr<PluginLibrary>> plugins_;
  std::vector<PluginLoadError> errors_;
};

}  // namespace chost::loader
