// OAuth 2.0 client side (RFC 6749) on chp::Context::http(): authorization URLs, token
// requests posted as forms, token response parsing and the mapping of RFC 6749 §5.2 error
// responses onto the SDK's error classes, so every connector classifies a dead grant, a
// misconfigured client and a flaky server the same way:
//   invalid_grant (and Salesforce's inactive_user/inactive_org) → AuthRevokedError
//   invalid_client, invalid_client_id, unauthorized_client, unsupported_grant_type,
//   invalid_scope, redirect_uri_mismatch                        → ConfigError
//   HTTP 5xx, 429, temporarily_unavailable, transport failures  → TransientError
//   anything else                                               → PermanentError
#ifndef CONNECTOR_HOST_SDK_OAUTH_TOKEN_HPP_
#define CONNECTOR_HOST_SDK_OAUTH_TOKEN_HPP_

#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/form.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/json.hpp>

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace chp::oauth {

// Parameters of an authorization-code request (RFC 6749 §4.1.1 + RFC 7636 §4.3).
struct AuthorizationRequest {
  std::string authorize_endpoint;  // e.g. https://login.salesforce.com/services/oauth2/authorize
  std::string client_id;
  std::string redirect_uri;
  std::string scope;           // space-separated; omitted when empty
  std::string state;           // anti-CSRF value echoed back on the callback
  std::string code_challenge;  // PKCE S256 challenge; omitted when empty
  http::QueryParams extra;     // provider-specific parameters (e.g. prompt=login)
};

inline std::string build_authorization_url(const AuthorizationRequest& r) {
  http::QueryParams q{{"response_type", "code"}, {"client_id", r.client_id}};
  if (!r.redirect_uri.empty()) q.emplace_back("redirect_uri", r.redirect_uri);
  if (!r.scope.empty()) q.emplace_back("scope", r.scope);
  if (!r.state.empty()) q.emplace_back("state", r.state);
  if (!r.code_challenge.empty()) {
    q.emplace_back("code_challenge", r.code_challenge);
    q.emplace_back("code_challenge_method", "S256");
  }
  for (const auto& p : r.extra) q.push_back(p);
  return http::append_query(r.authorize_endpoint, q);
}

// A successful token response. `raw` keeps provider-specific members (Salesforce's
// instance_url, id, issued_at, signature).
struct TokenResponse {
  std::string access_token;
  std::string token_type;
  std::optional<std::string> refresh_token;  // absent when the provider did not rotate/issue one
  std::optional<std::int64_t> expires_in_s;
  std::string scope;
  boost::json::object raw;
};

// An RFC 6749 §5.2 error: `error` code plus optional description.
struct OAuthErrorBody {
  std::string error;
  std::string description;
};

inline std::optional<OAuthErrorBody> parse_oauth_error(std::string_view body) {
  std::optional<boost::json::value> v = try_parse(body);
  if (!v || !v->is_object()) return std::nullopt;
  const boost::json::object& o = v->as_object();
  const boost::json::value* e = o.if_contains("error");
  if (e == nullptr || !e->is_string()) return std::nullopt;
  OAuthErrorBody out;
  out.error = std::string(e->as_string());
  if (const boost::json::value* d = o.if_contains("error_description"); d && d->is_string()) {
    out.description = std::string(d->as_string());
  }
  return out;
}

// The class of an OAuth error code (see the table at the top of this file).
inline ErrorClass classify_oauth_error(std::string_view error, std::uint32_t http_status) {
  if (http_status >= 500 || http_status == 429) return ErrorClass::kTransient;
  if (error == "invalid_grant" || error == "inactive_user" || error == "inactive_org") {
    return ErrorClass::kAuthRevoked;
  }
  if (error == "invalid_client" || error == "invalid_client_id" ||
      error == "invalid_client_credentials" || error == "unauthorized_client" ||
      error == "unsupported_grant_type" || error == "invalid_scope" ||
      error == "redirect_uri_mismatch" || error == "invalid_request") {
    return ErrorClass::kConfig;
  }
  if (error == "temporarily_unavailable" || error == "server_error" ||
      error == "rate_limit_exceeded") {
    return ErrorClass::kTransient;
  }
  return ErrorClass::kPermanent;
}

// Throws the error for a failed token-endpoint response. The message is
// "<what>: <error>: <error_description>" — provider descriptions never carry the token.
[[noreturn]] inline void throw_oauth_error(std::string_view what, const http::Response& resp) {
  std::string prefix = std::string(what) + ": ";
  std::optional<OAuthErrorBody> body = parse_oauth_error(resp.body);
  if (!body) {
    std::string msg =
        prefix + "HTTP " + std::to_string(resp.status) + " without an OAuth error body";
    if (resp.status >= 500 || resp.status == 429) throw TransientError(msg);
    throw PermanentError(msg);
  }
  std::string msg = prefix + body->error;
  if (!body->description.empty()) msg += ": " + body->description;
  switch (classify_oauth_error(body->error, resp.status)) {
    case ErrorClass::kTransient:
      throw TransientError(msg);
    case ErrorClass::kAuthRevoked:
      throw AuthRevokedError(msg);
    case ErrorClass::kConfig:
      throw ConfigError(msg);
    default:
      throw PermanentError(msg);
  }
}

// Parses a 2xx token response; PermanentError when it lacks an access_token.
inline TokenResponse parse_token_response(std::string_view body) {
  std::optional<boost::json::value> v = try_parse(body);
  if (!v || !v->is_object()) throw PermanentError("token response is not a JSON object");
  TokenResponse t;
  t.raw = std::move(v->as_object());
  auto str = [&](std::string_view key) -> std::optional<std::string> {
    const boost::json::value* m = t.raw.if_contains(key);
    if (m == nullptr || !m->is_string()) return std::nullopt;
    return std::string(m->as_string());
  };
  t.access_token = str("access_token").value_or("");
  if (t.access_token.empty()) throw PermanentError("token response carries no access_token");
  t.token_type = str("token_type").value_or("Bearer");
  t.refresh_token = str("refresh_token");
  if (t.refresh_token && t.refresh_token->empty()) t.refresh_token.reset();
  t.scope = str("scope").value_or("");
  if (const boost::json::value* e = t.raw.if_contains("expires_in")) {
    if (e->is_int64()) t.expires_in_s = e->as_int64();
    if (e->is_string()) {
      try {
        t.expires_in_s = std::stoll(std::string(e->as_string()));
      } catch (...) {
      }
    }
  }
  return t;
}

// POSTs `form` to `token_endpoint` (body marked secret, never retried by the host: a replayed
// refresh_token grant can trip rotation-reuse detection) and returns the parsed response, or
// throws the classified OAuth error. `what` names the grant in messages.
inline TokenResponse request_token(const Context& ctx, const Call& call,
                                   const std::string& token_endpoint, const http::FormBody& form,
                                   std::string_view what) {
  http::Request req = form.to_post(token_endpoint);
  req.no_retry = true;
  http::Response resp = ctx.http(call, req);
  if (!resp.ok()) throw_oauth_error(what, resp);
  return parse_token_response(resp.body);
}

}  // namespace chp::oauth

#endif  // CONNECTOR_HOST_SDK_OAUTH_TOKEN_HPP_
