// SalesforcePeer: owns the state and the loopback server, and routes each request (faults,
// call counters, session check, API limit accounting and the Sforce-Limit-Info header).
#include "chpeer/salesforce/sf_peer.h"

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "chpeer/content_encoding.h"
#include "chpeer/http_server.h"
#include "sf_peer_state.h"
#include "sf_util.h"

namespace chpeer::sf {

namespace json = boost::json;

void PeerState::ResetLocked() {
  clock.Reset();
  store.Reset();
  oauth.Reset();
  faults.Clear();
  counters.Clear();
  cursors.clear();
  bulk_jobs.clear();
  bulk_polls_to_complete = 1;
  bulk_default_max_records = 50000;
  org_id = NewId("00D");
  org_name = "Peer Org";
  org_type = "Developer Edition";
  org_is_sandbox = false;
  login_username.clear();
  store.set_default_user_id("");
  daily_api_max = kDefaultDailyApiMax;
  daily_api_used = 0;
  std::string error;
  ApplySeed(*this, startup_seed.is_null() ? json::value(json::object{}) : startup_seed, &error);
}

const json::object* PeerState::FindUserByUsername(const std::string& username) const {
  if (username.empty()) return nullptr;
  const ObjectDef* user = store.schema().Find("User");
  const FieldDef* field = user ? user->FindField("Username") : nullptr;
  if (!field) return nullptr;
  auto ids = store.FindByField(*user, *field, json::value(username));
  return ids.empty() ? nullptr : store.Get(*user, ids.front());
}

const json::object* PeerState::FindUserById(const std::string& id) const {
  const ObjectDef* user = store.schema().Find("User");
  const json::object* record = user ? store.Get(*user, id) : nullptr;
  return record && !record->at("IsDeleted").as_bool() ? record : nullptr;
}

std::string PeerState::IdentityUrl(const std::string& user_id) const {
  return base_url + "/id/" + org_id + "/" + user_id;
}

namespace {

bool UserActive(const PeerState& state, const std::string& user_id) {
  const json::object* user = state.FindUserById(user_id);
  if (!user) return false;
  auto* v = user->if_contains("IsActive");
  return !v || !v->is_bool() || v->as_bool();
}

Response RouteRest(PeerState& state, const Request& request) {
  if (request.path == "/services/data" || request.path == "/services/data/") {
    return Response::Json(200, json::serialize(ApiVersionsJson(state.base_url)));
  }
  auto limit_header = [&](Response r) {
    r.headers["Sforce-Limit-Info"] = "api-usage=" + std::to_string(state.daily_api_used) + "/" +
                                     std::to_string(state.daily_api_max);
    return r;
  };
  std::string token;
  if (auto auth = request.Header("Authorization")) {
    if (StartsWith(*auth, "Bearer ") || StartsWith(*auth, "OAuth ")) {
      token = auth->substr(auth->find(' ') + 1);
    }
  }
  const AccessToken* access = state.oauth.FindLiveAccess(token, state.clock.NowMs());
  if (!access || !UserActive(state, access->user_id)) {
    state.counters.Increment("events", "invalid_session");
    Response r = RestError(401, "INVALID_SESSION_ID", "Session expired or invalid");
    r.headers["WWW-Authenticate"] = "Token";
    return limit_header(std::move(r));
  }
  if (state.daily_api_used >= state.daily_api_max) {
    state.counters.Increment("events", "request_limit_exceeded");
    return limit_header(RestError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
  }
  ++state.daily_api_used;
  // Salesforce compresses REST responses for a client that sends Accept-Encoding: gzip.
  Response response = limit_header(HandleRest(state, request, *access));
  const auto identity_bytes = static_cast<std::int64_t>(response.body.size());
  MaybeGzip(request, response);
  if (response.headers.count("Content-Encoding")) {
    state.counters.Increment("total", "response_body_bytes_identity", identity_bytes);
  }
  return response;
}

Response Route(PeerState& state, const Request& request) {
  std::lock_guard lock(state.mu);
  if (StartsWith(request.path, "/__peer/")) return HandleControl(state, request);
  state.counters.Increment("paths", request.path);
  state.counters.Increment("total", "requests");
  std::uint32_t delay_ms = 0;
  if (auto fault = state.faults.Match(request)) {
    state.counters.Increment("events", "faults_injected");
    if (fault->status != 0 || fault->reset_connection) {
      Response injected = *fault;
      injected.headers["Date"] = FormatHttpDate(state.clock.NowMs());
      return injected;
    }
    delay_ms = fault->delay_ms;
  }
  Response response;
  if (StartsWith(request.path, "/services/oauth2/")) {
    response = HandleOAuth(state, request);
  } else if (StartsWith(request.path, "/id/")) {
    response = HandleIdentity(state, request);
  } else if (StartsWith(request.path, "/services/data")) {
    response = RouteRest(state, request);
  } else {
    response = RestError(404, "NOT_FOUND", "The requested resource does not exist");
  }
  response.delay_ms = std::max(response.delay_ms, delay_ms);
  // Every Salesforce response carries the server's time (RFC 9110 Date); clients bound their
  // next incremental read by it. From the peer's clock, so tests that advance it see it move.
  response.headers["Date"] = FormatHttpDate(state.clock.NowMs());
  // As sent (after gzip): what a client pays on the wire, for benchmarks.
  state.counters.Increment("total", "response_body_bytes",
                           static_cast<std::int64_t>(response.body.size()));
  // And what they would have been without compression (a compressed REST body adds its size
  // before gzip above).
  if (!response.headers.count("Content-Encoding")) {
    state.counters.Increment("total", "response_body_bytes_identity",
                             static_cast<std::int64_t>(response.body.size()));
  }
  return response;
}

}  // namespace

struct SalesforcePeer::Impl {
  PeerState state;
  std::unique_ptr<HttpServer> server;
};

SalesforcePeer::SalesforcePeer() : impl_(std::make_unique<Impl>()) {}

SalesforcePeer::~SalesforcePeer() { Stop(); }

std::unique_ptr<SalesforcePeer> SalesforcePeer::Start(const SalesforcePeerOptions& options,
                                                      std::string* error) {
  std::unique_ptr<SalesforcePeer> peer(new SalesforcePeer());
  PeerState& state = peer->impl_->state;
  // Merge the file and inline seeds into one start-up seed so /__peer/reset restores both.
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

  HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.io_threads = options.io_threads;
  PeerState* raw_state = &state;
  // The server must know its port before seeding (identity URLs embed the base URL), so it
  // starts first; requests wait on the state mutex held during seeding.
  std::unique_lock lock(state.mu);
  peer->impl_->server = HttpServer::Start(
      server_options, [raw_state](const Request& r) { return Route(*raw_state, r); }, error);
  if (!peer->impl_->server) return nullptr;
  state.base_url = peer->impl_->server->base_url();
  state.startup_seed = nullptr;
  state.ResetLocked();
  for (const auto& seed : seeds) {
    std::string seed_error;
    if (!ApplySeed(state, seed, &seed_error)) {
      if (error) *error = "invalid seed: " + seed_error;
      lock.unlock();
      peer->Stop();
      return nullptr;
    }
  }
  if (seeds.size() == 1) {
    state.startup_seed = seeds[0];
  } else if (seeds.size() == 2) {
    // Later keys win at the top level; arrays/objects of the inline seed replace the file's.
    json::object merged = seeds[0].as_object();
    for (const auto& [k, v] : seeds[1].as_object()) merged[k] = v;
    state.startup_seed = merged;
  }
  return peer;
}

std::uint16_t SalesforcePeer::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string SalesforcePeer::base_url() const {
  return impl_->server ? impl_->server->base_url() : std::string();
}

void SalesforcePeer::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

void SalesforcePeer::AdvanceClockForTest(std::int64_t delta_ms) {
  impl_->state.clock.AdvanceMs(delta_ms);
}

std::string SalesforcePeer::OrgIdForTest() const {
  std::lock_guard lock(impl_->state.mu);
  return impl_->state.org_id;
}

}  // namespace chpeer::sf
