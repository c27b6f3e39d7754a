// Salesforce OAuth 2.0 endpoints of the peer: authorize (auto-approving login page),
// token (authorization_code + PKCE, refresh_token, password, client_credentials, jwt-bearer),
// revoke, introspect, userinfo, and the identity URL /id/{orgId}/{userId}.
#include <boost/json.hpp>

#include "sf_peer_state.h"
#include "sf_util.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

constexpr std::int64_t kCodeLifetimeMs = 15 * 60 * 1000;
constexpr std::int64_t kJwtMaxLifetimeMs = 3 * 60 * 1000;
constexpr std::string_view kJwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

std::string Param(const ParamMap& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

bool HasScope(const std::string& scope, std::string_view wanted) {
  std::size_t start = 0;
  while (start < scope.size()) {
    auto end = scope.find(' ', start);
    if (end == std::string::npos) end = scope.size();
    if (std::string_view(scope).substr(start, end - start) == wanted) return true;
    start = end + 1;
  }
  return false;
}

bool WantsRefresh(const std::string& scope) {
  return HasScope(scope, "refresh_token") || HasScope(scope, "offline_access");
}

// Client credentials from the form or an HTTP Basic header.
void ClientCredentials(const Request& request, const ParamMap& form, std::string* id,
                       std::string* secret) {
  *id = Param(form, "client_id");
  *secret = Param(form, "client_secret");
  auto auth = request.Header("Authorization");
  if (auth && StartsWith(*auth, "Basic ")) {
    std::string b64 = auth->substr(6);
    for (auto& c : b64) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    if (auto decoded = Base64UrlDecode(b64)) {
      auto colon = decoded->find(':');
      if (colon != std::string::npos) {
        *id = PercentDecode(decoded->substr(0, colon), true);
        *secret = PercentDecode(decoded->substr(colon + 1), true);
      }
    }
  }
}

Response TokenResponse(const PeerState& state, const ConnectedApp& app,
                       const IssuedTokens& tokens) {
  std::string id_url = state.IdentityUrl(tokens.user_id);
  std::string issued_at = std::to_string(tokens.issued_ms);
  json::object body;
  body["access_token"] = tokens.access_token;
  if (!tokens.refresh_token.empty()) body["refresh_token"] = tokens.refresh_token;
  body["signature"] = Base64Encode(HmacSha256(app.client_secret, id_url + issued_at));
  body["scope"] = tokens.scope;
  body["instance_url"] = state.base_url;
  body["id"] = id_url;
  body["token_type"] = "Bearer";
  body["issued_at"] = issued_at;
  Response r = Response::Json(200, json::serialize(body));
  r.headers["Cache-Control"] = "no-cache,must-revalidate,max-age=0,no-store,private";
  return r;
}

bool UserActive(const json::object& user) {
  auto* v = user.if_contains("IsActive");
  return !v || !v->is_bool() || v->as_bool();
}

std::string UserId(const json::object& user) { return std::string(user.at("Id").as_string()); }

Response HandleAuthorize(PeerState& state, const Request& request) {
  ParamMap params = request.query;
  if (request.method == "POST") {
    for (auto& [k, v] : request.FormBody()) params[k] = v;
  }
  std::string client_id = Param(params, "client_id");
  std::string redirect_uri = Param(params, "redirect_uri");
  const ConnectedApp* app = state.oauth.FindApp(client_id);
  if (!app) {
    // Salesforce shows an error page (no redirect) when it cannot trust the client.
    return Response::Text(
        400, "error=invalid_client_id&error_description=client%20identifier%20invalid");
  }
  bool redirect_ok = false;
  for (const auto& uri : app->redirect_uris) redirect_ok = redirect_ok || uri == redirect_uri;
  if (!redirect_ok) {
    return Response::Text(400,
                          "error=redirect_uri_mismatch&error_description=redirect_uri%20must%"
                          "20match%20configuration");
  }
  std::string state_param = Param(params, "state");
  auto redirect_error = [&](const std::string& error, const std::string& description) {
    std::vector<std::pair<std::string, std::string>> q{{"error", error},
                                                       {"error_description", description}};
    if (!state_param.empty()) q.emplace_back("state", state_param);
    return Response::Redirect(redirect_uri +
                              (redirect_uri.find('?') == std::string::npos ? "?" : "&") +
                              BuildUrlEncoded(q));
  };
  if (Param(params, "response_type") != "code") {
    return redirect_error("unsupported_response_type", "response type not supported");
  }
  std::string method = Param(params, "code_challenge_method");
  std::string challenge = Param(params, "code_challenge");
  if (!challenge.empty() && !method.empty() && method != "S256" && method != "plain") {
    return redirect_error("invalid_request", "invalid code_challenge_method");
  }
  // Who "logs in": login_hint when that user exists, else the user chosen by the control API.
  std::string username = Param(params, "login_hint");
  const json::object* user = username.empty() ? nullptr : state.FindUserByUsername(username);
  if (!user) user = state.FindUserByUsername(state.login_username);
  if (!user) return redirect_error("access_denied", "end-user denied authorization");
  if (!UserActive(*user)) return redirect_error("access_denied", "inactive user");
  AuthCode code;
  code.client_id = client_id;
  code.user_id = UserId(*user);
  code.redirect_uri = redirect_uri;
  code.scope = Param(params, "scope").empty() ? app->default_scope : Param(params, "scope");
  code.code_challenge = challenge;
  code.code_challenge_method = challenge.empty() ? "" : (method.empty() ? "S256" : method);
  code.expires_ms = state.clock.NowMs() + kCodeLifetimeMs;
  std::string value = state.oauth.IssueCode(std::move(code));
  state.counters.Increment("authorize", "codes_issued");
  std::vector<std::pair<std::string, std::string>> q{{"code", value}};
  if (!state_param.empty()) q.emplace_back("state", state_param);
  return Response::Redirect(redirect_uri +
                            (redirect_uri.find('?') == std::string::npos ? "?" : "&") +
                            BuildUrlEncoded(q));
}

Response HandleToken(PeerState& state, const Request& request) {
  if (request.method != "POST") return OAuthError(400, "invalid_request", "must use HTTP POST");
  ParamMap form = request.FormBody();
  std::string grant_type = Param(form, "grant_type");
  state.counters.Increment("grant_type", grant_type.empty() ? "(none)" : grant_type);
  std::int64_t now = state.clock.NowMs();
  std::string client_id, client_secret;
  ClientCredentials(request, form, &client_id, &client_secret);

  if (grant_type == "authorization_code") {
    const ConnectedApp* app = state.oauth.FindApp(client_id);
    if (!app) return OAuthError(400, "invalid_client_id", "client identifier invalid");
    if (!client_secret.empty() && client_secret != app->client_secret) {
      return OAuthError(400, "invalid_client", "invalid client credentials");
    }
    auto code = state.oauth.TakeCode(Param(form, "code"), now);
    if (!code || code->client_id != client_id) {
      return OAuthError(400, "invalid_grant", "invalid authorization code");
    }
    if (code->redirect_uri != Param(form, "redirect_uri")) {
      return OAuthError(400, "invalid_grant", "redirect_uri must match configuration");
    }
    if (client_secret.empty() && code->code_challenge.empty()) {
      return OAuthError(400, "invalid_client", "invalid client credentials");
    }
    if (!code->code_challenge.empty()) {
      std::string verifier = Param(form, "code_verifier");
      std::string computed =
          code->code_challenge_method == "plain" ? verifier : Base64UrlEncode(Sha256(verifier));
      if (verifier.empty() || computed != code->code_challenge) {
        return OAuthError(400, "invalid_grant", "invalid code verifier");
      }
    }
    const json::object* user = state.FindUserById(code->user_id);
    if (!user || !UserActive(*user)) return OAuthError(400, "invalid_grant", "inactive user");
    auto issued = state.oauth.IssueGrant(state.org_id, client_id, code->user_id, code->scope,
                                         grant_type, WantsRefresh(code->scope), now);
    return TokenResponse(state, *app, issued);
  }

  if (grant_type == "refresh_token") {
    const ConnectedApp* app = state.oauth.FindApp(client_id);
    if (!app) return OAuthError(400, "invalid_client_id", "client identifier invalid");
    if ((!client_secret.empty() || app->require_secret_for_refresh) &&
        client_secret != app->client_secret) {
      return OAuthError(400, "invalid_client", "invalid client credentials");
    }
    // Salesforce's Winter '25 response to a second request with a refresh token whose first
    // request is still being processed; nothing is consumed or counted as a reuse.
    if (state.oauth.refresh_in_flight.contains(Param(form, "refresh_token"))) {
      state.counters.Increment("events", "refresh_already_in_flight");
      return OAuthError(400, "invalid_grant", "token request is already being processed");
    }
    // A deactivated user's refresh token stays valid but cannot mint sessions; check before
    // refreshing so a rotation is not consumed.
    if (const Grant* live = state.oauth.FindLiveRefresh(Param(form, "refresh_token"), now)) {
      const json::object* owner = state.FindUserById(live->user_id);
      if (!owner || !UserActive(*owner)) return OAuthError(400, "invalid_grant", "inactive user");
    }
    RefreshFailure failure = RefreshFailure::kUnknownOrExpired;
    auto issued =
        state.oauth.Refresh(state.org_id, *app, Param(form, "refresh_token"), now, &failure);
    if (!issued) {
      if (failure == RefreshFailure::kReusedRotated) {
        state.counters.Increment("events", "reused_rotated_refresh_token");
      }
      return OAuthError(400, "invalid_grant", "expired access/refresh token");
    }
    const json::object* user = state.FindUserById(issued->user_id);
    if (!user || !UserActive(*user)) return OAuthError(400, "invalid_grant", "inactive user");
    return TokenResponse(state, *app, *issued);
  }

  if (grant_type == "password") {
    const ConnectedApp* app = state.oauth.FindApp(client_id);
    if (!app) return OAuthError(400, "invalid_client_id", "client identifier invalid");
    if (client_secret != app->client_secret) {
      return OAuthError(400, "invalid_client", "invalid client credentials");
    }
    std::string username = Param(form, "username");
    const json::object* user = state.FindUserByUsername(username);
    auto pw = state.oauth.passwords.find(ToLower(username));
    if (!user || pw == state.oauth.passwords.end() || pw->second != Param(form, "password")) {
      return OAuthError(400, "invalid_grant", "authentication failure");
    }
    if (!UserActive(*user)) return OAuthError(400, "invalid_grant", "inactive user");
    auto issued = state.oauth.IssueGrant(state.org_id, client_id, UserId(*user), app->default_scope,
                                         grant_type, false, now);
    return TokenResponse(state, *app, issued);
  }

  if (grant_type == "client_credentials") {
    const ConnectedApp* app = state.oauth.FindApp(client_id);
    if (!app) return OAuthError(400, "invalid_client_id", "client identifier invalid");
    if (client_secret != app->client_secret) {
      return OAuthError(400, "invalid_client", "invalid client credentials");
    }
    if (app->run_as_username.empty()) {
      return OAuthError(400, "invalid_grant", "no client credentials user enabled");
    }
    const json::object* user = state.FindUserByUsername(app->run_as_username);
    if (!user || !UserActive(*user)) return OAuthError(400, "invalid_grant", "inactive user");
    auto issued = state.oauth.IssueGrant(state.org_id, client_id, UserId(*user), app->default_scope,
                                         grant_type, false, now);
    return TokenResponse(state, *app, issued);
  }

  if (grant_type == kJwtGrant) {
    std::string assertion = Param(form, "assertion");
    // Read iss before verifying: it names the app whose certificate verifies the signature.
    auto dot = assertion.find('.');
    auto dot2 = dot == std::string::npos ? dot : assertion.find('.', dot + 1);
    if (dot2 == std::string::npos) return OAuthError(400, "invalid_grant", "invalid assertion");
    auto payload = Base64UrlDecode(assertion.substr(dot + 1, dot2 - dot - 1));
    json::value claims_value;
    try {
      if (payload) claims_value = json::parse(*payload);
    } catch (...) {
    }
    if (!claims_value.is_object()) return OAuthError(400, "invalid_grant", "invalid assertion");
    auto& claims = claims_value.as_object();
    auto claim = [&](const char* k) {
      auto* v = claims.if_contains(k);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const ConnectedApp* app = state.oauth.FindApp(claim("iss"));
    if (!app) return OAuthError(400, "invalid_client_id", "client identifier invalid");
    std::string error;
    if (app->certificate_pem.empty() ||
        !VerifyJwtAssertion(assertion, app->certificate_pem, &error)) {
      return OAuthError(400, "invalid_grant", "invalid assertion");
    }
    std::string aud = claim("aud");
    if (aud != state.base_url && aud != "https://login.salesforce.com" &&
        aud != "https://test.salesforce.com") {
      return OAuthError(400, "invalid_grant", "audience is invalid");
    }
    auto* exp = claims.if_contains("exp");
    if (!exp || !exp->is_number()) return OAuthError(400, "invalid_grant", "invalid assertion");
    std::int64_t exp_ms = exp->to_number<std::int64_t>() * 1000;
    if (exp_ms <= now) return OAuthError(400, "invalid_grant", "expired authorization code");
    if (exp_ms > now + kJwtMaxLifetimeMs + 1000) {
      return OAuthError(400, "invalid_grant", "invalid assertion");
    }
    const json::object* user = state.FindUserByUsername(claim("sub"));
    if (!user) return OAuthError(400, "invalid_grant", "invalid assertion");
    if (!UserActive(*user)) return OAuthError(400, "invalid_grant", "inactive user");
    // Pre-authorized by the admin, or a previous approval of this app that included a refresh
    // token (self-authorized apps).
    bool approved = app->approved_usernames.count(ToLower(claim("sub"))) > 0;
    if (!approved && !app->admin_approved_only) {
      approved = state.oauth.LiveGrantCount(app->client_id, UserId(*user), now) > 0;
    }
    if (!approved) return OAuthError(400, "invalid_grant", "user hasn't approved this consumer");
    auto issued = state.oauth.IssueGrant(state.org_id, app->client_id, UserId(*user),
                                         app->default_scope, std::string(kJwtGrant), false, now);
    return TokenResponse(state, *app, issued);
  }

  return OAuthError(400, "unsupported_grant_type", "grant type not supported");
}

Response HandleRevoke(PeerState& state, const Request& request) {
  ParamMap params = request.method == "POST" ? request.FormBody() : request.query;
  std::string token = Param(params, "token");
  if (token.empty() || !state.oauth.Revoke(token)) {
    // Documented revoke errors (400, the OAuth error body): invalid_token "Token was invalid"
    // (unknown/expired) or unsupported_token_type "Token type not supported".
    return OAuthError(400, "invalid_token", "Token was invalid");
  }
  return Response::Empty(200);
}

Response HandleIntrospect(PeerState& state, const Request& request) {
  if (request.method != "POST") return OAuthError(400, "invalid_request", "must use HTTP POST");
  ParamMap form = request.FormBody();
  std::string client_id, client_secret;
  ClientCredentials(request, form, &client_id, &client_secret);
  const ConnectedApp* app = state.oauth.FindApp(client_id);
  if (!app) return OAuthError(401, "invalid_client_id", "client identifier invalid");
  if (client_secret != app->client_secret) {
    return OAuthError(401, "invalid_client", "invalid client credentials");
  }
  std::int64_t now = state.clock.NowMs();
  std::string token = Param(form, "token");
  json::object out;
  if (const AccessToken* t = state.oauth.FindLiveAccess(token, now)) {
    const json::object* user = state.FindUserById(t->user_id);
    out["active"] = true;
    out["scope"] = t->scope;
    out["client_id"] = t->client_id;
    out["username"] = user ? json::value(user->at("Username")) : json::value(nullptr);
    out["sub"] = state.IdentityUrl(t->user_id);
    out["token_type"] = "access_token";
    out["exp"] = t->expires_ms / 1000;
    out["iat"] = t->issued_ms / 1000;
    out["nbf"] = t->issued_ms / 1000;
  } else if (const Grant* g = state.oauth.FindLiveRefresh(token, now)) {
    const json::object* user = state.FindUserById(g->user_id);
    out["active"] = true;
    out["scope"] = g->scope;
    out["client_id"] = g->client_id;
    out["username"] = user ? json::value(user->at("Username")) : json::value(nullptr);
    out["sub"] = state.IdentityUrl(g->user_id);
    out["token_type"] = "refresh_token";
    out["iat"] = g->refresh_issued_ms / 1000;
    out["nbf"] = g->refresh_issued_ms / 1000;
  } else {
    out["active"] = false;
  }
  return Response::Json(200, json::serialize(out));
}

// The identity document shared by /id/... and (reshaped) userinfo.
json::object IdentityDocument(const PeerState& state, const json::object& user) {
  auto str = [&](const char* k) {
    auto* v = user.if_contains(k);
    return v && v->is_string() ? json::value(v->as_string()) : json::value(nullptr);
  };
  std::string id = UserId(user);
  std::string v = "/services/data/v" + std::to_string(kMaxApiVersion) + ".0/";
  json::object doc;
  doc["id"] = state.IdentityUrl(id);
  doc["asserted_user"] = true;
  doc["user_id"] = id;
  doc["organization_id"] = state.org_id;
  doc["username"] = str("Username");
  doc["nick_name"] = str("Alias");
  doc["display_name"] = str("Name");
  doc["email"] = str("Email");
  doc["email_verified"] = true;
  doc["first_name"] = str("FirstName");
  doc["last_name"] = str("LastName");
  doc["timezone"] = str("TimeZoneSidKey");
  doc["active"] = UserActive(user);
  doc["user_type"] = "STANDARD";
  doc["language"] = str("LanguageLocaleKey");
  doc["locale"] = str("LocaleSidKey");
  doc["utcOffset"] = -28800000;
  doc["last_modified_date"] = str("LastModifiedDate");
  doc["is_app_installed"] = true;
  doc["urls"] = json::object{
      {"enterprise", state.base_url + "/services/Soap/c/{version}/" + state.org_id.substr(0, 15)},
      {"rest", state.base_url + "/services/data/v{version}/"},
      {"sobjects", state.base_url + "/services/data/v{version}/sobjects/"},
      {"query", state.base_url + "/services/data/v{version}/query/"},
      {"profile", state.base_url + "/" + id},
      {"custom_domain", state.base_url}};
  return doc;
}

const AccessToken* BearerToken(PeerState& state, const Request& request) {
  auto auth = request.Header("Authorization");
  std::string token;
  if (auth && (StartsWith(*auth, "Bearer ") || StartsWith(*auth, "OAuth "))) {
    token = auth->substr(auth->find(' ') + 1);
  } else if (auto it = request.query.find("oauth_token"); it != request.query.end()) {
    token = it->second;
  }
  return state.oauth.FindLiveAccess(token, state.clock.NowMs());
}

}  // namespace

Response HandleIdentity(PeerState& state, const Request& request) {
  const AccessToken* token = BearerToken(state, request);
  if (!token) return Response::Text(403, "Bad_OAuth_Token");
  auto parts = SplitPath(request.path);  // id, orgId, userId
  if (parts.size() != 3) return Response::Text(404, "Not Found");
  auto org = NormalizeId(parts[1]);
  auto uid = NormalizeId(parts[2]);
  if (!org || *org != state.org_id || !uid) return Response::Text(404, "Not Found");
  if (*uid != token->user_id) return Response::Text(403, "Bad_Id");
  const json::object* user = state.FindUserById(*uid);
  if (!user) return Response::Text(404, "Not Found");
  return Response::Json(200, json::serialize(IdentityDocument(state, *user)));
}

Response HandleOAuth(PeerState& state, const Request& request) {
  const std::string& path = request.path;
  if (path == "/services/oauth2/authorize") return HandleAuthorize(state, request);
  if (path == "/services/oauth2/token") return HandleToken(state, request);
  if (path == "/services/oauth2/revoke") return HandleRevoke(state, request);
  if (path == "/services/oauth2/introspect") return HandleIntrospect(state, request);
  if (path == "/services/oauth2/userinfo") {
    const AccessToken* token = BearerToken(state, request);
    if (!token) return Response::Text(403, "Bad_OAuth_Token");
    const json::object* user = state.FindUserById(token->user_id);
    if (!user) return Response::Text(403, "Bad_OAuth_Token");
    json::object doc = IdentityDocument(state, *user);
    json::object info;
    info["sub"] = doc["id"];
    info["user_id"] = doc["user_id"];
    info["organization_id"] = doc["organization_id"];
    info["preferred_username"] = doc["username"];
    info["nickname"] = doc["nick_name"];
    info["name"] = doc["display_name"];
    info["email"] = doc["email"];
    info["email_verified"] = true;
    info["given_name"] = doc["first_name"];
    info["family_name"] = doc["last_name"];
    info["zoneinfo"] = doc["timezone"];
    info["active"] = doc["active"];
    info["user_type"] = doc["user_type"];
    info["language"] = doc["language"];
    info["locale"] = doc["locale"];
    info["utcOffset"] = doc["utcOffset"];
    info["updated_at"] = doc["last_modified_date"];
    info["is_app_installed"] = true;
    info["urls"] = doc["urls"];
    return Response::Json(200, json::serialize(info));
  }
  return OAuthError(404, "not_found", "unknown OAuth endpoint");
}

}  // namespace chpeer::sf
