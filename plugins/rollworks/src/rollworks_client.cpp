#include "rollworks_client.hpp"

namespace rollworks {

std::string RollworksResponse::error_text() const {
  std::string out = std::to_string(status);
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + message;
  return out;
}

RollworksResponse RollworksClient::get(const std::string& path) {
  return send(chp::http::Request::get(config_.rollworks_url + "/api/v1/advertisers/" +
                                      config_.advertiser_id + path));
}

RollworksResponse RollworksClient::post(const std::string& path, const boost::json::object& body) {
  chp::http::Request req;
  req.method = "POST";
  req.url = config_.rollworks_url + "/api/v1/advertisers/" + config_.advertiser_id + path;
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = boost::json::serialize(body);
  return send(std::move(req));
}

RollworksResponse RollworksClient::send(chp::http::Request req) {
  req.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
  req.headers.emplace_back("Accept", "application/json");
  for (int attempt = 1;; ++attempt) {
    call_.throw_if_cancelled();
    ++calls_;
    chp::http::Response r = ctx_.http(call_, req);
    RollworksResponse out;
    out.status = r.status;
    if (std::optional<boost::json::value> v = chp::try_parse(r.body); v && v->is_object()) {
      out.body = std::move(v->as_object());
    }
    if (out.ok()) return out;
    if (const boost::json::value* e = out.body.if_contains("error"); e && e->is_object()) {
      const boost::json::object& eo = e->as_object();
      if (const auto* c = eo.if_contains("code"); c && c->is_string()) {
        out.code = std::string(c->as_string());
      }
      if (const auto* m = eo.if_contains("message"); m && m->is_string()) {
        out.message = std::string(m->as_string());
      }
    }
    if (r.status == 401) {
      throw chp::ConfigError("RollWorks refused the API key (" + out.error_text() +
                             "): an admin must reauthorize the RollWorks connection with a "
                             "valid key");
    }
    if (r.status == 429 || r.status == 503) {
      ++throttled_;
      if (attempt < kMaxAttempts) {
        const std::int64_t ms = r.retry_after_ms().value_or(1000LL * attempt);
        if (ms <= kMaxWaitMs && static_cast<std::uint64_t>(ms) < call_.remaining_ms()) {
          call_.sleep_ms(ms);
          continue;
        }
      }
    }
    return out;
  }
}

}  // namespace rollworks
