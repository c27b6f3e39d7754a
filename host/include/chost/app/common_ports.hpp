// The runtime's logging and metrics ports bound to the host's common subsystem (chost::log's
// process-wide redacting logger and a metrics::Registry), so runtime lines share the configured
// text/JSON format. The runtime registers secrets with chost::log::redactor() directly, so they
// are masked everywhere, including in lines other subsystems write through spdlog.
#pragma once

#include "chost/common/log.hpp"
#include "chost/common/metrics.hpp"
#include "chost/runtime/services.hpp"

namespace chost::app {

class CommonLogPort final : public runtime::LogPort {
 public:
  void log(runtime::LogLevel level, std::string_view connector, std::string_view message) override;
};

// Counters and gauges labelled {connector="<name>"} (no label for host-level ones).
class RegistryMetricsPort final : public runtime::MetricsPort {
 public:
  explicit RegistryMetricsPort(metrics::Registry& registry) : registry_(registry) {}
  void counter_add(std::string_view name, std::string_view connector, double delta) override;
  void gauge_set(std::string_view name, std::string_view connector, double value) override;
  void counter_add(std::string_view name, const Labels& labels, double delta) override;
  void observe_seconds(std::string_view name, const Labels& labels, double seconds) override;

 private:
  metrics::Registry& registry_;
};

}  // namespace chost::app
