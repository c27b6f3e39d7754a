// RollWorksPeer: owns the state and the loopback server, and routes each request: control API,
// counters, faults, throttling, the token endpoint, then bearer auth and advertiser scope
// before the /api/v1/advertisers/{id}/... handlers. Every answer gets an X-Request-Id.
#include "chpeer/rollworks/rw_peer.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "chpeer/http_server.h"
#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {

namespace json = boost::json;

namespace {

constexpr std::string_view kBatchUpsertSuffix = ":batchUpsert";

// 429 when a throttle rule applies: the next-N rule first, then the fixed window.
std::optional<Response> Throttled(PeerState& state, const Request& request,
                                  const std::string& request_id) {
  Throttle& t = state.throttle;
  if (!StartsWith(request.path, t.path_prefix)) return std::nullopt;
  std::int64_t retry_after_s = 0;
  if (t.next > 0) {
    --t.next;
    retry_after_s = t.retry_after_s;
  } else if (t.window_limit > 0) {
    std::int64_t now = state.clock.NowMs();
    if (now - t.window_start_ms >= t.window_s * 1000) {
      t.window_start_ms = now;
      t.window_used = 0;
    }
    if (++t.window_used > t.window_limit) {
      std::int64_t left_ms = t.window_start_ms + t.window_s * 1000 - now;
      retry_after_s = std::max<std::int64_t>(1, (left_ms + 999) / 1000);
    }
  }
  if (retry_after_s == 0) return std::nullopt;
  state.counters.Increment("events", "rate_limited");
  Response r =
      ApiError(429, "rate_limited",
               "Rate limit exceeded; retry after " + std::to_string(retry_after_s) + " seconds.",
               request_id, json::object{{"retry_after_s", retry_after_s}});
  r.headers["Retry-After"] = std::to_string(retry_after_s);
  return r;
}

Response RouteApi(PeerState& state, const Request& request, const std::string& request_id) {
  auto parts = SplitPath(request.path);  // api, v1, advertisers, {id}, ...
  if (parts.size() < 4 || parts[1] != "v1" || parts[2] != "advertisers") {
    return ApiError(404, "not_found", "No such resource: " + request.path, request_id);
  }
  Response failure;
  auto credential = Authenticate(state, request, request_id, &failure);
  if (!credential) return failure;
  auto adv = state.advertisers.find(parts[3]);
  if (adv == state.advertisers.end()) {
    return ApiError(404, "not_found", "No advertiser " + parts[3] + ".", request_id);
  }
  if (!credential->advertiser_ids->count(adv->first)) {
    state.counters.Increment("events", "forbidden");
    return ApiError(403, "forbidden",
                    "This credential is not granted advertiser " + adv->first + ".", request_id);
  }
  std::vector<std::string> rest(parts.begin() + 4, parts.end());
  if (rest.size() == 2 && rest[0] == "crm" && rest[1].size() > kBatchUpsertSuffix.size() &&
      rest[1].ends_with(kBatchUpsertSuffix)) {
    std::string object = rest[1].substr(0, rest[1].size() - kBatchUpsertSuffix.size());
    const auto& objects = CrmObjects();
    if (std::find(objects.begin(), objects.end(), object) != objects.end()) {
      return HandleBatchUpsert(state, adv->second, object, request, request_id);
    }
  }
  return HandleAbm(state, adv->second, rest, request, request_id);
}

Response Route(PeerState& state, const Request& request) {
  std::lock_guard lock(state.mu);
  if (StartsWith(request.path, "/__peer/")) return HandleControl(state, request);
  state.counters.Increment("paths", request.path);
  state.counters.Increment("total", "requests");
  std::string request_id = "req_" + RandomHex(12);
  auto finish = [&](Response r) {
    r.headers["X-Request-Id"] = request_id;
    state.counters.Increment("status", std::to_string(r.status));
    return r;
  };
  std::uint32_t delay_ms = 0;
  if (auto fault = state.faults.Match(request)) {
    state.counters.Increment("events", "faults_injected");
    if (fault->reset_connection) return *fault;
    if (fault->status != 0) return finish(*fault);
    delay_ms = fault->delay_ms;
  }
  Response response;
  // A handler bug must still answer in the documented envelope, not the server's plain text.
  try {
    if (auto throttled = Throttled(state, request, request_id)) {
      response = std::move(*throttled);
    } else if (request.path == "/oauth/token") {
      response = HandleToken(state, request, request_id);
    } else if (StartsWith(request.path, "/api/")) {
      response = RouteApi(state, request, request_id);
    } else {
      response = ApiError(404, "not_found", "No such resource: " + request.path, request_id);
    }
  } catch (const std::exception& e) {
    response = ApiError(500, "internal_error", std::string("peer handler failed: ") + e.what(),
                        request_id);
  }
  response.delay_ms = std::max(response.delay_ms, delay_ms);
  return finish(std::move(response));
}

}  // namespace

struct RollWorksPeer::Impl {
  PeerState state;
  std::unique_ptr<HttpServer> server;
};

RollWorksPeer::RollWorksPeer() : impl_(std::make_unique<Impl>()) {}

RollWorksPeer::~RollWorksPeer() { Stop(); }

std::unique_ptr<RollWorksPeer> RollWorksPeer::Start(const RollWorksPeerOptions& options,
                                                    std::string* error) {
  std::unique_ptr<RollWorksPeer> peer(new RollWorksPeer());
  PeerState& state = peer->impl_->state;
  // File and inline seeds become one start-up seed (a list applied in order) so
  // /__peer/reset restores both.
  json::array seeds;
  try {
    if (!options.seed_path.empty()) {
      std::ifstream in(options.seed_path);
      if (!in) {
        if (error) *error = "cannot read seed file " + options.seed_path;
        return nullptr;
      }
      std::stringstream buffer;
      buffer << in.rdbuf();
      seeds.push_back(json::parse(buffer.str()));
    }
    if (!options.seed_json.empty()) seeds.push_back(json::parse(options.seed_json));
  } catch (const std::exception& e) {
    if (error) *error = std::string("seed is not valid JSON: ") + e.what();
    return nullptr;
  }
  {
    std::lock_guard lock(state.mu);
    for (const auto& seed : seeds) {
      std::string seed_error;
      if (!ApplySeed(state, seed, &seed_error)) {
        if (error) *error = "invalid seed: " + seed_error;
        return nullptr;
      }
    }
    state.startup_seed = seeds;
  }
  HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.io_threads = options.io_threads;
  PeerState* raw_state = &state;
  peer->impl_->server = HttpServer::Start(
      server_options, [raw_state](const Request& r) { return Route(*raw_state, r); }, error);
  if (!peer->impl_->server) return nullptr;
  return peer;
}

std::uint16_t RollWorksPeer::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string RollWorksPeer::base_url() const {
  return impl_->server ? impl_->server->base_url() : std::string();
}

void RollWorksPeer::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

void RollWorksPeer::AdvanceClockForTest(std::int64_t delta_ms) {
  impl_->state.clock.AdvanceMs(delta_ms);
}

}  // namespace chpeer::rollworks
