// Org-wide API quota tracking. Salesforce reports usage on every REST response in the header
// `Sforce-Limit-Info: api-usage=N/M` (N calls used of M in the rolling 24 h). A connector that
// keeps calling until the quota is gone takes every other integration of the org down with it,
// so ApiUsageGuard refuses further calls once usage reaches a configured share of the quota.
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_LIMITS_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_LIMITS_HPP_

#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/message.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace chp::salesforce {

struct ApiUsage {
  std::int64_t used_calls = 0;
  std::int64_t max_calls = 0;  // 0: unknown
  double percent() const noexcept {
    return max_calls > 0 ? 100.0 * static_cast<double>(used_calls) / static_cast<double>(max_calls)
                         : 0.0;
  }
};

// Parses the `api-usage=N/M` entry of a Sforce-Limit-Info value (other entries such as
// `per-app-api-usage=...` are ignored). std::nullopt when absent or malformed.
inline std::optional<ApiUsage> parse_limit_info(std::string_view header) {
  static constexpr std::string_view kKey = "api-usage=";
  std::size_t pos = 0;
  while ((pos = header.find(kKey, pos)) != std::string_view::npos) {
    // "per-app-api-usage=" also contains the key: only accept it at an entry start.
    if (pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ',' || header[pos - 1] == ';') {
      break;
    }
    pos += kKey.size();
  }
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view rest = header.substr(pos + kKey.size());
  ApiUsage usage;
  auto [p1, ec1] = std::from_chars(rest.data(), rest.data() + rest.size(), usage.used_calls);
  if (ec1 != std::errc() || p1 == rest.data() + rest.size() || *p1 != '/') return std::nullopt;
  auto [p2, ec2] = std::from_chars(p1 + 1, rest.data() + rest.size(), usage.max_calls);
  if (ec2 != std::errc() || usage.max_calls <= 0 || usage.used_calls < 0) return std::nullopt;
  return usage;
}

class ApiUsageGuard {
 public:
  // `threshold_percent` in (0, 100]: calls are refused once used/max reaches it.
  explicit ApiUsageGuard(double threshold_percent = 90.0) : threshold_percent_(threshold_percent) {}

  // Records the usage a response reports (responses without the header change nothing).
  void observe(const http::Response& resp) {
    if (std::optional<std::string> h = resp.header("Sforce-Limit-Info")) {
      if (std::optional<ApiUsage> u = parse_limit_info(*h)) last_ = *u;
    }
  }

  // Throws TransientError before a call when the last known usage is at or over the
  // threshold: the host backs off and the quota recovers over its rolling window.
  void check_before_call() const {
    if (!last_ || last_->max_calls <= 0) return;
    if (last_->percent() >= threshold_percent_) {
      throw TransientError("API quota threshold reached: " + std::to_string(last_->used_calls) +
                           "/" + std::to_string(last_->max_calls) + " daily API calls used (" +
                           format_percent(last_->percent()) + "%, threshold " +
                           format_percent(threshold_percent_) +
                           "%); pausing so other integrations keep working");
    }
  }

  const std::optional<ApiUsage>& last() const noexcept { return last_; }
  double threshold_percent() const noexcept { return threshold_percent_; }

 private:
  // One decimal. Not through an integer: a server may report usage far beyond its maximum
  // (api-usage=7522222222222222828/5), and such a percentage overflows any integer type.
  static std::string format_percent(double p) {
    char text[64];
    std::snprintf(text, sizeof text, "%.1f", p);
    return text;
  }

  double threshold_percent_;
  std::optional<ApiUsage> last_;
};

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_LIMITS_HPP_
