// chpeer::sf::OAuthState: token issuance, policies, rotation and revocation.
#include "sf_oauth_state.h"

#include <boost/json.hpp>

#include "sf_util.h"

namespace chpeer::sf {

namespace json = boost::json;

std::optional<RefreshPolicy> ParseRefreshPolicy(const json::value& value, std::string* error) {
  const auto* obj = value.if_object();
  if (!obj) {
    if (error) *error = "refresh_policy must be an object";
    return std::nullopt;
  }
  RefreshPolicy p;
  try {
    if (auto* v = obj->if_contains("mode")) {
      std::string mode(v->as_string());
      if (mode == "until_revoked") {
        p.mode = RefreshPolicyMode::kUntilRevoked;
      } else if (mode == "expire_after") {
        p.mode = RefreshPolicyMode::kExpireAfter;
      } else if (mode == "expire_if_unused") {
        p.mode = RefreshPolicyMode::kExpireIfUnused;
      } else {
        if (error) *error = "unknown refresh policy mode: " + mode;
        return std::nullopt;
      }
    }
    if (auto* v = obj->if_contains("seconds")) p.seconds = v->to_number<std::int64_t>();
    if (auto* v = obj->if_contains("rotate")) p.rotate = v->as_bool();
  } catch (const std::exception& e) {
    if (error) *error = std::string("invalid refresh_policy: ") + e.what();
    return std::nullopt;
  }
  if (p.mode != RefreshPolicyMode::kUntilRevoked && p.seconds <= 0) {
    if (error) *error = "refresh_policy.seconds must be > 0 for this mode";
    return std::nullopt;
  }
  return p;
}

json::value RefreshPolicyToJson(const RefreshPolicy& p) {
  const char* mode = p.mode == RefreshPolicyMode::kUntilRevoked  ? "until_revoked"
                     : p.mode == RefreshPolicyMode::kExpireAfter ? "expire_after"
                                                                 : "expire_if_unused";
  return json::object{{"mode", mode}, {"seconds", p.seconds}, {"rotate", p.rotate}};
}

void OAuthState::Reset() { *this = OAuthState(); }

const ConnectedApp* OAuthState::FindApp(const std::string& client_id) const {
  auto it = apps.find(client_id);
  return it == apps.end() ? nullptr : &it->second;
}

std::string OAuthState::IssueCode(AuthCode code) {
  // Salesforce codes are opaque; keep the familiar "aPrx" look.
  std::string value = "aPrx" + RandomToken(24);
  codes_[value] = std::move(code);
  return value;
}

std::optional<AuthCode> OAuthState::TakeCode(const std::string& code, std::int64_t now_ms) {
  auto it = codes_.find(code);
  if (it == codes_.end()) return std::nullopt;
  AuthCode out = std::move(it->second);
  codes_.erase(it);
  if (out.expires_ms <= now_ms) return std::nullopt;
  return out;
}

std::string OAuthState::NewAccessToken(const std::string& org_id) {
  return org_id.substr(0, 15) + "!" + RandomToken(48);
}

std::string OAuthState::AddAccess(const std::string& org_id, const Grant& grant,
                                  std::int64_t now_ms) {
  AccessToken t;
  t.token = NewAccessToken(org_id);
  t.grant_id = grant.id;
  t.client_id = grant.client_id;
  t.user_id = grant.user_id;
  t.scope = grant.scope;
  t.issued_ms = now_ms;
  t.expires_ms = now_ms + session_timeout_s * 1000;
  std::string token = t.token;
  access_[token] = std::move(t);
  return token;
}

IssuedTokens OAuthState::IssueGrant(const std::string& org_id, const std::string& client_id,
                                    const std::string& user_id, const std::string& scope,
                                    const std::string& grant_type, bool with_refresh,
                                    std::int64_t now_ms) {
  if (with_refresh) {
    // The cap counts token pairs per user per app; the oldest one gives way.
    while (LiveGrantCount(client_id, user_id, now_ms) >=
           static_cast<std::size_t>(kMaxGrantsPerUserPerApp)) {
      std::int64_t oldest = 0;
      for (const auto& [id, g] : grants_) {
        if (!g.revoked && !g.refresh_token.empty() && g.client_id == client_id &&
            g.user_id == user_id && !RefreshExpired(g, now_ms)) {
          oldest = id;
          break;
        }
      }
      if (oldest == 0) break;
      RevokeGrant(oldest);
    }
  }
  Grant g;
  g.id = next_grant_id_++;
  g.client_id = client_id;
  g.user_id = user_id;
  g.scope = scope;
  g.grant_type = grant_type;
  g.created_ms = now_ms;
  if (with_refresh) {
    g.refresh_token = "5Aep" + RandomToken(40);
    g.refresh_issued_ms = now_ms;
    g.refresh_last_used_ms = now_ms;
    refresh_[g.refresh_token] = g.id;
  }
  IssuedTokens out;
  out.access_token = AddAccess(org_id, g, now_ms);
  out.refresh_token = g.refresh_token;
  out.issued_ms = now_ms;
  out.scope = scope;
  out.user_id = user_id;
  grants_[g.id] = std::move(g);
  return out;
}

bool OAuthState::RefreshExpired(const Grant& grant, std::int64_t now_ms) const {
  const ConnectedApp* app = FindApp(grant.client_id);
  if (!app) return true;
  const auto& p = app->refresh_policy;
  switch (p.mode) {
    case RefreshPolicyMode::kExpireAfter:
      return now_ms >= grant.refresh_issued_ms + p.seconds * 1000;
    case RefreshPolicyMode::kExpireIfUnused:
      return now_ms >= grant.refresh_last_used_ms + p.seconds * 1000;
    case RefreshPolicyMode::kUntilRevoked:
      return false;
  }
  return false;
}

const Grant* OAuthState::FindLiveRefresh(const std::string& token, std::int64_t now_ms) const {
  auto it = refresh_.find(token);
  if (it == refresh_.end()) return nullptr;
  auto g = grants_.find(it->second);
  if (g == grants_.end() || g->second.revoked || RefreshExpired(g->second, now_ms)) {
    return nullptr;
  }
  return &g->second;
}

std::optional<IssuedTokens> OAuthState::Refresh(const std::string& org_id, const ConnectedApp& app,
                                                const std::string& refresh_token,
                                                std::int64_t now_ms, RefreshFailure* failure) {
  if (auto rotated = rotated_.find(refresh_token); rotated != rotated_.end()) {
    // Reuse of a superseded token means it leaked or a client lost the new one: Salesforce
    // revokes every token of that grant.
    ++reused_rotated_events_;
    RevokeGrant(rotated->second);
    *failure = RefreshFailure::kReusedRotated;
    return std::nullopt;
  }
  auto it = refresh_.find(refresh_token);
  if (it == refresh_.end()) {
    *failure = RefreshFailure::kUnknownOrExpired;
    return std::nullopt;
  }
  Grant& g = grants_.at(it->second);
  if (g.client_id != app.client_id) {
    *failure = RefreshFailure::kWrongClient;
    return std::nullopt;
  }
  if (g.revoked || RefreshExpired(g, now_ms)) {
    *failure = RefreshFailure::kUnknownOrExpired;
    return std::nullopt;
  }
  g.refresh_last_used_ms = now_ms;
  IssuedTokens out;
  out.access_token = AddAccess(org_id, g, now_ms);
  out.issued_ms = now_ms;
  out.scope = g.scope;
  out.user_id = g.user_id;
  if (app.refresh_policy.rotate) {
    rotated_[g.refresh_token] = g.id;
    refresh_.erase(g.refresh_token);
    g.refresh_token = "5Aep" + RandomToken(40);
    // A rotated token starts a fresh lifetime for expire-after purposes.
    g.refresh_issued_ms = now_ms;
    refresh_[g.refresh_token] = g.id;
    out.refresh_token = g.refresh_token;
  }
  return out;
}

const AccessToken* OAuthState::FindLiveAccess(const std::string& token, std::int64_t now_ms) const {
  auto it = access_.find(token);
  if (it == access_.end() || it->second.revoked || it->second.expires_ms <= now_ms) {
    return nullptr;
  }
  return &it->second;
}

void OAuthState::RevokeGrant(std::int64_t grant_id) {
  auto g = grants_.find(grant_id);
  if (g == grants_.end()) return;
  g->second.revoked = true;
  refresh_.erase(g->second.refresh_token);
  for (auto& [token, t] : access_) {
    if (t.grant_id == grant_id) t.revoked = true;
  }
}

bool OAuthState::Revoke(const std::string& token) {
  if (auto it = access_.find(token); it != access_.end()) {
    it->second.revoked = true;
    return true;
  }
  if (auto it = refresh_.find(token); it != refresh_.end()) {
    RevokeGrant(it->second);
    return true;
  }
  return false;
}

void OAuthState::ExpireAccess(const std::string& token, std::int64_t now_ms) {
  for (auto& [value, t] : access_) {
    if (token.empty() || value == token) t.expires_ms = std::min(t.expires_ms, now_ms);
  }
}

void OAuthState::RevokeAll() {
  for (auto& [id, g] : grants_) RevokeGrant(id);
  for (auto& [value, t] : access_) t.revoked = true;
}

std::size_t OAuthState::LiveGrantCount(const std::string& client_id, const std::string& user_id,
                                       std::int64_t now_ms) const {
  std::size_t n = 0;
  for (const auto& [id, g] : grants_) {
    if (!g.revoked && !g.refresh_token.empty() && g.client_id == client_id &&
        g.user_id == user_id && !RefreshExpired(g, now_ms)) {
      ++n;
    }
  }
  return n;
}

json::value OAuthState::ToJson(std::int64_t now_ms) const {
  json::array grants;
  for (const auto& [id, g] : grants_) {
    grants.push_back(json::object{{"id", id},
                                  {"client_id", g.client_id},
                                  {"user_id", g.user_id},
                                  {"grant_type", g.grant_type},
                                  {"scope", g.scope},
                                  {"has_refresh_token", !g.refresh_token.empty()},
                                  {"live", !g.revoked && !RefreshExpired(g, now_ms)}});
  }
  std::int64_t live_access = 0;
  for (const auto& [value, t] : access_) {
    if (!t.revoked && t.expires_ms > now_ms) ++live_access;
  }
  return json::object{{"grants", std::move(grants)},
                      {"live_access_tokens", live_access},
                      {"reused_rotated_refresh_tokens", reused_rotated_events_}};
}

}  // namespace chpeer::sf
