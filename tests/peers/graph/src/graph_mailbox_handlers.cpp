// Mailbox resources under /v1.0/users/{id}: messages delta per mail folder, calendarView
// delta, and plain reads of mail folders and messages. Delta rounds follow Graph's paging:
// Prefer: odata.maxpagesize=N (default 10), @odata.nextLink with $skiptoken until the last
// page, which carries @odata.deltaLink with $deltatoken; an expired token answers 410.
#include <memory>

#include <boost/json.hpp>

#include "chpeer/iso8601.h"
#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

bool IsDelta(const std::string& segment) {
  return segment == "delta" || segment == "microsoft.graph.delta";
}

std::string Query(const GraphCall& call, const char* name) {
  auto it = call.query.find(name);
  return it == call.query.end() ? std::string() : it->second;
}

int PageSize(const GraphCall& call, bool* applied) {
  *applied = false;
  auto prefer = call.headers.find("Prefer");
  if (prefer == call.headers.end()) return kDefaultDeltaPageSize;
  auto pos = prefer->second.find("odata.maxpagesize=");
  if (pos == std::string::npos) return kDefaultDeltaPageSize;
  int n = std::atoi(prefer->second.c_str() + pos + 18);
  if (n < 1) return kDefaultDeltaPageSize;
  *applied = true;
  return std::min(n, kMaxDeltaPageSize);
}

bool WantsTextBody(const GraphCall& call) {
  auto prefer = call.headers.find("Prefer");
  return prefer != call.headers.end() &&
         prefer->second.find("outlook.body-content-type=\"text\"") != std::string::npos;
}

// Prefer: outlook.body-content-type="text": HTML bodies are returned as text.
json::value AsTextBody(json::value item) {
  json::object* o = item.if_object();
  json::value* body = o ? o->if_contains("body") : nullptr;
  if (body && body->is_object() &&
      EqualsIgnoreCase(Str(body->as_object(), "contentType"), "html")) {
    *body = json::object{{"contentType", "text"}, {"content", BodyText(body->as_object())}};
  }
  return item;
}

std::string Applied(std::vector<std::string> preferences) {
  std::string out;
  for (const auto& p : preferences) out += (out.empty() ? "" : ", ") + p;
  return out;
}

Response Gone(PeerState& state, const GraphCall& call, const std::string& code,
              const std::string& location) {
  state.counters.Increment("events", "sync_reset");
  std::string message =
      code == "resyncRequired"
          ? "The delta token is no longer valid, and the app must reset the sync state."
          : "The sync state generation is not found. The delta token is expired and data must be "
            "synchronized again.";
  Response r = GraphError(410, code, message, call.ids);
  // The initial query of the round: the client restarts with a full synchronisation.
  r.headers["Location"] = location;
  return r;
}

std::string InitialUrl(const PeerState& state, const DeltaScope& scope) {
  std::vector<std::pair<std::string, std::string>> params;
  if (scope.kind == DeltaKind::kEvents && scope.window_end_ms > scope.window_start_ms) {
    params.emplace_back("startDateTime", GraphDateTime(scope.window_start_ms));
    params.emplace_back("endDateTime", GraphDateTime(scope.window_end_ms));
  }
  if (!scope.select.empty()) {
    std::string joined;
    for (const auto& s : scope.select) joined += (joined.empty() ? "" : ",") + s;
    params.emplace_back("$select", joined);
  }
  // Like Graph's own links: "$select=a,b" unencoded (the values are names and ISO times).
  std::string url = state.base_url + scope.link_path;
  for (std::size_t i = 0; i < params.size(); ++i) {
    url += (i == 0 ? "?" : "&") + params[i].first + "=" + params[i].second;
  }
  return url;
}

// Serves one page of a round: the initial request (scope given), a $skiptoken page or the
// first page of a $deltatoken round.
Response DeltaPage(PeerState& state, const GraphCall& call, const Mailbox& mailbox,
                   DeltaScope initial) {
  std::shared_ptr<const DeltaRound> round;
  std::size_t offset = 0;
  std::string skip = Query(call, "$skiptoken");
  std::string delta = Query(call, "$deltatoken");
  if (!skip.empty()) {
    const SkipState* state_for = state.deltas.FindSkip(skip);
    if (!state_for) return Gone(state, call, "syncStateNotFound", InitialUrl(state, initial));
    if (!state_for->expired_code.empty()) {
      return Gone(state, call, state_for->expired_code, InitialUrl(state, state_for->round->scope));
    }
    if (state_for->round->scope.link_path != initial.link_path) {
      return GraphError(400, "ErrorInvalidUrlQuery",
                        "The skip token does not belong to this resource.", call.ids);
    }
    round = state_for->round;
    offset = state_for->offset;
  } else if (!delta.empty()) {
    const DeltaState* token = state.deltas.FindDelta(delta);
    if (!token) return Gone(state, call, "syncStateNotFound", InitialUrl(state, initial));
    if (!token->expired_code.empty()) {
      return Gone(state, call, token->expired_code, InitialUrl(state, token->scope));
    }
    if (token->scope.link_path != initial.link_path) {
      return GraphError(400, "ErrorInvalidUrlQuery",
                        "The delta token does not belong to this resource.", call.ids);
    }
    auto next = std::make_shared<DeltaRound>();
    next->scope = token->scope;
    next->high_seq = state.store.seq();
    next->items = CollectChanges(mailbox, token->scope, token->since_seq);
    round = std::move(next);
  } else {
    auto first = std::make_shared<DeltaRound>();
    first->high_seq = state.store.seq();
    first->items = CollectChanges(mailbox, initial, -1);
    first->scope = std::move(initial);
    round = std::move(first);
  }
  bool applied = false;
  auto page = static_cast<std::size_t>(PageSize(call, &applied));
  json::array value;
  bool text = WantsTextBody(call);
  for (std::size_t i = offset; i < round->items.size() && i < offset + page; ++i) {
    value.push_back(text ? AsTextBody(round->items[i]) : round->items[i]);
  }
  const char* type = round->scope.kind == DeltaKind::kMessages ? "message" : "event";
  json::object body{
      {"@odata.context", state.base_url + "/v1.0/$metadata#Collection(" + type + ")"}};
  std::string link = state.base_url + round->scope.link_path;
  if (offset + page < round->items.size()) {
    body["@odata.nextLink"] = link + "?$skiptoken=" + state.deltas.AddSkip(round, offset + page);
  } else {
    body["@odata.deltaLink"] =
        link + "?$deltatoken=" + state.deltas.AddDelta(round->scope, round->high_seq);
  }
  body["value"] = std::move(value);
  Response r = GraphJson(200, body, call.ids);
  std::vector<std::string> preferences;
  if (applied) preferences.push_back("odata.maxpagesize=" + std::to_string(page));
  if (text) preferences.push_back("outlook.body-content-type=\"text\"");
  if (!preferences.empty()) r.headers["Preference-Applied"] = Applied(preferences);
  return r;
}

Response MessagesDelta(PeerState& state, const GraphCall& call, const User& user,
                       const Mailbox& mailbox, const MailFolder& folder) {
  DeltaScope scope;
  scope.kind = DeltaKind::kMessages;
  scope.user_id = user.id;
  scope.folder_id = folder.id;
  scope.select = SplitList(Query(call, "$select"));
  scope.change_type = Query(call, "changeType");
  scope.link_path = "/v1.0/users/" + user.id + "/mailFolders/" + folder.id + "/messages/delta";
  if (!scope.change_type.empty() && scope.change_type != "created" &&
      scope.change_type != "updated" && scope.change_type != "deleted") {
    return GraphError(400, "ErrorInvalidUrlQuery",
                      "The value of changeType must be created, updated or deleted.", call.ids);
  }
  return DeltaPage(state, call, mailbox, std::move(scope));
}

Response CalendarViewDelta(PeerState& state, const GraphCall& call, const User& user,
                           const Mailbox& mailbox) {
  DeltaScope scope;
  scope.kind = DeltaKind::kEvents;
  scope.user_id = user.id;
  scope.folder_id = kCalendarViewScope;
  scope.select = SplitList(Query(call, "$select"));
  scope.link_path = "/v1.0/users/" + user.id + "/calendarView/delta";
  bool continuing = !Query(call, "$skiptoken").empty() || !Query(call, "$deltatoken").empty();
  if (!continuing) {
    auto start = ParseIso8601(Query(call, "startDateTime"));
    auto end = ParseIso8601(Query(call, "endDateTime"));
    if (!start || !end) {
      return GraphError(400, "ErrorInvalidParameter",
                        "This request requires a time window specified by the query string "
                        "parameters StartDateTime and EndDateTime.",
                        call.ids);
    }
    scope.window_start_ms = *start;
    scope.window_end_ms = *end;
  }
  return DeltaPage(state, call, mailbox, std::move(scope));
}

json::object FolderJson(const Mailbox& mailbox, const MailFolder& folder) {
  std::int64_t total = 0, unread = 0;
  for (const auto& [id, message] : mailbox.messages) {
    if (message.folder_id() != folder.id) continue;
    ++total;
    const json::value* read = message.resource.if_contains("isRead");
    if (!read || !read->is_bool() || !read->as_bool()) ++unread;
  }
  return json::object{{"id", folder.id},
                      {"displayName", folder.display_name},
                      {"parentFolderId", mailbox.folders.front().id},
                      {"childFolderCount", 0},
                      {"unreadItemCount", unread},
                      {"totalItemCount", total},
                      {"isHidden", false}};
}

Response NotFoundItem(const GraphCall& call) {
  return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.",
                    call.ids);
}

}  // namespace

Response HandleMailbox(PeerState& state, const GraphCall& call, const User& user,
                       const std::vector<std::string>& rest) {
  Mailbox& mailbox = *state.store.FindMailbox(user.id);
  std::string prefix = state.base_url + "/v1.0/$metadata#users('" + user.id + "')";
  if (call.method != "GET") {
    return GraphError(405, "ErrorInvalidRequest", "The OData request is not supported.", call.ids);
  }
  if (!rest.empty() && rest[0] == "mailFolders") {
    if (rest.size() == 1) {
      json::array value;
      for (const auto& folder : mailbox.folders) value.push_back(FolderJson(mailbox, folder));
      return GraphJson(
          200,
          json::object{{"@odata.context", prefix + "/mailFolders"}, {"value", std::move(value)}},
          call.ids);
    }
    const MailFolder* folder = state.store.FindFolder(mailbox, rest[1]);
    if (!folder) return NotFoundItem(call);
    if (rest.size() == 2) {
      json::object body{{"@odata.context", prefix + "/mailFolders/$entity"}};
      for (auto& [k, v] : FolderJson(mailbox, *folder)) body[k] = v;
      return GraphJson(200, body, call.ids);
    }
    if (rest.size() == 4 && rest[2] == "messages" && IsDelta(rest[3])) {
      return MessagesDelta(state, call, user, mailbox, *folder);
    }
  }
  if (rest.size() == 2 && rest[0] == "calendarView" && IsDelta(rest[1])) {
    return CalendarViewDelta(state, call, user, mailbox);
  }
  if (rest.size() == 2 && rest[0] == "messages" && !IsDelta(rest[1])) {
    auto it = mailbox.messages.find(rest[1]);
    if (it == mailbox.messages.end()) return NotFoundItem(call);
    auto select = SplitList(Query(call, "$select"));
    json::object body{{"@odata.context", prefix + "/messages/$entity"}};
    for (const auto& [k, v] : it->second.resource) {
      bool wanted = select.empty() || k == "id" || k == "@odata.etag";
      for (const auto& s : select) wanted = wanted || EqualsIgnoreCase(s, k);
      if (wanted) body[k] = v;
    }
    if (!WantsTextBody(call)) return GraphJson(200, body, call.ids);
    Response r = GraphJson(200, AsTextBody(body), call.ids);
    r.headers["Preference-Applied"] = "outlook.body-content-type=\"text\"";
    return r;
  }
  std::string segment = rest.empty() ? user.id : rest.back();
  return GraphError(400, "BadRequest", "Resource not found for the segment '" + segment + "'.",
                    call.ids);
}

}  // namespace chpeer::graph
