// Runtime ports over chost::log and metrics::Registry.
#include "chost/app/common_ports.hpp"

namespace chost::app {

void CommonLogPort::log(runtime::LogLevel level, std::string_view connector,
                        std::string_view message) {
  if (log::enabled(level)) log::write(level, connector, message);  // write() redacts
}

namespace {

metrics::Labels labels_for(std::string_view connector) {
  if (connector.empty()) return {};
  return {{"connector", std::string(connector)}};
}

}  // namespace

void RegistryMetricsPort::counter_add(std::string_view name, std::string_view connector,
                                      double delta) {
  // A bad name or a negative delta is the plugin's bug; the runtime validated names already.
  (void)registry_.counter_add(name, labels_for(connector), delta);
}

void RegistryMetricsPort::gauge_set(std::string_view name, std::string_view connector,
                                    double value) {
  (void)registry_.gauge_set(name, labels_for(connector), value);
}

void RegistryMetricsPort::counter_add(std::string_view name, const Labels& labels, double delta) {
  (void)registry_.counter_add(name, labels, delta);
}

void RegistryMetricsPort::observe_seconds(std::string_view name, const Labels& labels,
                                          double seconds) {
  (void)registry_.observe(name, labels, seconds);
}

}  // namespace chost::app
