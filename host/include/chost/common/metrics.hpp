// Metrics registry: the host's thread-safe store of Prometheus counters, gauges and
// fixed-bucket histograms, rendered by the admin server's /metrics in the text exposition
// format 0.0.4 (families sorted by name, series sorted by labels, so output is stable).
//
//   metrics::Registry reg;
//   reg.describe_counter("chost_http_requests_total", "Outbound HTTP requests.");
//   reg.counter_add("chost_http_requests_total", {{"method", "GET"}, {"status_class", "2xx"}});
//   std::string text = reg.render();
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::metrics {

// Label name → value. Order does not matter: {a,b} and {b,a} are the same series.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Kind { kCounter = 1, kGauge, kHistogram };

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved by Prometheus).
bool valid_label_name(std::string_view name);

// Prometheus' default histogram buckets, in seconds.
std::vector<double> default_buckets_s();

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Declare a family with its help text. Redeclaring with the same kind (and buckets) is a
  // no-op that may update the help; another kind is Error::config. Families used without a
  // declaration are created on first use (histograms then get default_buckets_s()).
  Status describe_counter(std::string_view name, std::string_view help);
  Status describe_gauge(std::string_view name, std::string_view help);
  // `upper_bounds` must be strictly increasing and finite; +Inf is implicit.
  Status describe_histogram(std::string_view name, std::string_view help,
                            std::vector<double> upper_bounds);

  // Counters only go up: a negative delta is Error::permanent. Thread: any.
  Status counter_add(std::string_view name, const Labels& labels, double delta = 1.0);
  Status gauge_set(std::string_view name, const Labels& labels, double value);
  Status gauge_add(std::string_view name, const Labels& labels, double delta);
  Status observe(std::string_view name, const Labels& labels, double value);

  // Current value of a counter or gauge series; nullopt when it does not exist.
  std::optional<double> value(std::string_view name, const Labels& labels) const;
  // Number of observations of a histogram series; nullopt when it does not exist.
  std::optional<uint64_t> histogram_count(std::string_view name, const Labels& labels) const;

  // Text exposition format 0.0.4.
  std::string render() const;

 private:
  struct Series {
    double value = 0;                     // counter / gauge
    std::vector<uint64_t> bucket_counts;  // histogram: per bucket (not cumulative) + +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    Kind kind = Kind::kCounter;
    std::string help;
    std::vector<double> upper_bounds;      // histograms
    std::map<std::string, Series> series;  // key: canonical rendered labels
  };

  Result<Family*> family_locked(std::string_view name, Kind kind);
  Result<Series*> series_locked(std::string_view name, Kind kind, const Labels& labels);
  const Series* find_locked(std::string_view name, const Labels& labels) const;

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace chost::metrics
