// Typed payloads of the credential hooks (authorize, refresh, disable) and their one JSON codec.
// Plugins parse the hook input into AuthorizeStart / AuthorizeCallback / CredentialsInput and
// answer with a chp::Grant or an AuthorizeRedirect (Call::set_grant / set_authorize_redirect),
// so the wire shapes documented in plugin_api.h are written in this file only:
//   start input     {"step":"start","redirect_uri":"..."}
//   callback input  {"step":"callback","code":"...","state":"...","redirect_uri":"..."}
//   refresh/disable {"credentials":{...}}
//   redirect output {"authorize_url":"...","state":"..."}
//   grant output    {"credentials":{...},"connection":{...},"identity":{...},
//                    "expires_at_ms":N,"warnings":[...]}
// The public `connection` part is stored in clear and shown to admins; the codec refuses
// tokens there (see kSecretGrantKeys) instead of moving them, because a plugin that files a
// token under the wrong part has a bug its tests should see, not one the SDK hides.
#ifndef CONNECTOR_HOST_SDK_GRANT_HPP_
#define CONNECTOR_HOST_SDK_GRANT_HPP_

#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/json.hpp>

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace chp {

// Members that are secrets wherever they appear: never allowed in Grant::connection (nor in
// Identity::extra, which is public too). Compared exactly: JSON keys are case-sensitive.
inline constexpr std::array<std::string_view, 4> kSecretGrantKeys{"access_token", "refresh_token",
                                                                  "id_token", "client_secret"};

// Who the grant acts as. Empty members are left out of the output: on refresh that means
// "unchanged", so a provider that only learns part of the identity there (Salesforce's id URL
// names user and org, not the username) does not erase what authorize recorded.
struct Identity {
  std::string user_id;
  std::string username;
  std::string display_name;
  std::string org_id;
  boost::json::object extra;  // provider-specific public members, e.g. "email"

  bool empty() const noexcept {
    return user_id.empty() && username.empty() && display_name.empty() && org_id.empty() &&
           extra.empty();
  }
  friend bool operator==(const Identity&, const Identity&) = default;
};

// The output of a successful authorize (callback, or start of a non-interactive flow) or
// refresh. The host stores `credentials` encrypted and gives them back as the refresh and
// disable input; it keeps `connection` in clear and hands it to sync through
// connection_token() together with credentials' access_token (and token_type).
struct Grant {
  boost::json::object credentials;  // secret: access_token, refresh_token, what refresh needs
  boost::json::object connection;   // public: e.g. instance_url, token_type; no token ever
  Identity identity;
  std::optional<std::int64_t> expires_at_ms;  // access token expiry, ms since the epoch
  std::vector<std::string> warnings;          // shown to the admin who authorized

  friend bool operator==(const Grant&, const Grant&) = default;
};

// Interactive start output: where to send the admin's browser, and the state the callback
// will carry back.
struct AuthorizeRedirect {
  std::string authorize_url;
  std::string state;
};

// {"step":"start"}: `redirect_uri` is empty when the host has none (non-interactive flows).
struct AuthorizeStart {
  std::string redirect_uri;
};

// {"step":"callback"}: `code` and `state` are required; `redirect_uri` may be empty.
struct AuthorizeCallback {
  std::string code;
  std::string state;
  std::string redirect_uri;
};

using AuthorizeInput = std::variant<AuthorizeStart, AuthorizeCallback>;

// refresh and disable input. `credentials` is empty when the host holds none (disable of a
// connector that was never authorized).
struct CredentialsInput {
  boost::json::object credentials;

  // A string member of the credentials, std::nullopt when absent, null or empty.
  std::optional<std::string> credential(std::string_view key) const {
    std::optional<std::string> v =
        optional_string(credentials, key, ErrorClass::kPermanent, "credentials");
    if (v && v->empty()) return std::nullopt;
    return v;
  }
};

namespace detail {

inline bool is_secret_grant_key(std::string_view key) noexcept {
  for (std::string_view secret : kSecretGrantKeys) {
    if (key == secret) return true;
  }
  return false;
}

// Refuses token members in a public object. `where` names it in the message.
inline void check_public(const boost::json::object& obj, std::string_view where) {
  for (const auto& member : obj) {
    if (is_secret_grant_key(member.key())) {
      throw PermanentError("grant: '" + std::string(member.key()) + "' is secret and must be in " +
                           "credentials, not in " + std::string(where));
    }
  }
}

inline constexpr std::array<std::string_view, 4> kIdentityKeys{"user_id", "username",
                                                               "display_name", "org_id"};

inline bool is_identity_key(std::string_view key) noexcept {
  for (std::string_view k : kIdentityKeys) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace detail

// --- serialize ---

inline boost::json::object to_json(const Identity& identity) {
  detail::check_public(identity.extra, "identity");
  boost::json::object out;
  for (const auto& member : identity.extra) {
    // A named member always comes from its field, so the two can never disagree.
    if (!detail::is_identity_key(member.key())) out[member.key()] = member.value();
  }
  if (!identity.user_id.empty()) out["user_id"] = identity.user_id;
  if (!identity.username.empty()) out["username"] = identity.username;
  if (!identity.display_name.empty()) out["display_name"] = identity.display_name;
  if (!identity.org_id.empty()) out["org_id"] = identity.org_id;
  return out;
}

// Throws PermanentError naming the member when `connection` holds a token: that is a bug in
// the plugin, reported before anything reaches the host.
inline boost::json::object to_json(const Grant& grant) {
  detail::check_public(grant.connection, "connection");
  boost::json::array warnings;
  for (const std::string& w : grant.warnings) warnings.emplace_back(w);
  boost::json::object out{{"credentials", grant.credentials},
                          {"connection", grant.connection},
                          {"identity", to_json(grant.identity)},
                          {"warnings", std::move(warnings)}};
  if (grant.expires_at_ms) out["expires_at_ms"] = *grant.expires_at_ms;
  return out;
}

inline boost::json::object to_json(const AuthorizeRedirect& redirect) {
  return boost::json::object{{"authorize_url", redirect.authorize_url}, {"state", redirect.state}};
}

// --- parse (errors are PermanentError naming the field) ---

inline Identity identity_from_json(const boost::json::object& obj) {
  Identity identity;
  identity.user_id =
      optional_string(obj, "user_id", ErrorClass::kPermanent, "identity").value_or("");
  identity.username =
      optional_string(obj, "username", ErrorClass::kPermanent, "identity").value_or("");
  identity.display_name =
      optional_string(obj, "display_name", ErrorClass::kPermanent, "identity").value_or("");
  identity.org_id = optional_string(obj, "org_id", ErrorClass::kPermanent, "identity").value_or("");
  for (const auto& member : obj) {
    if (!detail::is_identity_key(member.key())) identity.extra[member.key()] = member.value();
  }
  detail::check_public(identity.extra, "identity");
  return identity;
}

// The inverse of to_json(const Grant&), with the same refusal of tokens in `connection`.
inline Grant grant_from_json(const boost::json::object& obj) {
  Grant grant;
  std::optional<boost::json::object> credentials =
      optional_object(obj, "credentials", ErrorClass::kPermanent, "grant");
  if (!credentials) throw PermanentError("grant: 'credentials' is required and must be an object");
  grant.credentials = std::move(*credentials);
  grant.connection = optional_object(obj, "connection", ErrorClass::kPermanent, "grant")
                         .value_or(boost::json::object{});
  detail::check_public(grant.connection, "connection");
  if (std::optional<boost::json::object> identity =
          optional_object(obj, "identity", ErrorClass::kPermanent, "grant")) {
    grant.identity = identity_from_json(*identity);
  }
  if (const boost::json::value* e = obj.if_contains("expires_at_ms"); e && !e->is_null()) {
    grant.expires_at_ms = optional_int(obj, "expires_at_ms", 0, ErrorClass::kPermanent, "grant");
  }
  if (const boost::json::value* w = obj.if_contains("warnings"); w && !w->is_null()) {
    if (!w->is_array()) throw PermanentError("grant: 'warnings' must be an array of strings");
    for (const boost::json::value& item : w->as_array()) {
      if (!item.is_string()) throw PermanentError("grant: 'warnings' must be an array of strings");
      grant.warnings.emplace_back(item.as_string());
    }
  }
  return grant;
}

inline Grant grant_from_json(std::string_view text) {
  return grant_from_json(parse_object(text, ErrorClass::kPermanent, "grant"));
}

// authorize input. An absent "step" is "start" (a host driving a non-interactive flow may send
// no step at all); any other value is refused naming the field.
inline AuthorizeInput parse_authorize_input(const boost::json::object& input) {
  constexpr std::string_view kWhat = "authorize input";
  std::string step =
      optional_string(input, "step", ErrorClass::kPermanent, kWhat).value_or("start");
  if (step == "start") {
    return AuthorizeStart{
        optional_string(input, "redirect_uri", ErrorClass::kPermanent, kWhat).value_or("")};
  }
  if (step == "callback") {
    AuthorizeCallback cb;
    cb.code = require_string(input, "code", ErrorClass::kPermanent, kWhat);
    cb.state = require_string(input, "state", ErrorClass::kPermanent, kWhat);
    cb.redirect_uri =
        optional_string(input, "redirect_uri", ErrorClass::kPermanent, kWhat).value_or("");
    return cb;
  }
  throw PermanentError("authorize input: 'step' must be \"start\" or \"callback\", not \"" + step +
                       "\"");
}

// refresh / disable input.
inline CredentialsInput parse_credentials_input(const boost::json::object& input) {
  return CredentialsInput{
      optional_object(input, "credentials", ErrorClass::kPermanent, "credentials input")
          .value_or(boost::json::object{})};
}

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_GRANT_HPP_
