// Internal: everything the RollWorks peer's handlers share, guarded by one mutex (requests are
// handled one at a time; the peer favours exactness over throughput), and the handler entry
// points, each living in its own file.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "chpeer/call_counters.h"
#include "chpeer/fault_injector.h"
#include "chpeer/http_types.h"
#include "chpeer/manual_clock.h"

namespace chpeer::rollworks {

constexpr std::size_t kMaxBatchRecords = 500;
constexpr std::int64_t kDefaultPageLimit = 100;
constexpr std::int64_t kMaxPageLimit = 1000;
constexpr std::int64_t kDefaultTokenTtlS = 3600;
constexpr std::int64_t kDefaultChangeRetentionS = 30 * 24 * 3600;
constexpr std::int64_t kIdempotencyWindowMs = 24 * 3600 * 1000;

// The CRM objects a batch upsert accepts (path segment before ":batchUpsert").
inline const std::vector<std::string>& CrmObjects() {
  static const std::vector<std::string> objects{"accounts", "contacts", "opportunities",
                                                "campaigns"};
  return objects;
}

// RollWorks' per-account ABM data (what the accounts change feed returns).
struct AbmAccount {
  std::string id;  // rwa_...
  std::string domain;
  std::string name;
  std::optional<std::string> external_id;  // linked Salesforce Account
  std::set<std::string> list_ids;
  std::optional<std::string> journey_stage;
  std::optional<std::string> icp_fit_grade;
  std::int64_t intent_score = 0;
  std::vector<std::string> intent_topics;
  std::int64_t ad_impressions_30d = 0;
  std::int64_t ad_clicks_30d = 0;
  std::int64_t updated_ms = 0;
  std::int64_t change_seq = 0;
};

struct AbmContact {
  std::string id;     // rwc_...
  std::string email;  // lower-case
  std::optional<std::string> external_id;
  std::optional<std::string> kind;
  std::optional<std::string> account_external_id;
  std::optional<std::string> journey_stage;
  std::int64_t updated_ms = 0;
  std::int64_t change_seq = 0;
};

struct AccountList {
  std::string id;
  std::string name;
  std::string type = "static";
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::map<std::string, std::int64_t> members;  // account id -> added_ms
};

// One uploaded CRM record, as normalised by the peer.
struct CrmRecord {
  boost::json::object fields;
  std::int64_t received = 0;  // how many times a batch carried this external_id
  std::int64_t version = 0;   // bumped on created/updated
  std::int64_t updated_ms = 0;
};

struct IdempotentReply {
  std::string request_body;  // the body it answered (a reused key must resend it)
  Response response;
  std::int64_t stored_ms = 0;
};

struct Advertiser {
  std::string id;
  std::string name;
  std::string status = "active";
  std::string time_zone = "UTC";
  std::string currency = "USD";
  std::int64_t created_ms = 0;
  std::int64_t next_seq = 1;                   // change sequence shared by both feeds
  std::map<std::string, AbmAccount> accounts;  // by id
  std::map<std::string, AbmContact> contacts;  // by id
  std::map<std::string, AccountList> lists;    // by id
  std::map<std::string, std::map<std::string, CrmRecord>> crm;  // object -> external_id -> rec
  std::map<std::string, IdempotentReply> idempotency;           // by Idempotency-Key

  AbmAccount* FindAccountByDomain(const std::string& domain);
  AbmContact* FindContactByEmail(const std::string& lower_email);
  // Records a change to the account/contact: a new position in the change feed.
  void Touch(AbmAccount& account, std::int64_t now_ms);
  void Touch(AbmContact& contact, std::int64_t now_ms);
};

struct ApiKey {
  std::string key;
  std::set<std::string> advertiser_ids;
  bool active = true;
};

struct OAuthClient {
  std::string client_id;
  std::string client_secret;
  std::set<std::string> advertiser_ids;
  std::string scope = "abm";
  bool active = true;
};

struct AccessToken {
  std::string client_id;
  std::int64_t expires_ms = 0;
};

// Who a request authenticated as.
enum class CredentialKind { kApiKey = 1, kOAuthToken };

struct Credential {
  CredentialKind kind;
  const std::set<std::string>* advertiser_ids = nullptr;
};

// 429s for the next N matching requests, and/or a fixed-window rate limit on the peer clock.
struct Throttle {
  std::string path_prefix = "/api/v1";
  std::int64_t next = 0;
  std::int64_t retry_after_s = 1;
  std::int64_t window_limit = 0;  // 0: no window limit
  std::int64_t window_s = 60;
  std::int64_t window_start_ms = 0;
  std::int64_t window_used = 0;
};

struct PeerState {
  std::mutex mu;
  ManualClock clock;
  FaultInjector faults;
  CallCounters counters;
  Throttle throttle;

  std::map<std::string, Advertiser> advertisers;
  std::map<std::string, ApiKey> api_keys;
  std::map<std::string, OAuthClient> oauth_clients;
  std::map<std::string, AccessToken> access_tokens;
  std::int64_t token_ttl_s = kDefaultTokenTtlS;
  std::int64_t change_retention_s = kDefaultChangeRetentionS;
  std::int64_t next_account_number = 1001;
  std::int64_t next_contact_number = 5001;

  boost::json::value startup_seed;  // array of seeds re-applied in order by ResetLocked

  // Back to the start-up seeds: data, credentials, tokens, clock, faults, throttle, counters.
  void ResetLocked();
  std::string NewAccountId() { return "rwa_" + std::to_string(next_account_number++); }
  std::string NewContactId() { return "rwc_" + std::to_string(next_contact_number++); }
  // The advertiser named in a seed/control body, or the first one when it names none.
  Advertiser* AdvertiserFor(const boost::json::object& body, std::string* error);
};

// Seeding (file or control API): see README.md for the format. Merges into current state.
bool ApplySeed(PeerState& state, const boost::json::value& seed, std::string* error);
// Applies ABM fields (journey_stage, icp_fit_grade, intent_*, ad_*, account_lists,
// add_lists, remove_lists, name) to an account; returns false and sets *error when invalid.
// Sets *changed when anything differs. Does not Touch.
bool ApplyAbmFields(PeerState& state, Advertiser& advertiser, AbmAccount& account,
                    const boost::json::object& fields, bool* changed, std::string* error);

// The contact-level ABM field (journey_stage) for seeds and the control API.
bool ApplyContactAbmFields(AbmContact& contact, const boost::json::object& fields, bool* changed,
                           std::string* error);

boost::json::object AccountJson(const Advertiser& advertiser, const AbmAccount& account);
boost::json::object ContactJson(const AbmContact& contact);

// Checks the bearer credential; on failure returns the 401 to send.
std::optional<Credential> Authenticate(PeerState& state, const Request& request,
                                       const std::string& request_id, Response* failure);
Response HandleToken(PeerState& state, const Request& request, const std::string& request_id);
// Everything under /api/v1/advertisers/{id}/; the advertiser and its scope were checked.
Response HandleBatchUpsert(PeerState& state, Advertiser& advertiser, const std::string& object,
                           const Request& request, const std::string& request_id);
Response HandleAbm(PeerState& state, Advertiser& advertiser, const std::vector<std::string>& rest,
                   const Request& request, const std::string& request_id);
Response HandleControl(PeerState& state, const Request& request);

}  // namespace chpeer::rollworks
