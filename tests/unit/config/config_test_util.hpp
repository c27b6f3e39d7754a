// Helpers shared by the config tests: a private temporary directory to write YAML and secret
// files into, the fake plugin schemas the loader validates against, and error-message access.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "chost/config/host_config.hpp"

namespace chost::config::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to path()/name (creating parent directories) and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// A `salesforce`-like plugin: provides and uses connections; client_secret is x-secret.
PluginSchemaInfo FakeSalesforcePlugin();
// A plugin that only uses a connection (cannot be a `uses:` target).
PluginSchemaInfo FakeReportsPlugin();
std::vector<PluginSchemaInfo> FakePlugins();

// The error diagnostics' to_string(), in file order.
std::vector<std::string> error_lines(const LoadReport& report);
std::vector<std::string> warning_lines(const LoadReport& report);

}  // namespace chost::config::testing
