// Other connections in this state (this host's, or other hosts' on a shared store) authorized
// as the same user of the same provider app. Salesforce keeps at most 5 approvals (grants with
// a refresh token) per user per connected app and silently revokes the oldest when a 6th is
// made, so one connection's authorize can revoke another's grant: authorize warns about it, and
// a refresh rejected afterwards says it was probably that.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chost/store/state_store.hpp"

namespace chost::runtime {

struct SameUserGrant {
  std::string connection;
  int64_t authorized_at_ms = 0;  // newest "authorized by admin" in its history; 0: unknown
};

// Connections other than `name` whose identity names the same user (user_id, and org_id when
// either has one) and whose credentials name the same app (client_id, when both have one).
std::vector<SameUserGrant> same_user_grants(store::StateStore& store, std::string_view name,
                                            const boost::json::object& identity,
                                            const boost::json::object& credentials);

// When `name`'s current grant was issued (its newest authorize, refresh or adoption); 0: unknown.
int64_t grant_issued_at_ms(store::StateStore& store, std::string_view name);

// The authorize warning naming `others` (empty when there are none).
std::string same_user_warning(const std::vector<SameUserGrant>& others, std::string_view who);

}  // namespace chost::runtime
