// authorize / refresh / disable: the Salesforce connection this connector provides. The host
// owns the credentials: these hooks only return them as output, and the host stores them
// encrypted and hands the `connection` part to sync through connection_token.
#include <connector_host/sdk/oauth/pkce.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

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

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The identity URL is https://login.salesforce.com/id/<org id>/<user id>: enough to name the
// authorizing user on refresh without spending an API call on userinfo.
void identity_from_url(const std::string& url, boost::json::object& identity) {
  std::size_t pos = url.find("/id/");
  if (pos == std::string::npos) return;
  std::string rest = url.substr(pos + 4);
  std::size_t slash = rest.find('/');
  if (slash == std::string::npos) return;
  identity["org_id"] = rest.substr(0, slash);
  identity["user_id"] = rest.substr(slash + 1);
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
  if (info.user_type != "STANDARD") return false;
  std::string text = lower(info.username + " " + info.display_name);
  for (const char* marker : {"integration", "api", "svc", "service", "sync"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

SalesforceConnector::SalesforceConnector(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), config_(parse_config(config)) {}

void SalesforceConnector::authorize(chp::Call& call, const boost::json::object& input) {
  if (config_.auth_flow != AuthFlow::kWebServer) {
    chp::salesforce::TokenGrant grant = grant_without_browser(call);
    call.set_output(credentials_output(call, grant, "", true));
    return;
  }
  std::string step =
      chp::optional_string(input, "step", chp::ErrorClass::kPermanent).value_or("start");
  if (step == "start") {
    start_web_server(call, input);
  } else if (step == "callback") {
    finish_web_server(call, input);
  } else {
    throw chp::PermanentError("authorize: unknown step '" + step + "' (start or callback)");
  }
}

void SalesforceConnector::start_web_server(chp::Call& call, const boost::json::object& input) {
  std::string redirect_uri =
      chp::require_string(input, "redirect_uri", chp::ErrorClass::kPermanent);
  std::string state = chp::oauth::random_token(24);
  chp::oauth::PkcePair pkce = chp::oauth::make_pkce_pair();

  // The verifier waits in kv under the OAuth state until the callback; the state is single-use.
  boost::json::object pending{{"code_verifier", pkce.code_verifier},
                              {"redirect_uri", redirect_uri},
                              {"created_ms", now_ms()}};
  chp::Transaction txn = ctx_.begin();
  txn.put(kPendingAuthPrefix + state, boost::json::serialize(pending));
  txn.commit();

  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  call.set_output(boost::json::object{
      {"authorize_url",
       oauth.authorize_url(redirect_uri, config_.scopes, state, pkce.code_challenge)},
      {"state", state}});
}

void SalesforceConnector::finish_web_server(chp::Call& call, const boost::json::object& input) {
  std::string code = chp::require_string(input, "code", chp::ErrorClass::kPermanent);
  std::string state = chp::require_string(input, "state", chp::ErrorClass::kPermanent);
  std::optional<std::string> stored = ctx_.state_get(kPendingAuthPrefix + state);
  if (!stored) {
    throw chp::PermanentError(
        "authorize: unknown or already used OAuth state; start the authorization again");
  }
  // Single use whatever happens next: a replayed callback must not reach the token endpoint.
  {
    chp::Transaction txn = ctx_.begin();
    txn.del(kPendingAuthPrefix + state);
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
  std::string given =
      chp::optional_string(input, "redirect_uri", chp::ErrorClass::kPermanent).value_or("");
  if (!given.empty() && given != redirect_uri) {
    throw chp::PermanentError("authorize: redirect_uri differs from the one the flow started with");
  }
  std::string verifier =
      chp::optional_string(pending, "code_verifier", chp::ErrorClass::kPermanent).value_or("");

  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  chp::salesforce::TokenGrant grant = oauth.exchange_code(code, redirect_uri, verifier);
  if (!grant.token.refresh_token) {
    throw chp::ConfigError(
        "authorize: Salesforce issued no refresh token; add the refresh_token (offline_access) "
        "scope to the connected app and to 'scopes'");
  }
  call.set_output(credentials_output(call, grant, *grant.token.refresh_token, true));
}

chp::salesforce::TokenGrant SalesforceConnector::grant_without_browser(chp::Call& call) const {
  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  if (config_.auth_flow == AuthFlow::kJwtBearer) {
    return oauth.jwt_bearer(config_.username, read_key_file(config_.private_key_file));
  }
  return oauth.client_credentials();
}

boost::json::object SalesforceConnector::credentials_output(
    chp::Call& call, const chp::salesforce::TokenGrant& grant, const std::string& refresh_token,
    bool with_userinfo) const {
  boost::json::object credentials{{"auth_flow", flow_name(config_.auth_flow)},
                                  {"client_id", config_.app.client_id}};
  if (!refresh_token.empty()) credentials["refresh_token"] = refresh_token;
  boost::json::object connection{{"access_token", grant.token.access_token},
                                 {"instance_url", grant.instance_url},
                                 {"token_type", "Bearer"},
                                 {"issued_at_ms", grant.issued_at_ms}};
  boost::json::object identity;
  identity_from_url(grant.identity_url, identity);
  boost::json::array warnings;
  if (with_userinfo) {
    chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
    chp::salesforce::UserInfo info = oauth.userinfo(grant.token.access_token, grant.instance_url);
    identity["user_id"] = info.user_id;
    identity["username"] = info.username;
    identity["org_id"] = info.org_id;
    identity["display_name"] = info.display_name;
    if (!looks_like_integration_user(info)) {
      std::string who = info.username.empty() ? info.user_id : info.username;
      warnings.emplace_back("authorized as " + who + " (user_type " +
                            (info.user_type.empty() ? std::string("unknown") : info.user_type) +
                            "), which does not look like a dedicated integration user; "
                            "the sync stops when this user leaves or loses access");
      ctx_.log(chp::LogLevel::kWarn, warnings.back().as_string());
    }
    ctx_.log(chp::LogLevel::kInfo, "authorized as " + info.username + " in org " + info.org_id);
  }
  return boost::json::object{{"credentials", std::move(credentials)},
                             {"connection", std::move(connection)},
                             {"identity", std::move(identity)},
                             {"warnings", std::move(warnings)}};
}

void SalesforceConnector::refresh(chp::Call& call, const boost::json::object& input) {
  boost::json::object credentials =
      chp::optional_object(input, "credentials", chp::ErrorClass::kPermanent)
          .value_or(boost::json::object{});
  if (config_.auth_flow != AuthFlow::kWebServer) {
    // JWT bearer and client credentials issue no refresh token: a new grant is the refresh.
    call.set_output(credentials_output(call, grant_without_browser(call), "", false));
    return;
  }
  std::optional<std::string> refresh_token =
      chp::optional_string(credentials, "refresh_token", chp::ErrorClass::kPermanent);
  if (!refresh_token || refresh_token->empty()) {
    throw chp::AuthRevokedError("refresh: no refresh token stored; authorize the connection");
  }
  chp::salesforce::OAuthClient oauth(ctx_, call, config_.app);
  chp::salesforce::TokenGrant grant = oauth.refresh(*refresh_token);
  // With rotation enabled Salesforce returns a new refresh token and the old one dies (reusing
  // it revokes the whole grant); without rotation none comes back and the old one stays valid.
  const std::string& keep = grant.token.refresh_token ? *grant.token.refresh_token : *refresh_token;
  call.set_output(credentials_output(call, grant, keep, false));
}

void SalesforceConnector::disable(chp::Call& call, const boost::json::object& input) {
  if (!config_.revoke_on_disable) return;
  std::optional<boost::json::object> credentials =
      chp::optional_object(input, "credentials", chp::ErrorClass::kPermanent);
  if (!credentials) return;
  std::optional<std::string> refresh_token =
      chp::optional_string(*credentials, "refresh_token", chp::ErrorClass::kPermanent);
  if (!refresh_token || refresh_token->empty()) return;
  // Revoking the refresh token revokes its access tokens too. Already-revoked counts as done,
  // so disable stays idempotent; checkpoints are left alone so enable resumes.
  chp::salesforce::OAuthClient(ctx_, call, config_.app).revoke(*refresh_token);
  ctx_.log(chp::LogLevel::kInfo, "refresh token revoked at Salesforce");
}

}  // namespace sfplugin
