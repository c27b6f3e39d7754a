// OAuth bookkeeping of the Salesforce peer: connected apps and their refresh token policies,
// authorization codes, grants (one access/refresh token pair family per approval), access
// tokens with the session timeout, rotation with reuse detection and the 5-grants cap.
// Time comes from the caller (the peer's ManualClock) so tests never sleep.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace chpeer::sf {

enum class RefreshPolicyMode { kUntilRevoked = 1, kExpireAfter, kExpireIfUnused };

struct RefreshPolicy {
  RefreshPolicyMode mode = RefreshPolicyMode::kUntilRevoked;
  std::int64_t seconds = 0;  // for kExpireAfter / kExpireIfUnused
  bool rotate = false;
};

// Parses {"mode":"until_revoked|expire_after|expire_if_unused","seconds":N,"rotate":bool}.
std::optional<RefreshPolicy> ParseRefreshPolicy(const boost::json::value& json, std::string* error);
boost::json::value RefreshPolicyToJson(const RefreshPolicy& policy);

struct ConnectedApp {
  std::string client_id;  // consumer key
  std::string client_secret;
  std::vector<std::string> redirect_uris;
  std::string certificate_pem;  // X.509 certificate or public key for jwt-bearer
  std::string default_scope = "api refresh_token";
  RefreshPolicy refresh_policy;
  std::string run_as_username;       // client_credentials user; empty: flow disabled
  bool admin_approved_only = false;  // "Admin approved users are pre-authorized"
  std::set<std::string> approved_usernames;
  bool require_secret_for_refresh = true;
};

struct Grant {
  std::int64_t id = 0;
  std::string client_id;
  std::string user_id;
  std::string scope;
  std::string grant_type;
  std::int64_t created_ms = 0;
  std::string refresh_token;  // empty when the grant has none
  std::int64_t refresh_issued_ms = 0;
  std::int64_t refresh_last_used_ms = 0;
  bool revoked = false;
};

struct AccessToken {
  std::string token;
  std::int64_t grant_id = 0;
  std::string client_id;
  std::string user_id;
  std::string scope;
  std::int64_t issued_ms = 0;
  std::int64_t expires_ms = 0;
  bool revoked = false;
};

struct AuthCode {
  std::string client_id;
  std::string user_id;
  std::string redirect_uri;
  std::string scope;
  std::string code_challenge;
  std::string code_challenge_method;
  std::int64_t expires_ms = 0;
};

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;  // empty when none was issued
  std::int64_t issued_ms = 0;
  std::string scope;
  std::string user_id;
};

enum class RefreshFailure { kUnknownOrExpired = 1, kReusedRotated, kWrongClient };

class OAuthState {
 public:
  static constexpr int kMaxGrantsPerUserPerApp = 5;

  void Reset();
  std::int64_t session_timeout_s = 7200;

  std::map<std::string, ConnectedApp> apps;      // by client_id
  std::map<std::string, std::string> passwords;  // username -> password (password grant)
  // Refresh tokens another client's token request is holding (control API tokens/in_flight):
  // Salesforce processes one token request per refresh token at a time and answers any other
  // with 400 invalid_grant "token request is already being processed".
  std::set<std::string> refresh_in_flight;

  const ConnectedApp* FindApp(const std::string& client_id) const;

  std::string IssueCode(AuthCode code);
  // Removes and returns the code (codes are single-use).
  std::optional<AuthCode> TakeCode(const std::string& code, std::int64_t now_ms);

  // Creates a grant and its first access token; with_refresh adds a refresh token and applies
  // the 5-grants cap (the oldest live grant of that user+app is revoked).
  IssuedTokens IssueGrant(const std::string& org_id, const std::string& client_id,
                          const std::string& user_id, const std::string& scope,
                          const std::string& grant_type, bool with_refresh, std::int64_t now_ms);
  // Refresh-token grant: enforces the app's policy and rotation (reuse revokes the grant).
  std::optional<IssuedTokens> Refresh(const std::string& org_id, const ConnectedApp& app,
                                      const std::string& refresh_token, std::int64_t now_ms,
                                      RefreshFailure* failure);

  // Live (not revoked, not expired) access token, or nullptr.
  const AccessToken* FindLiveAccess(const std::string& token, std::int64_t now_ms) const;
  // Live refresh token's grant, or nullptr (policy applied).
  const Grant* FindLiveRefresh(const std::string& token, std::int64_t now_ms) const;

  // Revokes an access token (only it) or a refresh token (its whole grant). False if unknown.
  bool Revoke(const std::string& token);
  // Marks a token (access: expired now; refresh: grant revoked) or all tokens when empty.
  void ExpireAccess(const std::string& token, std::int64_t now_ms);
  void RevokeAll();
  void RevokeGrant(std::int64_t grant_id);

  std::int64_t reused_rotated_events() const { return reused_rotated_events_; }
  std::size_t LiveGrantCount(const std::string& client_id, const std::string& user_id,
                             std::int64_t now_ms) const;
  boost::json::value ToJson(std::int64_t now_ms) const;  // control API view (no secrets)

 private:
  std::string NewAccessToken(const std::string& org_id);
  bool RefreshExpired(const Grant& grant, std::int64_t now_ms) const;
  std::string AddAccess(const std::string& org_id, const Grant& grant, std::int64_t now_ms);

  std::map<std::string, AuthCode> codes_;
  std::map<std::int64_t, Grant> grants_;
  std::map<std::string, AccessToken> access_;
  std::map<std::string, std::int64_t> refresh_;  // live refresh token -> grant
  std::map<std::string, std::int64_t> rotated_;  // superseded refresh token -> grant
  std::int64_t next_grant_id_ = 1;
  std::int64_t reused_rotated_events_ = 0;
};

}  // namespace chpeer::sf
