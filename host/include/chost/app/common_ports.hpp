// The runtime's logging, redaction and metrics ports bound to the host's common subsystem
// (chost::log's process-wide redacting logger and a metrics::Registry), so runtime lines share
// the configured text/JSON format and every secret the runtime registers is masked everywhere,
// including in lines other subsystems write through spdlog.
#pragma once

#include "chost/common/log.hpp"
#include "chost/common/metrics.hpp"
#include "chost/runtime/services.hpp"

namespace chost::app {

class CommonLogPort final : public runtime::LogPort {
 public:
  void log(runtime::LogLevel level, std::string_view connector, std::string_view message) override;
};

// Registers with chost::log::redactor(); registrations are never removed (a token once seen
// stays masked for the life of the process).
class CommonRedactor final : public runtime::Redactor {
 public:
  void add_secret(std::string_view secret) override;
  std::string redact(std::string_view text) const override;
};

// Counters and gauges labelled {connector="<name>"} (no label for host-level ones).
class RegistryMetricsPort final : public runtime::MetricsPort {
 public:
  explicit RegistryMetricsPort(metrics::Registry& registry) : registry_(registry) {}
  void counter_add(std::string_view name, std::string_view connector, double delta) override;
  void gauge_set(std::string_view name, std::string_view connector, double value) override;

 private:
  metrics::Registry& registry_;
};

log::Level to_log_level(runtime::LogLevel level);

}  // namespace chost::app
