// Same-user grants across the connections of one state (see same_user_grants.hpp).
#include "same_user_grants.hpp"

#include <boost/json.hpp>

#include "chost/runtime/host_callbacks.hpp"

namespace chost::runtime {

namespace json = boost::json;

namespace {

constexpr std::size_t kHistoryLooked = 50;
constexpr const char* kAuthorizedReason = "authorized by admin";

std::string member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object{};
}

int64_t newest_history_at(store::StateStore& store, std::string_view name,
                          std::initializer_list<std::string_view> reasons) {
  auto history = store.list_history(name, kHistoryLooked);
  if (!history) return 0;
  for (const store::HistoryEntry& h : *history) {  // newest first
    for (std::string_view r : reasons) {
      if (h.to_state == "connected" && h.reason.starts_with(r)) return h.at_ms;
    }
  }
  return 0;
}

}  // namespace

std::vector<SameUserGrant> same_user_grants(store::StateStore& store, std::string_view name,
                                            const json::object& identity,
                                            const json::object& credentials) {
  std::vector<SameUserGrant> out;
  const std::string user = member(identity, "user_id");
  if (user.empty()) return out;
  const std::string org = member(identity, "org_id");
  const std::string app = member(credentials, "client_id");
  auto rows = store.list_connections();
  if (!rows) return out;
  for (const store::ConnectionRecord& row : *rows) {
    if (row.name == name || row.state == "unauthorized") continue;
    const json::object theirs = parse_object(row.identity_json);
    if (member(theirs, "user_id") != user || member(theirs, "org_id") != org) continue;
    if (!app.empty()) {
      auto secret = store.secret_get(row.name, kCredentialsSecretName);
      if (secret && secret->has_value()) {
        const std::string their_app = member(parse_object((*secret)->value), "client_id");
        if (!their_app.empty() && their_app != app) continue;
      }
    }
    out.push_back({row.name, newest_history_at(store, row.name, {kAuthorizedReason})});
  }
  return out;
}

int64_t grant_issued_at_ms(store::StateStore& store, std::string_view name) {
  return newest_history_at(store, name, {kAuthorizedReason, "refreshed", "adopted"});
}

std::string same_user_warning(const std::vector<SameUserGrant>& others, std::string_view who) {
  if (others.empty()) return "";
  std::string names;
  for (const SameUserGrant& g : others) names += (names.empty() ? "'" : ", '") + g.connection + "'";
  return "connection(s) " + names + " in this state are authorized as the same user (" +
         std::string(who) +
         ") of the same app: Salesforce keeps at most 5 approvals per user and connected app and "
         "silently revokes the oldest when another is made, so authorizing here can revoke "
         "another connection's or host's grant; give each host its own integration user or "
         "connected app";
}

}  // namespace chost::runtime
