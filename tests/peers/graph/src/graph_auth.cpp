// AuthState: issuing, checking, expiring and revoking the peer's access tokens.
#include "graph_auth.h"

#include <boost/json.hpp>

#include "chpeer/random_ids.h"

namespace chpeer::graph {

namespace json = boost::json;

void AuthState::Reset() {
  apps_.clear();
  tokens_.clear();
  token_lifetime_s = kDefaultTokenLifetimeS;
}

const App* AuthState::FindApp(const std::string& client_id) const {
  auto it = apps_.find(client_id);
  return it == apps_.end() ? nullptr : &it->second;
}

std::string AuthState::Issue(const std::string& client_id, std::int64_t now_ms) {
  // Opaque on purpose: clients must not parse Graph access tokens.
  std::string token = "peer." + RandomUrlSafe(48);
  tokens_[token] = AccessToken{client_id, now_ms, now_ms + token_lifetime_s * 1000, false};
  return token;
}

const AccessToken* AuthState::Check(const std::string& token, std::int64_t now_ms,
                                    TokenProblem* problem) const {
  if (token.empty()) {
    *problem = TokenProblem::kMissing;
    return nullptr;
  }
  auto it = tokens_.find(token);
  if (it == tokens_.end() || !FindApp(it->second.client_id)) {
    *problem = TokenProblem::kUnknown;
    return nullptr;
  }
  if (it->second.revoked) {
    *problem = TokenProblem::kRevoked;
    return nullptr;
  }
  if (now_ms >= it->second.expires_ms) {
    *problem = TokenProblem::kExpired;
    return nullptr;
  }
  return &it->second;
}

bool AuthState::Expire(const std::string& token, std::int64_t now_ms) {
  if (token.empty()) {
    for (auto& [t, record] : tokens_) record.expires_ms = std::min(record.expires_ms, now_ms);
    return true;
  }
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return false;
  it->second.expires_ms = std::min(it->second.expires_ms, now_ms);
  return true;
}

bool AuthState::Revoke(const std::string& token) {
  if (token.empty()) {
    for (auto& [t, record] : tokens_) record.revoked = true;
    return true;
  }
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return false;
  it->second.revoked = true;
  return true;
}

json::value AuthState::ToJson(std::int64_t now_ms) const {
  std::int64_t live = 0;
  for (const auto& [t, record] : tokens_) {
    if (!record.revoked && now_ms < record.expires_ms) ++live;
  }
  return json::object{{"tokens_issued", static_cast<std::int64_t>(tokens_.size())},
                      {"tokens_live", live},
                      {"token_lifetime_s", token_lifetime_s}};
}

}  // namespace chpeer::graph
