// chp::Connector and chp::PluginInfo: what a plugin author implements. A connector is a
// plain class constructed from its config; each hook is a member function that either
// returns (CHP_OK) or throws a chp::Error subclass. CHP_DECLARE_PLUGIN (plugin.hpp) binds it
// to the C ABI.
#ifndef CONNECTOR_HOST_SDK_CONNECTOR_HPP_
#define CONNECTOR_HOST_SDK_CONNECTOR_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/error.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chp {

// Static description of a plugin; every string must have static storage (literals).
struct PluginInfo {
  const char* name;                // [a-z][a-z0-9-]*, the YAML `plugin:` value
  const char* version;             // semver of the plugin
  const char* description;         // one line for `connector-host plugins`
  const char* config_schema_json;  // JSON Schema of the `config:` block
  std::uint64_t capabilities;      // CHP_CAP_* bits
};

// What a connector's optional static check finds wrong in its config, each at a JSON Pointer
// (RFC 6901) into the `config:` block ("/page_size", "/objects/0/name"; "" for the block):
//   static void validate(const boost::json::object& config, chp::ConfigProblems& problems);
// The SDK then exports the ABI 1.4 `validate` hook, which `check-config` calls dry (no
// instance, no host callbacks, no network) and prints at file:line:col of each key; create()
// runs the same check first, so `run` refuses exactly what `check-config` refuses.
class ConfigProblems {
 public:
  struct Problem {
    std::string pointer;
    std::string message;  // what is wrong; never the value of a secret
  };
  void add(std::string pointer, std::string message) {
    problems_.push_back(Problem{std::move(pointer), std::move(message)});
  }
  bool empty() const noexcept { return problems_.empty(); }
  const std::vector<Problem>& items() const noexcept { return problems_; }

 private:
  std::vector<Problem> problems_;
};

// Base class with the defaults most connectors want. Override what the connector supports.
// A subclass must provide `static constexpr chp::PluginInfo kInfo` and a constructor
// `(chp::Context&, const boost::json::object& config)` that throws ConfigError on bad config.
class Connector {
 public:
  Connector() = default;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;
  virtual ~Connector() = default;

  // Connectors that own credentials (CHP_CAP_PROVIDES_CONNECTION) override these two.
  virtual void authorize(Call& call, const boost::json::object& input) {
    throw PermanentError("authorize is not supported by this connector");
  }
  virtual void refresh(Call& call, const boost::json::object& input) {
    throw PermanentError("refresh is not supported by this connector");
  }
  // Must be idempotent; the SDK already refuses sync on a disabled instance.
  virtual void disable(Call& call, const boost::json::object& input) {}
  virtual void sync(Call& call, const boost::json::object& input) = 0;
};

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_CONNECTOR_HPP_
