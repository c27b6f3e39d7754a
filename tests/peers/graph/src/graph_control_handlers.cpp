// The Graph peer's control API under /__peer/ (JSON in, JSON out): reset, seed, change
// mailboxes (messages, events), expire delta tokens, scope apps, expire/revoke tokens, clock,
// faults, throttle rules, limits and counters. Never counted, faulted or throttled.
#include <boost/json.hpp>

#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

Response Ok(const json::value& v = json::object{{"ok", true}}) {
  return Response::Json(200, json::serialize(v));
}

Response Bad(const std::string& message) {
  return Response::Json(400, json::serialize(json::object{{"error", message}}));
}

const json::object& Obj(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.as_object() : empty;
}

json::array Items(const json::value& body) {
  return body.is_array() ? body.as_array() : json::array{body};
}

// users/{u}/... : messages and events of one mailbox.
Response MailboxControl(PeerState& state, const Request& request,
                        const std::vector<std::string>& parts, const json::value& body) {
  const User* user = state.store.FindUser(parts[2]);
  if (!user) return Bad("unknown user " + parts[2]);
  std::string user_id = user->id;
  const std::string& m = request.method;
  std::string error;
  // users/{u}/mailFolders/{f}/messages
  if (parts.size() == 6 && parts[3] == "mailFolders" && parts[5] == "messages" && m == "POST") {
    json::array ids;
    for (const auto& item : Items(body)) {
      if (!item.is_object()) return Bad("messages must be objects");
      auto id = state.store.AddMessage(user_id, parts[4], item.as_object(), &error);
      if (!id) return Bad(error);
      ids.push_back(json::value(*id));
    }
    return Ok(json::object{{"ids", std::move(ids)}});
  }
  // users/{u}/messages/{id}[/move]
  if (parts.size() >= 5 && parts[3] == "messages") {
    const std::string& id = parts[4];
    if (parts.size() == 6 && parts[5] == "move" && m == "POST") {
      auto moved = state.store.MoveMessage(user_id, id, Str(Obj(body), "destinationId"), &error);
      return moved ? Ok(json::object{{"id", *moved}}) : Bad(error);
    }
    if (parts.size() == 5 && m == "PATCH") {
      return state.store.UpdateMessage(user_id, id, Obj(body), &error) ? Ok() : Bad(error);
    }
    if (parts.size() == 5 && m == "DELETE") {
      return state.store.DeleteMessage(user_id, id, &error) ? Ok() : Bad(error);
    }
  }
  if (parts.size() == 4 && parts[3] == "events" && m == "POST") {
    json::array ids;
    for (const auto& item : Items(body)) {
      if (!item.is_object()) return Bad("events must be objects");
      auto id = state.store.AddEvent(user_id, item.as_object(), &error);
      if (!id) return Bad(error);
      ids.push_back(json::value(*id));
    }
    return Ok(json::object{{"ids", std::move(ids)}});
  }
  if (parts.size() == 5 && parts[3] == "events" && m == "PATCH") {
    return state.store.UpdateEvent(user_id, parts[4], Obj(body), &error) ? Ok() : Bad(error);
  }
  if (parts.size() == 5 && parts[3] == "events" && m == "DELETE") {
    return state.store.DeleteEvent(user_id, parts[4], &error) ? Ok() : Bad(error);
  }
  return Bad("unknown mailbox control call");
}

Response ExpireDelta(PeerState& state, const json::value& body) {
  const json::object& o = Obj(body);
  std::string user_id, folder_id = Str(o, "folder");
  std::string code = Str(o, "code", "syncStateNotFound");
  if (code != "syncStateNotFound" && code != "resyncRequired") {
    return Bad("code must be syncStateNotFound or resyncRequired");
  }
  if (std::string key = Str(o, "user"); !key.empty()) {
    const User* user = state.store.FindUser(key);
    if (!user) return Bad("unknown user " + key);
    user_id = user->id;
    if (!folder_id.empty() && folder_id != kCalendarViewScope) {
      const MailFolder* folder =
          state.store.FindMailbox(user_id)
              ? state.store.FindFolder(*state.store.FindMailbox(user_id), folder_id)
              : nullptr;
      if (!folder) return Bad("unknown folder " + folder_id);
      folder_id = folder->id;
    }
  } else if (!folder_id.empty()) {
    return Bad("folder needs user");
  }
  return Ok(json::object{{"expired", state.deltas.Expire(user_id, folder_id, code)}});
}

Response Throttle(PeerState& state, const Request& request, const json::value& body) {
  if (request.method == "DELETE") {
    state.governor.rules.clear();
    return Ok();
  }
  if (request.method != "POST") return Ok(state.governor.RulesJson());
  std::string error;
  auto rule = ParseThrottleRule(body, state.clock.NowMs(), &error);
  if (!rule) return Bad(error);
  if (!rule->mailbox.empty()) {
    const User* user = state.store.FindUser(rule->mailbox);
    if (!user) return Bad("unknown mailbox " + rule->mailbox);
    rule->mailbox = user->id;
  }
  state.governor.rules.push_back(std::move(*rule));
  return Ok();
}

json::value Counters(PeerState& state) {
  json::object out = state.counters.ToJson().as_object();
  if (!out.contains("total")) out["total"] = json::object{{"requests", 0}};
  for (auto& [k, v] : state.governor.CountersJson(state.clock.NowMs(), SteadyNowMs())) {
    out[k] = v;
  }
  out["auth"] = state.auth.ToJson(state.clock.NowMs());
  return out;
}

}  // namespace

Response HandleControl(PeerState& state, const Request& request) {
  auto parts = SplitPath(request.path);  // "__peer", ...
  if (parts.size() < 2) return Bad("missing control resource");
  json::value body = json::object{};
  if (!request.body.empty()) {
    boost::system::error_code ec;
    body = json::parse(request.body, ec);
    if (ec) return Bad("invalid JSON: " + ec.message());
  }
  const std::string& what = parts[1];
  const std::string& m = request.method;
  std::string error;
  if (what == "reset" && m == "POST") {
    state.ResetLocked();
    return Ok();
  }
  if (what == "seed" && m == "POST") return ApplySeed(state, body, &error) ? Ok() : Bad(error);
  if (what == "users" && parts.size() >= 4) return MailboxControl(state, request, parts, body);
  if (what == "delta" && parts.size() == 3 && parts[2] == "expire" && m == "POST") {
    return ExpireDelta(state, body);
  }
  if (what == "apps" && parts.size() == 2 && m == "POST") {
    App app;
    if (!ParseApp(body, &app, &error)) return Bad(error);
    state.auth.apps()[app.client_id] = std::move(app);
    return Ok();
  }
  if (what == "apps" && parts.size() == 4 && parts[3] == "scope" && m == "POST") {
    auto it = state.auth.apps().find(parts[2]);
    if (it == state.auth.apps().end()) return Bad("unknown app " + parts[2]);
    json::object merged{{"client_id", it->second.client_id},
                        {"client_secret", it->second.client_secret},
                        {"display_name", it->second.display_name}};
    for (const auto& [k, v] : Obj(body)) merged[k] = v;
    App app;
    if (!ParseApp(merged, &app, &error)) return Bad(error);
    it->second = std::move(app);
    return Ok();
  }
  if (what == "tokens" && parts.size() == 3 && m == "POST") {
    std::string token = Str(Obj(body), "token");
    bool known = parts[2] == "expire"   ? state.auth.Expire(token, state.clock.NowMs())
                 : parts[2] == "revoke" ? state.auth.Revoke(token)
                                        : false;
    return known ? Ok() : Bad("unknown token or action");
  }
  if (what == "token_lifetime" && m == "POST") {
    std::int64_t seconds = Int(Obj(body), "seconds", 0);
    if (seconds <= 0) return Bad("seconds must be > 0");
    state.auth.token_lifetime_s = seconds;
    return Ok();
  }
  if (what == "clock") {
    if (m == "POST" && parts.size() == 3 && parts[2] == "advance") {
      std::int64_t ms = Int(Obj(body), "ms", 0) + Int(Obj(body), "seconds", 0) * 1000;
      if (ms < 0) return Bad("the clock only moves forward");
      state.clock.AdvanceMs(ms);
    }
    return Ok(json::object{{"now_ms", state.clock.NowMs()},
                           {"offset_ms", state.clock.offset_ms()},
                           {"now", GraphDateTime(state.clock.NowMs())}});
  }
  if (what == "faults") {
    if (m == "POST") {
      auto rule = ParseFaultRule(body, &error);
      if (!rule) return Bad(error);
      state.faults.Add(std::move(*rule));
      return Ok();
    }
    if (m == "DELETE") {
      state.faults.Clear();
      return Ok();
    }
    return Ok(state.faults.ToJson());
  }
  if (what == "throttle") return Throttle(state, request, body);
  if (what == "limits" && m == "POST") {
    if (!ApplySeed(state, json::object{{"limits", body}}, &error)) return Bad(error);
    return Ok();
  }
  if (what == "counters") {
    if (m == "DELETE") {
      state.counters.Clear();
      state.governor.ClearStatistics();
      return Ok();
    }
    return Ok(Counters(state));
  }
  return Response::Json(404, json::serialize(json::object{{"error", "unknown control resource"}}));
}

}  // namespace chpeer::graph
