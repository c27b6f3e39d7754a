// HandleGraph: the bearer token check, OData key-segment normalisation (users('x') ->
// users/x), routing to users and mailbox handlers, and for mailbox calls Exchange's order of
// refusals: unknown user, no mailbox, outside the app's scope, service limits.
#include <boost/json.hpp>

#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

// "users('a@b')" -> "users", "a@b"; "mailFolders(inbox)" likewise.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto& segment : SplitPath(path)) {
    auto open = segment.find('(');
    if (open != std::string::npos && open > 0 && segment.back() == ')') {
      std::string key = segment.substr(open + 1, segment.size() - open - 2);
      if (key.size() >= 2 && key.front() == '\'' && key.back() == '\'') {
        key = key.substr(1, key.size() - 2);
      }
      out.push_back(segment.substr(0, open));
      if (!key.empty()) out.push_back(key);  // "delta()" is the function, not a key
    } else {
      out.push_back(std::move(segment));
    }
  }
  return out;
}

Response Unauthorized(PeerState& state, const GraphCall& call, TokenProblem problem) {
  state.counters.Increment("events", "invalid_token");
  const char* message = "Access token validation failure.";
  if (problem == TokenProblem::kMissing) message = "Access token is empty.";
  if (problem == TokenProblem::kExpired)
    message = "Lifetime validation failed, the token is expired.";
  Response r = GraphError(401, "InvalidAuthenticationToken", message, call.ids);
  r.headers["WWW-Authenticate"] =
      "Bearer realm=\"\", authorization_uri=\"" + state.base_url +
      "/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";
  return r;
}

bool InScope(const PeerState& state, const App& app, const User& user) {
  if (app.all_mailboxes) return true;
  for (const auto& key : app.scoped_mailboxes) {
    const User* scoped = state.store.FindUser(key);
    if (scoped && scoped->id == user.id) return true;
  }
  return false;
}

Response MailboxCall(PeerState& state, const GraphCall& call, const App& app,
                     const std::string& user_key, const std::vector<std::string>& rest) {
  const User* user = state.store.FindUser(user_key);
  if (!user) {
    return GraphError(404, "ErrorInvalidUser", "The requested user '" + user_key + "' is invalid.",
                      call.ids);
  }
  if (!user->has_mailbox || !state.store.FindMailbox(user->id)) {
    return GraphError(404, "MailboxNotEnabledForRESTAPI",
                      "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
                      call.ids);
  }
  if (!InScope(state, app, *user)) {
    state.counters.Increment("events", "access_denied");
    return GraphError(403, "ErrorAccessDenied",
                      app.scope_mechanism == ScopeMechanism::kApplicationAccessPolicy
                          ? "Access to OData is disabled."
                          : "Access is denied. Check credentials and try again.",
                      call.ids);
  }
  auto rejection = state.governor.Admit(app.client_id, user->id, call.path, state.clock.NowMs(),
                                        SteadyNowMs(), call.hold_ms);
  if (rejection) {
    state.counters.Increment("throttled", rejection->reason);
    state.counters.Increment("throttled_mailboxes", user->id);
    Response r = GraphError(429, rejection->code, rejection->message, call.ids);
    r.headers["Retry-After"] = std::to_string(rejection->retry_after_s);
    return r;
  }
  state.counters.Increment("mailboxes", user->id);
  return HandleMailbox(state, call, *user, rest);
}

}  // namespace

Response HandleGraph(PeerState& state, const GraphCall& call) {
  std::string token;
  if (auto auth = call.headers.find("Authorization"); auth != call.headers.end()) {
    if (StartsWith(ToLower(auth->second), "bearer ")) token = auth->second.substr(7);
  }
  TokenProblem problem = TokenProblem::kUnknown;
  const AccessToken* access = state.auth.Check(token, state.clock.NowMs(), &problem);
  if (!access) return Unauthorized(state, call, problem);
  const App& app = *state.auth.FindApp(access->client_id);

  auto segments = Segments(call.path);
  if (segments.size() < 2) {
    return GraphError(400, "BadRequest", "Invalid version.", call.ids);
  }
  segments.erase(segments.begin());  // "v1.0" / "beta"
  const std::string& root = segments[0];
  if (root == "$batch") {
    if (call.in_batch) {
      return GraphError(400, "BadRequest", "Nested batch requests are not supported.", call.ids);
    }
    return HandleBatch(state, call);
  }
  if (root == "me") {
    return GraphError(400, "BadRequest",
                      "/me request is only valid with delegated authentication flow.", call.ids);
  }
  if (root == "users" && segments.size() <= 2) return HandleUsers(state, call, segments);
  if (root == "users") {
    std::vector<std::string> rest(segments.begin() + 2, segments.end());
    return MailboxCall(state, call, app, segments[1], rest);
  }
  return GraphError(400, "BadRequest", "Resource not found for the segment '" + root + "'.",
                    call.ids);
}

}  // namespace chpeer::graph
