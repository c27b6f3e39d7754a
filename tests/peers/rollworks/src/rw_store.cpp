// The peer's ABM data model: lookups by domain/email, change-feed positions, the ABM fields
// tests and seeds may set, and the JSON shapes the change feeds return.
#include <algorithm>

#include <boost/json.hpp>

#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {

namespace json = boost::json;

AbmAccount* Advertiser::FindAccountByDomain(const std::string& domain) {
  for (auto& [id, account] : accounts) {
    if (account.domain == domain) return &account;
  }
  return nullptr;
}

AbmContact* Advertiser::FindContactByEmail(const std::string& lower_email) {
  for (auto& [id, contact] : contacts) {
    if (contact.email == lower_email) return &contact;
  }
  return nullptr;
}

void Advertiser::Touch(AbmAccount& account, std::int64_t now_ms) {
  account.change_seq = next_seq++;
  account.updated_ms = now_ms;
}

void Advertiser::Touch(AbmContact& contact, std::int64_t now_ms) {
  contact.change_seq = next_seq++;
  contact.updated_ms = now_ms;
}

void PeerState::ResetLocked() {
  clock.Reset();
  faults.Clear();
  counters.Clear();
  throttle = Throttle{};
  advertisers.clear();
  api_keys.clear();
  oauth_clients.clear();
  access_tokens.clear();
  token_ttl_s = kDefaultTokenTtlS;
  change_retention_s = kDefaultChangeRetentionS;
  next_account_number = 1001;
  next_contact_number = 5001;
  std::string error;
  if (const auto* seeds = startup_seed.if_array()) {
    for (const auto& seed : *seeds) ApplySeed(*this, seed, &error);
  }
}

Advertiser* PeerState::AdvertiserFor(const json::object& body, std::string* error) {
  if (auto id = OptionalStringField(body, "advertiser_id")) {
    auto it = advertisers.find(*id);
    if (it != advertisers.end()) return &it->second;
    *error = "unknown advertiser " + *id;
    return nullptr;
  }
  if (advertisers.empty()) {
    *error = "no advertiser: seed one first";
    return nullptr;
  }
  return &advertisers.begin()->second;
}

namespace {

bool IsJourneyStage(const std::string& s) {
  static const std::set<std::string> kStages{"unaware", "aware", "engaged", "opportunity",
                                             "customer"};
  return kStages.count(s) > 0;
}

bool IsIcpGrade(const std::string& s) { return s == "A" || s == "B" || s == "C" || s == "D"; }

// Reads an optional enum-like string field (null clears it).
bool SetOptionalString(const json::object& fields, const char* key,
                       bool (*valid)(const std::string&), std::optional<std::string>* target,
                       bool* changed, std::string* error) {
  const json::value* v = fields.if_contains(key);
  if (!v) return true;
  std::optional<std::string> value;
  if (v->is_string()) {
    value = std::string(v->as_string());
    if (!valid(*value)) {
      *error = std::string("invalid ") + key + " '" + *value + "'";
      return false;
    }
  } else if (!v->is_null()) {
    *error = std::string(key) + " must be a string or null";
    return false;
  }
  if (value != *target) *changed = true;
  *target = value;
  return true;
}

bool SetCount(const json::object& fields, const char* key, std::int64_t max, std::int64_t* target,
              bool* changed, std::string* error) {
  const json::value* v = fields.if_contains(key);
  if (!v) return true;
  if (!v->is_int64() && !v->is_uint64()) {
    *error = std::string(key) + " must be an integer";
    return false;
  }
  std::int64_t n = v->to_number<std::int64_t>();
  if (n < 0 || n > max) {
    *error = std::string(key) + " must be 0.." + std::to_string(max);
    return false;
  }
  if (n != *target) *changed = true;
  *target = n;
  return true;
}

bool ReadListIds(const Advertiser& advertiser, const json::value& v, std::set<std::string>* out,
                 std::string* error) {
  if (!v.is_array()) {
    *error = "account list ids must be an array of strings";
    return false;
  }
  for (const auto& item : v.as_array()) {
    if (!item.is_string() || !advertiser.lists.count(std::string(item.as_string()))) {
      *error = "unknown account list " + json::serialize(item);
      return false;
    }
    out->insert(std::string(item.as_string()));
  }
  return true;
}

}  // namespace

bool ApplyAbmFields(PeerState& state, Advertiser& advertiser, AbmAccount& account,
                    const json::object& fields, bool* changed, std::string* error) {
  constexpr std::int64_t kMaxCount = 1'000'000'000'000;
  if (!SetOptionalString(fields, "journey_stage", IsJourneyStage, &account.journey_stage, changed,
                         error) ||
      !SetOptionalString(fields, "icp_fit_grade", IsIcpGrade, &account.icp_fit_grade, changed,
                         error) ||
      !SetCount(fields, "intent_score", 100, &account.intent_score, changed, error) ||
      !SetCount(fields, "ad_impressions_30d", kMaxCount, &account.ad_impressions_30d, changed,
                error) ||
      !SetCount(fields, "ad_clicks_30d", kMaxCount, &account.ad_clicks_30d, changed, error)) {
    return false;
  }
  if (const json::value* v = fields.if_contains("name"); v && v->is_string()) {
    if (account.name != v->as_string()) *changed = true;
    account.name = std::string(v->as_string());
  }
  if (const json::value* v = fields.if_contains("intent_topics")) {
    std::vector<std::string> topics;
    if (!v->is_array()) {
      *error = "intent_topics must be an array of strings";
      return false;
    }
    for (const auto& t : v->as_array()) {
      if (!t.is_string()) {
        *error = "intent_topics must be an array of strings";
        return false;
      }
      topics.emplace_back(t.as_string());
    }
    if (topics != account.intent_topics) *changed = true;
    account.intent_topics = std::move(topics);
  }
  std::set<std::string> lists = account.list_ids;
  if (const json::value* v = fields.if_contains("account_lists")) {
    lists.clear();
    if (!ReadListIds(advertiser, *v, &lists, error)) return false;
  }
  if (const json::value* v = fields.if_contains("add_lists")) {
    if (!ReadListIds(advertiser, *v, &lists, error)) return false;
  }
  if (const json::value* v = fields.if_contains("remove_lists")) {
    std::set<std::string> removed;
    if (!ReadListIds(advertiser, *v, &removed, error)) return false;
    for (const auto& id : removed) lists.erase(id);
  }
  if (lists != account.list_ids) {
    *changed = true;
    std::int64_t now = state.clock.NowMs();
    for (auto& [id, list] : advertiser.lists) {
      bool member = lists.count(id) > 0;
      bool was = list.members.count(account.id) > 0;
      if (member && !was) list.members[account.id] = now;
      if (!member && was) list.members.erase(account.id);
      if (member != was) list.updated_ms = now;
    }
    account.list_ids = std::move(lists);
  }
  return true;
}

namespace {
json::value OptionalString(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}
}  // namespace

json::object AccountJson(const Advertiser& advertiser, const AbmAccount& account) {
  json::array lists;
  for (const auto& id : account.list_ids) {
    auto it = advertiser.lists.find(id);
    lists.push_back(
        json::object{{"id", id}, {"name", it == advertiser.lists.end() ? "" : it->second.name}});
  }
  json::array topics;
  for (const auto& t : account.intent_topics) topics.push_back(json::value(t));
  return json::object{{"account_id", account.id},
                      {"account_external_id", OptionalString(account.external_id)},
                      {"domain", account.domain},
                      {"name", account.name},
                      {"account_lists", std::move(lists)},
                      {"journey_stage", OptionalString(account.journey_stage)},
                      {"icp_fit_grade", OptionalString(account.icp_fit_grade)},
                      {"intent_score", account.intent_score},
                      {"intent_topics", std::move(topics)},
                      {"ad_impressions_30d", account.ad_impressions_30d},
                      {"ad_clicks_30d", account.ad_clicks_30d},
                      {"updated_at", FormatTime(account.updated_ms)}};
}

json::object ContactJson(const AbmContact& contact) {
  return json::object{{"contact_id", contact.id},
                      {"email", contact.email},
                      {"contact_external_id", OptionalString(contact.external_id)},
                      {"kind", OptionalString(contact.kind)},
                      {"account_external_id", OptionalString(contact.account_external_id)},
                      {"journey_stage", OptionalString(contact.journey_stage)},
                      {"updated_at", FormatTime(contact.updated_ms)}};
}

bool ApplyContactAbmFields(AbmContact& contact, const json::object& fields, bool* changed,
                           std::string* error) {
  return SetOptionalString(fields, "journey_stage", IsJourneyStage, &contact.journey_stage, changed,
                           error);
}

}  // namespace chpeer::rollworks
