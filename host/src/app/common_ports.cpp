// Runtime ports over chost::log and metrics::Registry.
#include "chost/app/common_ports.hpp"

namespace chost::app {

log::Level to_log_level(runtime::LogLevel level) {
  switch (level) {
    case runtime::LogLevel::kTrace:
      return log::Level::kTrace;
    case runtime::LogLevel::kDebug:
      return log::Level::kDebug;
    case runtime::LogLevel::kInfo:
      return log::Level::kInfo;
    case runtime::LogLevel::kWarn:
      return log::Level::kWarn;
    case runtime::LogLevel::kError:
      return log::Level::kError;
  }
  return log::Level::kInfo;
}

void CommonLogPort::log(runtime::LogLevel level, std::string_view connector,
                        std::string_view message) {
  const log::Level l = to_log_level(level);
  if (log::enabled(l)) log::write(l, connector, message);  // write() redacts
}

void CommonRedactor::add_secret(std::string_view secret) { log::redactor().add(secret); }

std::string CommonRedactor::redact(std::string_view text) const {
  return log::redactor().redact(text);
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

}  // namespace chost::app
