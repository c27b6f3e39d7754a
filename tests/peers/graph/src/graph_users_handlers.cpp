// GET /v1.0/users and /v1.0/users/{id | userPrincipalName}: the directory's default user
// properties or a $select of them, and the $filter forms an app-only mailbox reader uses
// (mail / userPrincipalName / id eq '...', joined by "or").
#include <boost/json.hpp>

#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

json::object FullUser(const User& user) {
  json::object all{{"businessPhones", json::array{}},
                   {"displayName", user.display_name},
                   {"givenName", nullptr},
                   {"jobTitle", nullptr},
                   {"mail", user.mail},
                   {"mobilePhone", nullptr},
                   {"officeLocation", nullptr},
                   {"preferredLanguage", nullptr},
                   {"surname", nullptr},
                   {"userPrincipalName", user.user_principal_name},
                   {"id", user.id}};
  for (const auto& [k, v] : user.extra) all[k] = v;
  return all;
}

// The default property set, or exactly the $select-ed properties (accountEnabled is only
// returned when selected, as in Graph).
json::object UserJson(const User& user, const std::vector<std::string>& select) {
  json::object all = FullUser(user);
  if (select.empty()) {
    all.erase("accountEnabled");
    return all;
  }
  all["accountEnabled"] = user.account_enabled;
  json::object out;
  for (const auto& field : select) {
    for (const auto& [k, v] : all) {
      if (EqualsIgnoreCase(k, field)) out[k] = v;
    }
  }
  return out;
}

std::string Context(const PeerState& state, const std::vector<std::string>& select, bool entity) {
  std::string context = state.base_url + "/v1.0/$metadata#users";
  if (!select.empty()) {
    context += "(";
    for (std::size_t i = 0; i < select.size(); ++i) context += (i ? "," : "") + select[i];
    context += ")";
  }
  return entity ? context + "/$entity" : context;
}

// "mail eq 'a@b' or userPrincipalName eq 'c@d'" -> {("mail","a@b"), ...}
std::optional<std::vector<std::pair<std::string, std::string>>> ParseFilter(std::string text) {
  std::vector<std::pair<std::string, std::string>> clauses;
  while (true) {
    auto eq = text.find(" eq '");
    if (eq == std::string::npos) return std::nullopt;
    std::string property = text.substr(0, eq);
    while (!property.empty() && property.front() == ' ') property.erase(0, 1);
    auto close = text.find('\'', eq + 5);
    if (close == std::string::npos) return std::nullopt;
    clauses.emplace_back(property, text.substr(eq + 5, close - eq - 5));
    text = text.substr(close + 1);
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    if (text.empty()) return clauses;
    if (!StartsWith(ToLower(text), "or ")) return std::nullopt;
    text = text.substr(3);
  }
}

bool Matches(const User& user, const std::vector<std::pair<std::string, std::string>>& filter) {
  for (const auto& [property, value] : filter) {
    if ((EqualsIgnoreCase(property, "mail") && EqualsIgnoreCase(user.mail, value)) ||
        (EqualsIgnoreCase(property, "userPrincipalName") &&
         EqualsIgnoreCase(user.user_principal_name, value)) ||
        (EqualsIgnoreCase(property, "id") && EqualsIgnoreCase(user.id, value))) {
      return true;
    }
  }
  return false;
}

}  // namespace

Response HandleUsers(PeerState& state, const GraphCall& call,
                     const std::vector<std::string>& segments) {
  if (call.method != "GET") {
    return GraphError(405, "Request_BadRequest",
                      "Specified HTTP method is not allowed for the request target.", call.ids);
  }
  std::vector<std::string> select;
  if (auto it = call.query.find("$select"); it != call.query.end()) select = SplitList(it->second);
  if (segments.size() == 2) {
    const User* user = state.store.FindUser(segments[1]);
    if (!user) {
      return GraphError(404, "Request_ResourceNotFound",
                        "Resource '" + segments[1] +
                            "' does not exist or one of its queried reference-property objects "
                            "are not present.",
                        call.ids);
    }
    json::object body{{"@odata.context", Context(state, select, true)}};
    for (auto& [k, v] : UserJson(*user, select)) body[k] = v;
    return GraphJson(200, body, call.ids);
  }
  std::optional<std::vector<std::pair<std::string, std::string>>> filter;
  if (auto it = call.query.find("$filter"); it != call.query.end()) {
    filter = ParseFilter(it->second);
    if (!filter) {
      return GraphError(400, "Request_UnsupportedQuery", "Unsupported Query.", call.ids);
    }
  }
  json::array value;
  for (const User* user : state.store.Users()) {
    if (!filter || Matches(*user, *filter)) value.push_back(UserJson(*user, select));
  }
  return GraphJson(
      200,
      json::object{{"@odata.context", Context(state, select, false)}, {"value", std::move(value)}},
      call.ids);
}

}  // namespace chpeer::graph
