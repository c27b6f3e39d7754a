// authorize / refresh / disable: the Salesforce connection this connector provides. The host
// owns the credentials: these hooks only return them as a chp::Grant, and the host stores
// them encrypted and hands the public `connection` part plus the access token to sync
// through connection_token. They run on the credential instance (see sdk/README.md).
#include <connector_host/sdk/oauth/pkce.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <variant>

#include "salesforce_connector.hpp"

namespace sfplugin {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* flow_name(AuthFlow flow) {
  switch (flow) {
    case AuthFlow::kJwtBearer:
      return "jwt_bearer";
    case AuthFlow::kClientCredentials:
      return "client_credentials";
    case AuthFlow::kWebServer:
      break;
  }
  return "web_server";
}

// The identity URL is https://login.salesforce.com/id/<org id>/<user id>: enough to name the
// authorizing user on refresh without spending an API call on userinfo.
chp::Identity identity_from_url(const std::string& url) {
  chp::Identity identity;
  std::size_t pos = url.find("/id/");
  if (pos == std::string::npos) return identity;
  std::string rest = url.substr(pos + 4);
  std::size_t slash = rest.find('/');
  if (slash == std::string::npos) return identity;
  identity.org_id = rest.substr(0, slash);
  identity.user_id = rest.substr(slash + 1);
  return identity;
}

std::string read_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw chp::ConfigError("'private_key_file' cannot be read: " + path);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

// Salesforce recommends a dedicated integration user (API-only profile, e.g. the "Salesforce
// Integration" license with "Minimum Access - API Only Integrations") so that a person
// leaving the company does not break the sync. userinfo does not expose the profile, so the
// heuristic uses what it does document: `user_type` must be STANDARD (portal, partner and
// community users never qualify) and the username or display name must name the purpose
// ("integration", "api", "svc", "service", "sync"). Anything else yields a warning only.
bool looks_like_integration_user(const chp::salesforce::UserInfo& info) {
  return chp::salesforce::looks_like_integration_user(info.username, info.display_name,
                                                      info.user_type);
}

SalesforceConnector::SalesforceConnector(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), config_(parse_config(config)) {}

void SalesforceConnector::authorize(chp::Call& call, const boost::json::object& input) {
  chp::AuthorizeInput step = chp::parse_authorize_input(input);
  if (config_.auth_flow != AuthFlow::kWebServer) {
    // JWT bearer and client credentials need no browser: every step is the whole grant.
    call.set_grant(make_grant(call, grant_without_browser(call), "", true));
    return;
  }
  if (const auto* start = std::get_if<chp::AuthorizeStart>(&step)) {
    start_web_server(call, *start);
  } else {
    finish_web_server(call, std::get<chp::AuthorizeCallback>(step));
  }
}

void SalesforceConnector::start_web_server(chp::Call& call, const chp::AuthorizeStart& start) {
  if (start.redirect_uri.empty()) {
    throw chp::PermanentError(
        "authorize input: 'redirect_uri' is required for the web-server flow");
  }
  std::string state = chp::oauth::random_token(24);
  chp::oauth::PkcePair pkce = chp::oauth::make_pkce_pair();

  // The verifier waits in kv under the OAuth state until the callback; the state is single-use.
  boost::json::object pending{{"code_verifier", pkce.code_verifier},
                              {"redirect_uri", start.redirect_uri},
                              {"created_ms", now_ms()}};
  chp::Transaction txn = ctx_.begin();
  txn.put(kPendingAuthPrefix + state, boost::json::serialize(pending));
  txn.commit();

  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  call.set_authorize_redirect(
      oauth.authorize_url(start.redirect_uri, config_.scopes, state, pkce.code_challenge), state);
}

void SalesforceConnector::finish_web_server(chp::Call& call, const chp::AuthorizeCallback& cb) {
  std::optional<std::string> stored = ctx_.state_get(kPendingAuthPrefix + cb.state);
  if (!stored) {
    throw chp::PermanentError(
        "authorize: unknown or already used OAuth state; start the authorization again");
  }
  // Single use whatever happens next: a replayed callback must not reach the token endpoint.
  {
    chp::Transaction txn = ctx_.begin();
    txn.del(kPendingAuthPrefix + cb.state);
    txn.commit();
  }
  boost::json::object pending =
      chp::parse_object(*stored, chp::ErrorClass::kPermanent, "pending authorization");
  if (now_ms() - chp::optional_int(pending, "created_ms", 0, chp::ErrorClass::kPermanent) >
      kPendingAuthTtlMs) {
    throw chp::PermanentError("authorize: the authorization expired; start it again");
  }
  std::string redirect_uri =
      chp::optional_string(pending, "redirect_uri", chp::ErrorClass::kPermanent).value_or("");
  if (!cb.redirect_uri.empty() && cb.redirect_uri != redirect_uri) {
    throw chp::PermanentError("authorize: redirect_uri differs from the one the flow started with");
  }
  std::string verifier =
      chp::optional_string(pending, "code_verifier", chp::ErrorClass::kPermanent).value_or("");

  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  chp::salesforce::TokenGrant grant = oauth.exchange_code(cb.code, redirect_uri, verifier);
  if (!grant.token.refresh_token) {
    throw chp::ConfigError(
        "authorize: Salesforce issued no refresh token; add the refresh_token (offline_access) "
        "scope to the connected app and to 'scopes'");
  }
  call.set_grant(make_grant(call, grant, *grant.token.refresh_token, true));
}

chp::salesforce::TokenGrant SalesforceConnector::grant_without_browser(chp::Call& call) const {
  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  if (config_.auth_flow == AuthFlow::kJwtBearer) {
    return oauth.jwt_bearer(config_.username, read_key_file(config_.private_key_file));
  }
  return oauth.client_credentials();
}

// Tokens go to the encrypted credentials; the connection part is what sync may show and
// gets back from connection_token() with the access token added by the host.
chp::Grant SalesforceConnector::make_grant(chp::Call& call,
                                           const chp::salesforce::TokenGrant& grant,
                                           const std::string& refresh_token,
                                           bool with_userinfo) const {
  chp::Grant out;
  out.credentials = {{"auth_flow", flow_name(config_.auth_flow)},
                     {"client_id", config_.app.client_id},
                     {"access_token", grant.token.access_token}};
  if (!refresh_token.empty()) out.credentials["refresh_token"] = refresh_token;
  out.connection = {{"instance_url", grant.instance_url},
                    {"token_type", grant.token.token_type.empty() ? std::string("Bearer")
                                                                  : grant.token.token_type},
                    {"issued_at_ms", grant.issued_at_ms}};
  // Salesforce sends no expires_in (the session lives by the org's timeout policy); when a
  // provider in front of it does, the host can refresh ahead of time.
  if (grant.token.expires_in_s) {
    out.expires_at_ms = grant.issued_at_ms + *grant.token.expires_in_s * 1000;
  }
  out.identity = identity_from_url(grant.identity_url);
  if (with_userinfo) {
    chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
    chp::salesforce::UserInfo info = oauth.userinfo(grant.token.access_token, grant.instance_url);
    out.identity.user_id = info.user_id;
    out.identity.username = info.username;
    out.identity.display_name = info.display_name;
    out.identity.org_id = info.org_id;
    if (!looks_like_integration_user(info)) {
      std::string who = info.username.empty() ? info.user_id : info.username;
      out.warnings.push_back("authorized as " + who + " (user_type " +
                             (info.user_type.empty() ? std::string("unknown") : info.user_type) +
                             "), which does not look like a dedicated integration user; "
                             "the sync stops when this user leaves or loses access");
      ctx_.log(chp::LogLevel::kWarn, out.warnings.back());
    }
    if (!config_.require.empty()) check_requirements(call, grant, refresh_token, info);
    read_org_environment(call, grant, out);
    ctx_.log(chp::LogLevel::kInfo, "authorized as " + info.username + " in org " + info.org_id +
                                       environment_text(out.identity));
  }
  return out;
}

// Salesforce documents Organization.IsSandbox as the way to tell a sandbox from production
// (a sandbox's OrganizationType is its production org's edition, and My Domain hosts can be
// anything), so one REST query at authorize names the environment. Refresh keeps what authorize
// recorded: an org never changes between sandbox and production.
void SalesforceConnector::read_org_environment(chp::Call& call,
                                               const chp::salesforce::TokenGrant& grant,
                                               chp::Grant& out) const {
  chp::salesforce::Connection session{
      grant.token.access_token, grant.instance_url,
      grant.token.token_type.empty() ? std::string("Bearer") : grant.token.token_type};
  chp::salesforce::Client client(ctx_, call, chp::salesforce::fixed_token_source(session),
                                 config_.client_options());
  std::optional<boost::json::object> org;
  try {
    client.query(kOrganizationQuery, [&](chp::salesforce::QueryPage& page) {
      if (!org && !page.records.empty() && page.records.front().is_object()) {
        org = page.records.front().as_object();
      }
    });
  } catch (const chp::Error& e) {
    if (e.cls() == chp::ErrorClass::kAuthRevoked) throw;
    // The grant itself is good; only the card's environment stays unknown.
    out.warnings.push_back(std::string("could not read the org's environment (") + e.what() +
                           "); the connection works, the admin page shows no sandbox/production");
    ctx_.log(chp::LogLevel::kWarn, out.warnings.back());
    return;
  }
  const boost::json::value* is_sandbox = org ? org->if_contains("IsSandbox") : nullptr;
  if (!is_sandbox || !is_sandbox->is_bool()) {
    out.warnings.push_back(
        "Organization query answered no IsSandbox; the admin page shows no sandbox/production");
    ctx_.log(chp::LogLevel::kWarn, out.warnings.back());
    return;
  }
  out.identity.extra["environment"] = is_sandbox->as_bool() ? "sandbox" : "production";
  if (const boost::json::value* type = org->if_contains("OrganizationType");
      type && type->is_string()) {
    out.identity.extra["organization_type"] = type->as_string();
  }
}

std::string environment_text(const chp::Identity& identity) {
  const boost::json::value* env = identity.extra.if_contains("environment");
  if (!env || !env->is_string()) return "";
  return " (" + std::string(env->as_string()) + ")";
}

void SalesforceConnector::check_requirements(chp::Call& call,
                                             const chp::salesforce::TokenGrant& grant,
                                             const std::string& refresh_token,
                                             const chp::salesforce::UserInfo& info) const {
  chp::salesforce::Connection session{
      grant.token.access_token, grant.instance_url,
      grant.token.token_type.empty() ? std::string("Bearer") : grant.token.token_type};
  chp::salesforce::Client client(ctx_, call, chp::salesforce::fixed_token_source(session),
                                 config_.client_options());
  const std::vector<std::string> missing =
      config_.require.missing(chp::salesforce::read_user_permissions(client, info.user_id));
  if (missing.empty()) return;
  std::string list;
  for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
  // The new grant is of no use: do not leave a live refresh token behind at Salesforce.
  if (!refresh_token.empty()) {
    try {
      chp::salesforce::OAuthClient(ctx_, call, config_.app).revoke(refresh_token);
    } catch (const chp::Error& e) {
      ctx_.log(chp::LogLevel::kWarn,
               std::string("could not revoke the refused grant: ") + e.what());
    }
  }
  const std::string who = info.username.empty() ? info.user_id : info.username;
  throw chp::ConfigError("authorize: " + who + " lacks " + list +
                         "; authorize as a user that has them (a dedicated integration user)");
}

void SalesforceConnector::refresh(chp::Call& call, const boost::json::object& input) {
  chp::CredentialsInput in = chp::parse_credentials_input(input);
  if (config_.auth_flow != AuthFlow::kWebServer) {
    // JWT bearer and client credentials issue no refresh token: a new grant is the refresh.
    call.set_grant(make_grant(call, grant_without_browser(call), "", false));
    return;
  }
  std::optional<std::string> refresh_token = in.credential("refresh_token");
  if (!refresh_token) {
    throw chp::AuthRevokedError("refresh: no refresh token stored; authorize the connection");
  }
  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  chp::salesforce::TokenGrant grant = oauth.refresh(*refresh_token);
  // With rotation enabled Salesforce returns a new refresh token and the old one dies (reusing
  // it revokes the whole grant); without rotation none comes back and the old one stays valid.
  const std::string& keep = grant.token.refresh_token ? *grant.token.refresh_token : *refresh_token;
  // No userinfo call on refresh: the id URL names user and org, and the identity members left
  // empty (username, display name) mean "unchanged" to the host.
  call.set_grant(make_grant(call, grant, keep, false));
}

void SalesforceConnector::disable(chp::Call& call, const boost::json::object& input) {
  if (!config_.revoke_on_disable) return;
  std::optional<std::string> refresh_token =
      chp::parse_credentials_input(input).credential("refresh_token");
  if (!refresh_token) return;
  // Revoking the refresh token revokes its access tokens too. Already-revoked counts as done,
  // so disable stays idempotent; checkpoints are left alone so enable resumes.
  chp::salesforce::OAuthClient(ctx_, call, config_.app).revoke(*refresh_token);
  ctx_.log(chp::LogLevel::kInfo, "refresh token revoked at Salesforce");
}

}  // namespace sfplugin
