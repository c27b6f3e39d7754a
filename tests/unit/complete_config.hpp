// Plugin unit tests build their connectors' configs the way `run` does: validated against the
// plugin's schema and completed with its defaults by the host's own code
// (chost/config/plugin_schema.hpp), since the plugins no longer repeat the defaults.
#pragma once

#include <chost/config/plugin_schema.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace chost::testing {

// `config_json` completed with `schema_json`'s defaults; throws std::invalid_argument with the
// host's messages when the host would refuse it (a test that means a valid config is wrong).
inline std::string complete_config(std::string_view schema_json, std::string_view config_json) {
  config::CompletedConfig c = config::complete_plugin_config(schema_json, config_json);
  if (!c.ok()) {
    std::string all = "the host refuses this config:";
    for (const std::string& p : c.problems) all += "\n  " + p;
    throw std::invalid_argument(all);
  }
  return c.json;
}

}  // namespace chost::testing
