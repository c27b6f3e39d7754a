// Shared helpers of the chost_app unit tests: a temp directory and a HostConfig for the fake
// connection plugin, built in code (no YAML) so the Host is tested apart from the config loader.
#pragma once

#include <filesystem>
#include <string>

#include "chost/config/host_config.hpp"

namespace chost::app::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// conn (provider) + reader (uses conn) on the fake plugin, state in `dir`, a fixed test key.
config::HostConfig fake_config(const std::filesystem::path& dir);

}  // namespace chost::app::testing
