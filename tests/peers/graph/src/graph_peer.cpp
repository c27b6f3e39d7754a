// GraphPeer: owns the state and the loopback server, and routes each request: the control
// API, then call counters and faults, then the login host paths or the Graph API.
#include "chpeer/graph/graph_peer.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "chpeer/http_server.h"
#include "chpeer/random_ids.h"
#include "graph_peer_state.h"

namespace chpeer::graph {

namespace json = boost::json;

std::int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void PeerState::ResetLocked() {
  clock.Reset();
  store.Reset();
  auth.Reset();
  deltas.Reset();
  governor.Reset();
  faults.Clear();
  counters.Clear();
  tenant_id = NewGuid();
  tenant_domains.clear();
  std::string error;
  ApplySeed(*this, startup_seed.is_null() ? json::value(json::object{}) : startup_seed, &error);
}

bool PeerState::IsTenant(const std::string& name) const {
  if (EqualsIgnoreCase(name, tenant_id)) return true;
  for (const auto& domain : tenant_domains) {
    if (EqualsIgnoreCase(name, domain)) return true;
  }
  return false;
}

namespace {

GraphCall ToCall(const PeerState& state, const Request& request, std::uint32_t delay_ms) {
  GraphCall call;
  call.method = request.method;
  call.path = request.path;
  call.query = request.query;
  call.headers = request.headers;
  call.body = request.body;
  std::string client_request_id = request.Header("client-request-id").value_or(NewGuid());
  call.ids = CallIds{NewGuid(), client_request_id, state.clock.NowMs()};
  call.hold_ms = delay_ms;
  return call;
}

Response Route(PeerState& state, const Request& request) {
  std::lock_guard lock(state.mu);
  if (StartsWith(request.path, "/__peer/")) return HandleControl(state, request);
  state.counters.Increment("paths", request.path);
  state.counters.Increment("total", "requests");
  std::uint32_t delay_ms = 0;
  if (auto fault = state.faults.Match(request)) {
    state.counters.Increment("events", "faults_injected");
    if (fault->status != 0 || fault->reset_connection) return *fault;
    delay_ms = fault->delay_ms;
  }
  Response response;
  if (StartsWith(request.path, "/v1.0/") || StartsWith(request.path, "/beta/")) {
    response = HandleGraph(state, ToCall(state, request, delay_ms));
  } else {
    response = HandleLogin(state, request);
  }
  response.delay_ms = std::max(response.delay_ms, delay_ms);
  return response;
}

}  // namespace

struct GraphPeer::Impl {
  PeerState state;
  std::unique_ptr<HttpServer> server;
};

GraphPeer::GraphPeer() : impl_(std::make_unique<Impl>()) {}

GraphPeer::~GraphPeer() { Stop(); }

std::unique_ptr<GraphPeer> GraphPeer::Start(const GraphPeerOptions& options, std::string* error) {
  std::unique_ptr<GraphPeer> peer(new GraphPeer());
  PeerState& state = peer->impl_->state;
  // Merge the file and inline seeds into one start-up seed so /__peer/reset restores both.
  json::object merged;
  try {
    std::vector<std::string> texts;
    if (!options.seed_path.empty()) {
      std::ifstream in(options.seed_path);
      if (!in) {
        if (error) *error = "cannot read seed file " + options.seed_path;
        return nullptr;
      }
      std::stringstream buffer;
      buffer << in.rdbuf();
      texts.push_back(buffer.str());
    }
    if (!options.seed_json.empty()) texts.push_back(options.seed_json);
    for (const auto& text : texts) {
      json::value seed = json::parse(text);
      if (!seed.is_object()) {
        if (error) *error = "seed must be a JSON object";
        return nullptr;
      }
      // Later keys win at the top level.
      for (const auto& [k, v] : seed.as_object()) merged[k] = v;
    }
  } catch (const std::exception& e) {
    if (error) *error = std::string("seed is not valid JSON: ") + e.what();
    return nullptr;
  }

  HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.io_threads = options.io_threads;
  PeerState* raw_state = &state;
  // The server must know its port before seeding (links embed the base URL), so it starts
  // first; requests wait on the state mutex held during seeding.
  std::unique_lock lock(state.mu);
  peer->impl_->server = HttpServer::Start(
      server_options, [raw_state](const Request& r) { return Route(*raw_state, r); }, error);
  if (!peer->impl_->server) return nullptr;
  state.base_url = peer->impl_->server->base_url();
  state.startup_seed = nullptr;
  state.ResetLocked();
  std::string seed_error;
  if (!ApplySeed(state, merged, &seed_error)) {
    if (error) *error = "invalid seed: " + seed_error;
    lock.unlock();
    peer->Stop();
    return nullptr;
  }
  state.startup_seed = merged;
  return peer;
}

std::uint16_t GraphPeer::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string GraphPeer::base_url() const {
  return impl_->server ? impl_->server->base_url() : std::string();
}

void GraphPeer::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

void GraphPeer::AdvanceClockForTest(std::int64_t delta_ms) {
  impl_->state.clock.AdvanceMs(delta_ms);
}

}  // namespace chpeer::graph
