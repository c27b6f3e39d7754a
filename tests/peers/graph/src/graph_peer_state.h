// Internal: everything the Graph peer's handlers share, guarded by one mutex (requests are
// handled one at a time; delays are timers in the server, so held responses still overlap),
// plus the handler entry points, each living in its own file.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "chpeer/call_counters.h"
#include "chpeer/fault_injector.h"
#include "chpeer/http_types.h"
#include "chpeer/manual_clock.h"
#include "graph_auth.h"
#include "graph_delta.h"
#include "graph_store.h"
#include "graph_throttle.h"
#include "graph_util.h"

namespace chpeer::graph {

inline constexpr int kMaxBatchRequests = 20;
inline constexpr int kDefaultDeltaPageSize = 10;
inline constexpr int kMaxDeltaPageSize = 1000;

// One Graph API call: a request to /v1.0/... or one request inside a $batch.
struct GraphCall {
  std::string method;
  std::string path;  // "/v1.0/users/..."
  ParamMap query;
  HeaderMap headers;
  std::string body;
  CallIds ids;
  std::int64_t hold_ms = 0;  // delay the response will get (fault injection)
  bool in_batch = false;
};

struct PeerState {
  std::mutex mu;
  ManualClock clock;
  GraphStore store{clock};
  AuthState auth;
  DeltaTokens deltas;
  MailboxGovernor governor;
  FaultInjector faults;
  CallCounters counters;

  std::string base_url;  // http://127.0.0.1:port
  std::string tenant_id;
  std::vector<std::string> tenant_domains;
  boost::json::value startup_seed;  // re-applied by ResetLocked (null: empty tenant)

  // Back to an empty tenant plus the start-up seed: data, apps, tokens, delta tokens, limits,
  // throttle rules, faults, counters and clock.
  void ResetLocked();
  bool IsTenant(const std::string& name) const;
};

// Seeding (file or control API): see README.md for the format. Merges into current state.
bool ApplySeed(PeerState& state, const boost::json::value& seed, std::string* error);
// One app in the seed format ({"client_id","client_secret","scoped_mailboxes",...}).
bool ParseApp(const boost::json::value& value, App* app, std::string* error);

// Monotonic milliseconds for in-flight bookkeeping (real time: delays are real).
std::int64_t SteadyNowMs();

// /{tenant}/oauth2/v2.0/token, /{tenant}/v2.0/.well-known/openid-configuration,
// /common/discovery/instance.
Response HandleLogin(PeerState& state, const Request& request);
// Any /v1.0/... call: token check, routing, mailbox scope and service limits.
Response HandleGraph(PeerState& state, const GraphCall& call);
Response HandleBatch(PeerState& state, const GraphCall& call);
// users, users/{id|upn}; `segments` start after the version.
Response HandleUsers(PeerState& state, const GraphCall& call,
                     const std::vector<std::string>& segments);
// users/{id}/<rest> once the mailbox was admitted.
Response HandleMailbox(PeerState& state, const GraphCall& call, const User& user,
                       const std::vector<std::string>& rest);
Response HandleControl(PeerState& state, const Request& request);

}  // namespace chpeer::graph
