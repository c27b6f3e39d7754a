// Internal: everything the Salesforce peer's handlers share, guarded by one mutex (requests
// are handled one at a time; the peer favours exactness over throughput), plus the handler
// entry points each living in its own file.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "chpeer/call_counters.h"
#include "chpeer/fault_injector.h"
#include "chpeer/http_types.h"
#include "chpeer/manual_clock.h"
#include "sf_oauth_state.h"
#include "sf_store.h"

namespace chpeer::sf {

constexpr int kMinApiVersion = 31;
constexpr int kMaxApiVersion = 61;
constexpr std::int64_t kDefaultBatchSize = 2000;
constexpr std::int64_t kDefaultDailyApiMax = 15000;

// Server-side state of one query cursor (nextRecordsUrl).
struct QueryCursor {
  std::string object;
  std::vector<boost::json::object> records;
  std::int64_t batch_size = kDefaultBatchSize;
};

struct PeerState {
  std::mutex mu;
  ManualClock clock;
  DataStore store{clock};
  OAuthState oauth;
  FaultInjector faults;
  CallCounters counters;

  std::string base_url;  // http://127.0.0.1:port
  std::string org_id;
  std::string org_name = "Peer Org";
  std::string login_username;  // who "logs in" on the authorize page when no login_hint
  std::int64_t daily_api_max = kDefaultDailyApiMax;
  std::int64_t daily_api_used = 0;

  boost::json::value startup_seed;  // re-applied by ResetLocked (null: empty org)

  std::map<std::string, QueryCursor> cursors;  // by cursor id (without "-offset")
  std::deque<std::string> cursor_order;        // oldest first, bounded

  // Resets data, OAuth state, counters, faults, limits and clock, then re-applies the
  // start-up seed.
  void ResetLocked();
  // Looks up a live User record by Username (case-insensitive); nullptr when unknown.
  const boost::json::object* FindUserByUsername(const std::string& username) const;
  const boost::json::object* FindUserById(const std::string& id) const;
  std::string IdentityUrl(const std::string& user_id) const;
};

// Seeding (file or control API): see README.md for the format. Merges into current state.
bool ApplySeed(PeerState& state, const boost::json::value& seed, std::string* error);

// Verifies an RS256 JWT bearer assertion; on success returns its claims, else sets *error to
// the OAuth error_description Salesforce would use.
std::optional<boost::json::object> VerifyJwtAssertion(const std::string& assertion,
                                                      const std::string& public_pem,
                                                      std::string* error);

Response HandleOAuth(PeerState& state, const Request& request);
Response HandleIdentity(PeerState& state, const Request& request);
// REST under /services/data; the access token was checked by the router.
Response HandleRest(PeerState& state, const Request& request, const AccessToken& token);
Response HandleComposite(PeerState& state, const Request& request, const AccessToken& token,
                         const std::string& version_path, const std::vector<std::string>& rest);
Response HandleControl(PeerState& state, const Request& request);
boost::json::value ApiVersionsJson(const std::string& base_url);

}  // namespace chpeer::sf
