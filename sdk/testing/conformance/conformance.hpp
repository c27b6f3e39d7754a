// Shared state of the chp-conformance runner: the loaded plugin descriptor and the valid
// config the test cases instantiate it with. Set once by main() before the tests run.
#ifndef CONNECTOR_HOST_CONFORMANCE_CONFORMANCE_HPP_
#define CONNECTOR_HOST_CONFORMANCE_CONFORMANCE_HPP_

#include <connector_host/plugin_api.h>

#include <string>
#include <vector>

namespace chp::conformance {

struct Target {
  const chp_plugin* plugin = nullptr;
  std::string plugin_path;
  // A config the plugin must accept, as the host hands it to create(): validated against the
  // plugin's schema and completed with the schema's defaults (when the schema is usable).
  std::string config_json;
  std::vector<std::string> config_problems;  // the --config file against the schema
};

// The plugin under test; valid for the whole run.
const Target& target();

}  // namespace chp::conformance

#endif  // CONNECTOR_HOST_CONFORMANCE_CONFORMANCE_HPP_
