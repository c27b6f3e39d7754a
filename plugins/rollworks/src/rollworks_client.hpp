// RollworksClient: the RollWorks ABM API (tests/peers/rollworks/API.md) on the host's HTTP
// client, authenticated with the advertiser's API key. 429 (and 503) waits `Retry-After`
// (bounded by the call's deadline and kMaxWaitMs) and tries again, at most three times: the
// API applies nothing of a rejected request, so resending is safe. 401 invalid_token means the
// key was deactivated: a ConfigError, since only an admin can fix it. Other non-2xx answers
// come back as a RollworksResponse with the envelope's code and message for the caller.
#ifndef PLUGINS_ROLLWORKS_ROLLWORKS_CLIENT_HPP_
#define PLUGINS_ROLLWORKS_ROLLWORKS_CLIENT_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "config.hpp"

namespace rollworks {

struct RollworksResponse {
  std::uint32_t status = 0;
  boost::json::object body;  // parsed body (the error envelope for errors)
  std::string code;          // error.code, e.g. cursor_expired
  std::string message;       // error.message
  bool ok() const noexcept { return status >= 200 && status < 300; }
  // "<status> <code>: <message>" for an admin.
  std::string error_text() const;
};

class RollworksClient {
 public:
  RollworksClient(const chp::Context& ctx, const chp::Call& call, const Config& config)
      : ctx_(ctx), call_(call), config_(config) {}

  // `path` is under /api/v1/advertisers/{advertiser_id}; "" is the advertiser itself.
  RollworksResponse get(const std::string& path);
  RollworksResponse post(const std::string& path, const boost::json::object& body);

  std::uint64_t calls() const noexcept { return calls_; }
  std::uint64_t throttled() const noexcept { return throttled_; }

  static constexpr std::int64_t kMaxWaitMs = 60'000;  // longest Retry-After waited
  static constexpr int kMaxAttempts = 3;

 private:
  RollworksResponse send(chp::http::Request req);

  const chp::Context& ctx_;
  const chp::Call& call_;
  const Config& config_;
  std::uint64_t calls_ = 0;
  std::uint64_t throttled_ = 0;
};

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_ROLLWORKS_CLIENT_HPP_
