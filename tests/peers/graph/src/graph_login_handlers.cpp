// The Microsoft identity platform endpoints the peer plays on its base URL: the v2.0 token
// endpoint for the client credentials grant (shared secret in the form or HTTP Basic), the
// tenant's OpenID configuration and instance discovery (which MSAL reads before a token call).
#include <boost/json.hpp>

#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

constexpr const char* kGraphAppId = "00000003-0000-0000-c000-000000000000";

std::optional<std::pair<std::string, std::string>> BasicCredentials(const Request& request) {
  auto auth = request.Header("Authorization");
  if (!auth || !StartsWith(*auth, "Basic ")) return std::nullopt;
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string decoded;
  int bits = 0, value = 0;
  for (char c : auth->substr(6)) {
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) continue;  // '=' padding, whitespace
    value = (value << 6) | static_cast<int>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((value >> bits) & 0xFF));
    }
  }
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  // RFC 6749 section 2.3.1: both parts are form-encoded before Basic encoding.
  return std::make_pair(PercentDecode(decoded.substr(0, colon), true),
                        PercentDecode(decoded.substr(colon + 1), true));
}

bool IsGraphResource(const PeerState& state, std::string resource) {
  while (!resource.empty() && resource.back() == '/') resource.pop_back();
  return EqualsIgnoreCase(resource, "https://graph.microsoft.com") ||
         EqualsIgnoreCase(resource, kGraphAppId) || EqualsIgnoreCase(resource, state.base_url);
}

Response MissingParameter(const char* name, std::int64_t now_ms) {
  return AadError(
      400, "invalid_request", 900144,
      std::string("The request body must contain the following parameter: '") + name + "'.",
      now_ms);
}

Response Token(PeerState& state, const Request& request, const std::string& tenant) {
  std::int64_t now = state.clock.NowMs();
  if (request.method != "POST") {
    return AadError(400, "invalid_request", 900561,
                    "The endpoint only accepts POST, OPTIONS requests. Received a " +
                        request.method + " request.",
                    now);
  }
  if (!state.IsTenant(tenant)) {
    return AadError(400, "invalid_request", 90002,
                    "Tenant '" + tenant +
                        "' not found. Check to make sure you have the correct tenant ID and are "
                        "signing into the correct cloud. Check with your subscription "
                        "administrator, this may happen if there are no active subscriptions for "
                        "the tenant.",
                    now);
  }
  ParamMap form = request.FormBody();
  std::string grant = form["grant_type"];
  if (grant.empty()) return MissingParameter("grant_type", now);
  state.counters.Increment("grant_type", grant);
  if (grant != "client_credentials") {
    return AadError(400, "unsupported_grant_type", 70003,
                    "The app requested an unsupported grant type '" + grant + "'.", now);
  }
  std::string client_id = form["client_id"];
  std::string secret = form["client_secret"];
  if (auto basic = BasicCredentials(request)) {
    if (client_id.empty()) client_id = basic->first;
    if (secret.empty()) secret = basic->second;
  }
  if (client_id.empty()) return MissingParameter("client_id", now);
  const App* app = state.auth.FindApp(client_id);
  if (!app) {
    return AadError(400, "unauthorized_client", 700016,
                    "Application with identifier '" + client_id +
                        "' was not found in the directory '" + tenant +
                        "'. This can happen if the application has not been installed by the "
                        "administrator of the tenant or consented to by any user in the tenant. "
                        "You may have sent your authentication request to the wrong tenant.",
                    now);
  }
  if (secret.empty()) {
    return AadError(401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' "
                    "or 'client_secret'.",
                    now);
  }
  if (secret != app->client_secret) {
    state.counters.Increment("events", "invalid_client_secret");
    return AadError(401, "invalid_client", 7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request "
                    "is the client secret value, not the client secret ID, for a secret added to "
                    "app '" +
                        client_id + "'.",
                    now);
  }
  std::string scope = form["scope"];
  if (scope.empty()) return MissingParameter("scope", now);
  constexpr std::string_view kDefault = "/.default";
  if (scope.find(' ') != std::string::npos || scope.size() <= kDefault.size() ||
      scope.substr(scope.size() - kDefault.size()) != kDefault) {
    return AadError(400, "invalid_scope", 1002012,
                    "The provided value for scope " + scope +
                        " is not valid. Client credential flows must have a scope value with "
                        "/.default suffixed to the resource identifier (application ID URI).",
                    now);
  }
  std::string resource = scope.substr(0, scope.size() - kDefault.size());
  if (!IsGraphResource(state, resource)) {
    return AadError(400, "invalid_resource", 500011,
                    "The resource principal named " + resource +
                        " was not found in the tenant named " + tenant +
                        ". This can happen if the application has not been installed by the "
                        "administrator of the tenant or consented to by any user in the tenant. "
                        "You might have sent your authentication request to the wrong tenant.",
                    now);
  }
  std::string token = state.auth.Issue(client_id, now);
  state.counters.Increment("tokens_issued", client_id);
  // No refresh_token: the client credentials grant never returns one.
  json::object body{{"token_type", "Bearer"},
                    {"expires_in", state.auth.token_lifetime_s},
                    {"ext_expires_in", state.auth.token_lifetime_s},
                    {"access_token", token}};
  Response r = Response::Json(200, json::serialize(body));
  r.headers["Content-Type"] = "application/json; charset=utf-8";
  r.headers["Cache-Control"] = "no-store, no-cache";
  r.headers["Pragma"] = "no-cache";
  return r;
}

Response OpenIdConfiguration(const PeerState& state, const std::string& tenant) {
  std::string root = state.base_url + "/" + state.tenant_id;
  json::object body{
      {"token_endpoint", root + "/oauth2/v2.0/token"},
      {"token_endpoint_auth_methods_supported",
       json::array{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
      {"jwks_uri", state.base_url + "/" + tenant + "/discovery/v2.0/keys"},
      {"response_modes_supported", json::array{"query", "fragment", "form_post"}},
      {"subject_types_supported", json::array{"pairwise"}},
      {"id_token_signing_alg_values_supported", json::array{"RS256"}},
      {"response_types_supported",
       json::array{"code", "id_token", "code id_token", "id_token token"}},
      {"scopes_supported", json::array{"openid", "profile", "email", "offline_access"}},
      {"issuer", root + "/v2.0"},
      {"request_uri_parameter_supported", false},
      {"userinfo_endpoint", state.base_url + "/oidc/userinfo"},
      {"authorization_endpoint", root + "/oauth2/v2.0/authorize"},
      {"device_authorization_endpoint", root + "/oauth2/v2.0/devicecode"},
      {"http_logout_supported", true},
      {"frontchannel_logout_supported", true},
      {"end_session_endpoint", root + "/oauth2/v2.0/logout"},
      {"tenant_region_scope", "NA"},
      {"cloud_instance_name", "microsoftonline.com"},
      {"cloud_graph_host_name", "graph.windows.net"},
      {"msgraph_host", "graph.microsoft.com"}};
  return Response::Json(200, json::serialize(body));
}

Response InstanceDiscovery(const PeerState& state, const Request& request) {
  std::string host = state.base_url.substr(state.base_url.find("//") + 2);
  std::string tenant = state.tenant_id;
  auto it = request.query.find("authorization_endpoint");
  if (it != request.query.end()) {
    // ".../{tenant}/oauth2/v2.0/authorize": keep the caller's tenant.
    auto parts = SplitPath(it->second.substr(it->second.find("//") + 2));
    if (parts.size() > 1) tenant = parts[1];
  }
  json::object body{{"tenant_discovery_endpoint",
                     state.base_url + "/" + tenant + "/v2.0/.well-known/openid-configuration"},
                    {"api-version", "1.1"},
                    {"metadata", json::array{json::object{{"preferred_network", host},
                                                          {"preferred_cache", host},
                                                          {"aliases", json::array{host}}}}}};
  return Response::Json(200, json::serialize(body));
}

}  // namespace

Response HandleLogin(PeerState& state, const Request& request) {
  auto parts = SplitPath(request.path);
  std::int64_t now = state.clock.NowMs();
  if (parts.size() == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token") {
    return Token(state, request, parts[0]);
  }
  if (parts.size() == 4 && parts[1] == "v2.0" && parts[2] == ".well-known" &&
      parts[3] == "openid-configuration") {
    if (!state.IsTenant(parts[0]) && parts[0] != "common" && parts[0] != "organizations") {
      return AadError(400, "invalid_tenant", 90002,
                      "Tenant '" + parts[0] +
                          "' not found. Check to make sure you have the "
                          "correct tenant ID and are signing into the correct cloud.",
                      now);
    }
    return OpenIdConfiguration(state, parts[0]);
  }
  if (parts.size() == 3 && parts[1] == "discovery" && parts[2] == "instance") {
    return InstanceDiscovery(state, request);
  }
  return Response::Text(404, "Not Found");
}

}  // namespace chpeer::graph
