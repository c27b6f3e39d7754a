// TempDir and fake_config.
#include "app_test_support.hpp"

#include <unistd.h>

#include <random>

namespace chost::app::testing {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("chost-app-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

config::HostConfig fake_config(const std::filesystem::path& dir) {
  config::HostConfig c;
  c.source_path = dir / "host.yaml";
  c.host.state.path = dir / "state" / "host.db";
  c.host.master_key = std::string(64, 'a');
  c.host.plugin_dirs = {FAKE_PLUGIN_DIR};
  c.host.credentials.refresh_margin = std::chrono::minutes(5);
  c.host.timeouts.authorize = std::chrono::seconds(10);
  c.host.timeouts.refresh = std::chrono::seconds(10);
  c.host.timeouts.disable = std::chrono::seconds(10);
  c.host.timeouts.sync = std::chrono::seconds(10);
  c.host.shutdown_grace = std::chrono::seconds(2);
  c.host.restart.initial_backoff = std::chrono::seconds(1);
  c.host.restart.max_backoff = std::chrono::seconds(2);
  config::ConnectorConfig conn;
  conn.name = "conn";
  conn.plugin = "fake-connection";
  conn.config_json = R"({"token_url":"http://127.0.0.1:1/token"})";
  config::ConnectorConfig reader;
  reader.name = "reader";
  reader.plugin = "fake-connection";
  reader.uses = "conn";
  reader.config_json = "{}";
  c.connectors = {conn, reader};
  return c;
}

}  // namespace chost::app::testing
