// Salesforce OAuth 2.0 flows on chp::Context::http(): web-server flow with PKCE (authorize
// URL + code exchange), refresh_token grant, JWT bearer (RS256 assertion), client
// credentials, token revocation and the OpenID userinfo endpoint. Endpoints live under
// `<login_url>/services/oauth2/` (login.salesforce.com, test.salesforce.com or a My Domain).
// Errors follow oauth/token.hpp: invalid_grant → AuthRevokedError (the Salesforce text, e.g.
// "invalid_grant: expired access/refresh token", is kept), client problems → ConfigError; a
// refresh refused because another request with the same refresh token is being processed is a
// ConflictError.
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_OAUTH_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_OAUTH_HPP_

#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/http/form.hpp>
#include <connector_host/sdk/oauth/token.hpp>
#include <connector_host/sdk/salesforce/errors.hpp>
#include <connector_host/sdk/salesforce/jwt.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chp::salesforce {

// The connected app as the connector is configured with it.
struct OAuthApp {
  std::string login_url;      // e.g. https://login.salesforce.com (no trailing slash needed)
  std::string client_id;      // consumer key
  std::string client_secret;  // consumer secret; empty for PKCE-only public clients
};

// A token grant as Salesforce returns it: access token, the org's instance URL, the identity
// URL (…/id/<org id>/<user id>) and issued_at (ms since the epoch, sent as a string).
struct TokenGrant {
  oauth::TokenResponse token;
  std::string instance_url;
  std::string identity_url;
  std::int64_t issued_at_ms = 0;
};

// OpenID Connect userinfo of the user the token belongs to.
struct UserInfo {
  std::string user_id;
  std::string username;  // preferred_username
  std::string org_id;
  std::string display_name;
  std::string user_type;  // STANDARD, PARTNER, CUSTOMER_SUCCESS, ...
  std::string email;
  boost::json::object raw;
};

inline std::string trim_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The JWT `aud` Salesforce expects for a login URL: My Domain URLs are not valid audiences,
// so production My Domains map to https://login.salesforce.com and sandbox ones to
// https://test.salesforce.com; any other login URL (login/test, Experience Cloud sites, local
// peers) is its own audience.
inline std::string default_jwt_audience(const std::string& login_url) {
  if (login_url.find(".sandbox.my.salesforce.com") != std::string::npos) {
    return "https://test.salesforce.com";
  }
  if (login_url.find(".my.salesforce.com") != std::string::npos) {
    return "https://login.salesforce.com";
  }
  return login_url;
}

class OAuthClient {
 public:
  OAuthClient(const Context& ctx, const Call& call, OAuthApp app)
      : ctx_(ctx), call_(call), app_(std::move(app)) {
    app_.login_url = trim_trailing_slash(app_.login_url);
  }

  std::string token_endpoint() const { return app_.login_url + "/services/oauth2/token"; }
  std::string authorize_endpoint() const { return app_.login_url + "/services/oauth2/authorize"; }
  std::string revoke_endpoint() const { return app_.login_url + "/services/oauth2/revoke"; }

  // The URL to send the admin's browser to (web-server flow, PKCE S256).
  std::string authorize_url(std::string redirect_uri, std::string scope, std::string state,
                            std::string code_challenge) const {
    oauth::AuthorizationRequest r;
    r.authorize_endpoint = authorize_endpoint();
    r.client_id = app_.client_id;
    r.redirect_uri = std::move(redirect_uri);
    r.scope = std::move(scope);
    r.state = std::move(state);
    r.code_challenge = std::move(code_challenge);
    return oauth::build_authorization_url(r);
  }

  // Web-server flow step 2: the code from the callback for tokens.
  TokenGrant exchange_code(std::string_view code, std::string_view redirect_uri,
                           std::string_view code_verifier) const {
    http::FormBody form;
    form.add("grant_type", "authorization_code").add("code", code);
    form.add("client_id", app_.client_id);
    if (!app_.client_secret.empty()) form.add("client_secret", app_.client_secret);
    form.add("redirect_uri", redirect_uri);
    if (!code_verifier.empty()) form.add("code_verifier", code_verifier);
    return post(form, "authorization code exchange");
  }

  // refresh_token grant. When the app rotates refresh tokens the response carries a new one
  // (token.refresh_token); otherwise keep using the old one.
  TokenGrant refresh(std::string_view refresh_token) const {
    http::FormBody form;
    form.add("grant_type", "refresh_token").add("refresh_token", refresh_token);
    form.add("client_id", app_.client_id);
    if (!app_.client_secret.empty()) form.add("client_secret", app_.client_secret);
    return post(form, "token refresh", true);
  }

  // JWT bearer flow: no refresh token is issued; run it again when the token expires.
  TokenGrant jwt_bearer(const std::string& username, std::string_view private_key_pem,
                        std::string audience = {}) const {
    if (audience.empty()) audience = default_jwt_audience(app_.login_url);
    std::string assertion =
        sign_jwt_rs256(make_jwt_claims(app_.client_id, username, audience), private_key_pem);
    http::FormBody form;
    form.add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .add("assertion", assertion);
    return post(form, "JWT bearer grant");
  }

  // Client credentials flow (runs as the app's configured "Run As" user).
  TokenGrant client_credentials() const {
    http::FormBody form;
    form.add("grant_type", "client_credentials").add("client_id", app_.client_id);
    form.add("client_secret", app_.client_secret);
    return post(form, "client credentials grant");
  }

  // Revokes a refresh or access token. Idempotent: a token Salesforce no longer knows
  // (HTTP 400 invalid_token / unsupported_token_type) counts as revoked.
  void revoke(std::string_view token) const {
    http::FormBody form;
    form.add("token", token);
    http::Request req = form.to_post(revoke_endpoint());
    req.no_retry = true;
    http::Response resp = ctx_.http(call_, req);
    if (resp.ok()) return;
    if (resp.status == 400) {
      std::optional<oauth::OAuthErrorBody> e = oauth::parse_oauth_error(resp.body);
      if (!e || e->error == "invalid_token" || e->error == "unsupported_token_type") return;
    }
    oauth::throw_oauth_error("token revocation", resp);
  }

  // GET <base>/services/oauth2/userinfo with the access token. `base_url` is the instance URL
  // (My Domain) or empty for the login URL.
  UserInfo userinfo(std::string_view access_token, std::string_view base_url = {}) const {
    std::string base =
        trim_trailing_slash(std::string(base_url.empty() ? app_.login_url : base_url));
    http::Request req = http::Request{};
    req.url = base + "/services/oauth2/userinfo";
    req.headers.emplace_back("Authorization", "Bearer " + std::string(access_token));
    req.headers.emplace_back("Accept", "application/json");
    http::Response resp = ctx_.http(call_, req);
    if (!resp.ok()) {
      if (oauth::parse_oauth_error(resp.body)) oauth::throw_oauth_error("userinfo", resp);
      throw_api_error("userinfo", resp);
    }
    UserInfo info;
    info.raw = resp.json_object();
    auto str = [&](std::string_view k) {
      const boost::json::value* v = info.raw.if_contains(k);
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    info.user_id = str("user_id");
    info.username = str("preferred_username");
    info.org_id = str("organization_id");
    info.display_name = str("name");
    info.user_type = str("user_type");
    info.email = str("email");
    return info;
  }

  const OAuthApp& app() const noexcept { return app_; }

 private:
  // Salesforce (since Winter '25) processes one token request per refresh token at a time and
  // answers another with 400 invalid_grant "token request is already being processed". That
  // is no dead grant: whoever sent the first request gets the new tokens, so the refresh is a
  // ConflictError (the host re-reads the stored grant) and never an AuthRevokedError.
  static bool refresh_already_in_flight(const http::Response& resp) {
    if (resp.status != 400) return false;
    std::optional<oauth::OAuthErrorBody> e = oauth::parse_oauth_error(resp.body);
    return e && e->error == "invalid_grant" &&
           http::iequals(e->description, "token request is already being processed");
  }

  TokenGrant post(const http::FormBody& form, std::string_view what, bool refresh = false) const {
    TokenGrant g;
    // As oauth::request_token (never retried: a replayed refresh can trip rotation-reuse
    // detection), with the in-flight answer told apart first.
    http::Request req = form.to_post(token_endpoint());
    req.no_retry = true;
    http::Response resp = ctx_.http(call_, req);
    if (!resp.ok()) {
      if (refresh && refresh_already_in_flight(resp)) {
        throw ConflictError(std::string(what) +
                            ": invalid_grant: token request is already being processed (another "
                            "refresh of this refresh token is in flight)");
      }
      oauth::throw_oauth_error(what, resp);
    }
    g.token = oauth::parse_token_response(resp.body);
    auto str = [&](std::string_view k) {
      const boost::json::value* v = g.token.raw.if_contains(k);
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    g.instance_url = trim_trailing_slash(str("instance_url"));
    if (g.instance_url.empty()) {
      throw PermanentError(std::string(what) + ": token response carries no instance_url");
    }
    g.identity_url = str("id");
    std::string issued = str("issued_at");
    try {
      g.issued_at_ms = issued.empty() ? 0 : std::stoll(issued);
    } catch (...) {
      g.issued_at_ms = 0;
    }
    if (g.issued_at_ms == 0) {
      g.issued_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    }
    return g;
  }

  const Context& ctx_;
  const Call& call_;
  OAuthApp app_;
};

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_OAUTH_HPP_
