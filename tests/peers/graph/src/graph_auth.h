// App registrations and the app-only access tokens the peer's token endpoint issues, plus each
// app's mailbox scope (Exchange application access policy / RBAC for Applications).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace chpeer::graph {

constexpr std::int64_t kDefaultTokenLifetimeS = 3599;

// How Exchange words a refusal for a mailbox outside the app's scope.
enum class ScopeMechanism {
  kApplicationAccessPolicy = 1,  // "Access to OData is disabled."
  kRbacForApplications,          // "Access is denied. Check credentials and try again."
};

struct App {
  std::string client_id;
  std::string client_secret;
  std::string display_name;
  bool all_mailboxes = true;
  std::vector<std::string> scoped_mailboxes;  // user ids, UPNs or mail addresses
  ScopeMechanism scope_mechanism = ScopeMechanism::kApplicationAccessPolicy;
};

struct AccessToken {
  std::string client_id;
  std::int64_t issued_ms = 0;
  std::int64_t expires_ms = 0;
  bool revoked = false;
};

enum class TokenProblem { kMissing = 1, kUnknown, kExpired, kRevoked };

class AuthState {
 public:
  void Reset();

  std::map<std::string, App>& apps() { return apps_; }
  const App* FindApp(const std::string& client_id) const;

  // A fresh opaque bearer token valid for token_lifetime_s on the peer clock.
  std::string Issue(const std::string& client_id, std::int64_t now_ms);
  // The token's record when it is live, else nullptr and *problem says why.
  const AccessToken* Check(const std::string& token, std::int64_t now_ms,
                           TokenProblem* problem) const;
  // Empty token: all tokens. False when the token is unknown.
  bool Expire(const std::string& token, std::int64_t now_ms);
  bool Revoke(const std::string& token);

  std::int64_t token_lifetime_s = kDefaultTokenLifetimeS;
  boost::json::value ToJson(std::int64_t now_ms) const;

 private:
  std::map<std::string, App> apps_;
  std::map<std::string, AccessToken> tokens_;
};

}  // namespace chpeer::graph
