// Internal: everything the Salesforce peer's handlers share, guarded by one mutex (requests
// are handled one at a time; the peer favours exactness over throughput), plus the handler
// entry points each living in its own file.
#pragma once

#include <cstdint>
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
constexpr int kMaxApiVersion = 67;  // Summer '26, the current release
constexpr std::int64_t kDefaultBatchSize = 2000;
constexpr std::int64_t kDefaultDailyApiMax = 15000;

// A query cursor is dropped after this long without a page request (peer clock).
constexpr std::int64_t kCursorIdleTimeoutMs = 15 * 60 * 1000;

// Server-side state of one query cursor (nextRecordsUrl): the result's snapshot rows, projected
// a page at a time. Freed once its last page was served; open ones are never evicted by
// other queries (Salesforce has no open-cursor limit since API 56.0), only after
// kCursorIdleTimeoutMs idle.
struct QueryCursor {
  std::string object;
  std::vector<std::string> fields;
  std::vector<RecordPtr> rows;
  std::int64_t batch_size = kDefaultBatchSize;
  std::int64_t last_used_ms = 0;
};

// One Bulk API 2.0 query job (sf_bulk_handlers.cpp).
struct BulkQueryJob {
  std::string id;         // 750...
  std::string operation;  // query | queryAll
  std::string object;
  std::string created_by_id;
  std::int64_t created_ms = 0;
  std::int64_t modstamp_ms = 0;
  double api_version = 0;
  std::string version_path;  // results must be read with the same version
  std::string column_delimiter = "COMMA";
  std::string line_ending = "LF";
  std::string state;  // UploadComplete, InProgress, JobComplete, Aborted, Failed
  std::string error_message;
  int polls_left = 0;  // status polls that still answer InProgress
  std::vector<std::string> fields;
  std::vector<RecordPtr> rows;  // snapshot taken when the job was created
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
  // Organization.OrganizationType and IsSandbox (seed "org"): a sandbox keeps its production
  // org's edition as OrganizationType and answers IsSandbox = true.
  std::string org_type = "Developer Edition";
  bool org_is_sandbox = false;
  std::string login_username;  // who "logs in" on the authorize page when no login_hint
  std::int64_t daily_api_max = kDefaultDailyApiMax;
  std::int64_t daily_api_used = 0;

  boost::json::value startup_seed;  // re-applied by ResetLocked (null: empty org)

  std::map<std::string, QueryCursor> cursors;     // by cursor id (without "-offset")
  std::map<std::string, BulkQueryJob> bulk_jobs;  // by job id
  int bulk_polls_to_complete = 1;                 // control API: POST /__peer/bulk
  std::size_t bulk_default_max_records = 50000;   // a result set without maxRecords

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
// Bulk API 2.0 query jobs under /services/data/vXX.X/jobs/query (sf_bulk_handlers.cpp).
Response HandleBulkQuery(PeerState& state, const Request& request, const AccessToken& token,
                         const std::string& version_path, const std::vector<std::string>& rest);
// 400 INVALID_FIELD naming the first of `names` the object lacks (?fields=, retrieve).
std::optional<Response> UnknownFieldsRefusal(const ObjectDef& object,
                                             const std::vector<std::string>& names);
// "A, B ,C" -> {"A","B","C"}
std::vector<std::string> SplitFieldList(const std::string& list);
boost::json::value ApiVersionsJson(const std::string& base_url);

}  // namespace chpeer::sf
