// Reading ABM data: the advertiser (authorise check), account lists and their members (cursor
// pages) and the accounts/contacts change feeds with their stored, expiring cursors
// (API.md §2.1, §4, §5).
#include <algorithm>

#include <boost/json.hpp>

#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {
namespace {

namespace json = boost::json;

constexpr const char* kFeedCursorVersion = "f1";
constexpr const char* kPageCursorVersion = "p1";

// Parses ?limit= (default 100, 1..1000); nullopt + *failure when out of range.
std::optional<std::int64_t> Limit(const Request& request, const std::string& request_id,
                                  Response* failure) {
  auto it = request.query.find("limit");
  if (it == request.query.end() || it->second.empty()) return kDefaultPageLimit;
  try {
    std::size_t used = 0;
    std::int64_t n = std::stoll(it->second, &used);
    if (used == it->second.size() && n >= 1 && n <= kMaxPageLimit) return n;
  } catch (const std::exception&) {
  }
  *failure =
      ApiError(400, "invalid_parameter",
               "limit must be an integer 1.." + std::to_string(kMaxPageLimit) + ".", request_id);
  return std::nullopt;
}

std::string Param(const Request& request, const char* name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? std::string() : it->second;
}

Response InvalidCursor(const std::string& request_id) {
  return ApiError(400, "invalid_cursor", "The cursor is malformed or belongs to another feed.",
                  request_id);
}

// One page of `items` (already ordered by key) after the `cursor` parameter's key.
template <typename Item, typename ToJson>
Response Page(const Request& request, const std::string& request_id, const std::string& kind,
              const std::string& scope, const std::vector<std::pair<std::string, Item>>& items,
              ToJson to_json) {
  Response failure;
  auto limit = Limit(request, request_id, &failure);
  if (!limit) return failure;
  std::string after;
  if (std::string cursor = Param(request, "cursor"); !cursor.empty()) {
    auto parts = DecodeCursor(cursor);
    if (!parts || parts->size() != 4 || (*parts)[0] != kPageCursorVersion || (*parts)[1] != kind ||
        (*parts)[2] != scope) {
      return InvalidCursor(request_id);
    }
    after = (*parts)[3];
  }
  json::array data;
  bool has_more = false;
  std::string last;
  for (const auto& [key, item] : items) {
    if (!after.empty() && key <= after) continue;
    if (static_cast<std::int64_t>(data.size()) == *limit) {
      has_more = true;
      break;
    }
    data.push_back(to_json(item));
    last = key;
  }
  json::value next = has_more ? json::value(EncodeCursor({kPageCursorVersion, kind, scope, last}))
                              : json::value(nullptr);
  return JsonResponse(
      json::object{{"data", std::move(data)}, {"next_cursor", next}, {"has_more", has_more}});
}

Response AccountLists(const Advertiser& adv, const Request& request,
                      const std::string& request_id) {
  std::vector<std::pair<std::string, const AccountList*>> items;
  for (const auto& [id, list] : adv.lists) items.emplace_back(id, &list);
  return Page(request, request_id, "lists", adv.id, items, [](const AccountList* list) {
    return json::object{{"id", list->id},
                        {"name", list->name},
                        {"type", list->type},
                        {"account_count", list->members.size()},
                        {"created_at", FormatTime(list->created_ms)},
                        {"updated_at", FormatTime(list->updated_ms)}};
  });
}

Response Members(const Advertiser& adv, const std::string& list_id, const Request& request,
                 const std::string& request_id) {
  auto list = adv.lists.find(list_id);
  if (list == adv.lists.end()) {
    return ApiError(404, "not_found", "No account list " + list_id + ".", request_id);
  }
  std::vector<std::pair<std::string, std::pair<const AbmAccount*, std::int64_t>>> items;
  for (const auto& [account_id, added_ms] : list->second.members) {
    auto account = adv.accounts.find(account_id);
    if (account != adv.accounts.end()) {
      items.emplace_back(account_id, std::make_pair(&account->second, added_ms));
    }
  }
  return Page(request, request_id, "members", adv.id + "/" + list_id, items,
              [](const std::pair<const AbmAccount*, std::int64_t>& m) {
                const AbmAccount& a = *m.first;
                return json::object{
                    {"account_id", a.id},
                    {"account_external_id",
                     a.external_id ? json::value(*a.external_id) : json::value(nullptr)},
                    {"domain", a.domain},
                    {"added_at", FormatTime(m.second)}};
              });
}

// A change feed: the current state of every item whose change_seq is after the cursor's.
template <typename Item, typename ToJson>
Response Changes(PeerState& state, const Advertiser& adv, const std::string& feed,
                 const std::map<std::string, Item>& all, const Request& request,
                 const std::string& request_id, ToJson to_json) {
  Response failure;
  auto limit = Limit(request, request_id, &failure);
  if (!limit) return failure;
  std::int64_t now = state.clock.NowMs();
  std::int64_t since = 0;
  if (std::string cursor = Param(request, "since_cursor"); !cursor.empty()) {
    auto parts = DecodeCursor(cursor);
    if (!parts || parts->size() != 5 || (*parts)[0] != kFeedCursorVersion || (*parts)[1] != feed ||
        (*parts)[2] != adv.id) {
      return InvalidCursor(request_id);
    }
    std::int64_t issued_ms = 0;
    try {
      since = std::stoll((*parts)[3]);
      issued_ms = std::stoll((*parts)[4]);
    } catch (const std::exception&) {
      return InvalidCursor(request_id);
    }
    if (now - issued_ms > state.change_retention_s * 1000) {
      state.counters.Increment("events", "cursor_expired");
      return ApiError(410, "cursor_expired",
                      "The cursor is older than the change retention; resync without a cursor.",
                      request_id, json::object{{"retention_s", state.change_retention_s}});
    }
  }
  std::vector<const Item*> changed;
  for (const auto& [id, item] : all) {
    if (item.change_seq > since) changed.push_back(&item);
  }
  std::sort(changed.begin(), changed.end(),
            [](const Item* a, const Item* b) { return a->change_seq < b->change_seq; });
  bool has_more = static_cast<std::int64_t>(changed.size()) > *limit;
  if (has_more) changed.resize(static_cast<std::size_t>(*limit));
  json::array data;
  for (const Item* item : changed) data.push_back(to_json(*item));
  std::int64_t last = changed.empty() ? since : changed.back()->change_seq;
  std::string next =
      EncodeCursor({kFeedCursorVersion, feed, adv.id, std::to_string(last), std::to_string(now)});
  return JsonResponse(
      json::object{{"data", std::move(data)}, {"next_cursor", next}, {"has_more", has_more}});
}

}  // namespace

Response HandleAbm(PeerState& state, Advertiser& adv, const std::vector<std::string>& rest,
                   const Request& request, const std::string& request_id) {
  auto not_found = [&] {
    return ApiError(404, "not_found", "No such resource: " + request.path, request_id);
  };
  bool known = rest.empty() || (rest.size() == 1 && rest[0] == "account-lists") ||
               (rest.size() == 3 && rest[0] == "account-lists" && rest[2] == "members") ||
               (rest.size() == 2 && rest[1] == "changes" &&
                (rest[0] == "accounts" || rest[0] == "contacts"));
  if (!known) return not_found();
  if (request.method != "GET") {
    return ApiError(405, "method_not_allowed", "Use GET for " + request.path + ".", request_id);
  }
  if (rest.empty()) {
    return JsonResponse(json::object{{"id", adv.id},
                                     {"name", adv.name},
                                     {"status", adv.status},
                                     {"time_zone", adv.time_zone},
                                     {"currency", adv.currency}});
  }
  if (rest[0] == "account-lists") {
    return rest.size() == 1 ? AccountLists(adv, request, request_id)
                            : Members(adv, rest[1], request, request_id);
  }
  if (rest[0] == "accounts") {
    return Changes(state, adv, "accounts", adv.accounts, request, request_id,
                   [&adv](const AbmAccount& a) { return AccountJson(adv, a); });
  }
  return Changes(state, adv, "contacts", adv.contacts, request, request_id,
                 [](const AbmContact& c) { return ContactJson(c); });
}

}  // namespace chpeer::rollworks
