// Authentication for the RollWorks peer: POST /oauth/token (client credentials, form body or
// HTTP Basic) and the bearer check every /api/v1 request goes through (API key or OAuth
// access token), with the 401 bodies API.md §2 documents.
#include <boost/json.hpp>

#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {
namespace {

namespace json = boost::json;

std::optional<std::string> Base64Decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0;
  std::uint32_t buffer = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

Response HandleToken(PeerState& state, const Request& request, const std::string& request_id) {
  if (request.method != "POST") {
    return ApiError(405, "method_not_allowed", "Use POST for /oauth/token.", request_id);
  }
  ParamMap form = request.FormBody();
  std::string client_id = form["client_id"];
  std::string client_secret = form["client_secret"];
  if (auto auth = request.Header("Authorization"); auth && StartsWith(*auth, "Basic ")) {
    auto decoded = Base64Decode(auth->substr(6));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos) {
      client_id = PercentDecode(decoded->substr(0, colon), true);
      client_secret = PercentDecode(decoded->substr(colon + 1), true);
    }
  }
  const std::string& grant_type = form["grant_type"];
  if (grant_type.empty()) {
    return ApiError(400, "invalid_request", "grant_type is required.", request_id);
  }
  if (grant_type != "client_credentials") {
    return ApiError(400, "unsupported_grant_type",
                    "Only the client_credentials grant is supported.", request_id);
  }
  state.counters.Increment("grant_type", grant_type);
  if (client_id.empty() || client_secret.empty()) {
    return ApiError(400, "invalid_request", "client_id and client_secret are required.",
                    request_id);
  }
  auto it = state.oauth_clients.find(client_id);
  if (it == state.oauth_clients.end() || !it->second.active ||
      it->second.client_secret != client_secret) {
    state.counters.Increment("events", "invalid_client");
    return ApiError(401, "invalid_client", "Client authentication failed.", request_id);
  }
  std::string token = "rwat_" + RandomHex(24);
  state.access_tokens[token] =
      AccessToken{client_id, state.clock.NowMs() + state.token_ttl_s * 1000};
  Response r = JsonResponse(json::object{{"access_token", token},
                                         {"token_type", "Bearer"},
                                         {"expires_in", state.token_ttl_s},
                                         {"scope", it->second.scope}});
  r.headers["Cache-Control"] = "no-store";
  return r;
}

std::optional<Credential> Authenticate(PeerState& state, const Request& request,
                                       const std::string& request_id, Response* failure) {
  auto auth = request.Header("Authorization");
  if (!auth || !StartsWith(*auth, "Bearer ") || auth->size() <= 7) {
    state.counters.Increment("events", "unauthorized");
    *failure = ApiError(401, "unauthorized",
                        "Authentication required: send Authorization: Bearer <token>.", request_id);
    return std::nullopt;
  }
  std::string token = auth->substr(7);
  if (auto key = state.api_keys.find(token); key != state.api_keys.end() && key->second.active) {
    return Credential{CredentialKind::kApiKey, &key->second.advertiser_ids};
  }
  if (auto access = state.access_tokens.find(token); access != state.access_tokens.end()) {
    auto client = state.oauth_clients.find(access->second.client_id);
    if (access->second.expires_ms > state.clock.NowMs() && client != state.oauth_clients.end() &&
        client->second.active) {
      return Credential{CredentialKind::kOAuthToken, &client->second.advertiser_ids};
    }
  }
  state.counters.Increment("events", "invalid_token");
  *failure =
      ApiError(401, "invalid_token", "The access token is invalid or has expired.", request_id);
  return std::nullopt;
}

}  // namespace chpeer::rollworks
