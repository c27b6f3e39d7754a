// The peer's control API under /__peer/ (JSON in, JSON out): reset, seed, add or generate
// records, choose the logging-in user, expire/revoke tokens, refresh policies, clock, faults,
// API limits, counters. Never subject to faults or API limits.
#include <boost/json.hpp>

#include "sf_peer_state.h"
#include "sf_util.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

Response Ok(const json::value& v = json::object{{"ok", true}}) {
  return Response::Json(200, json::serialize(v));
}

Response Bad(const std::string& message) {
  return Response::Json(400, json::serialize(json::object{{"error", message}}));
}

std::optional<json::value> Body(const Request& request, Response* error) {
  if (request.body.empty()) return json::value(json::object{});
  try {
    return json::parse(request.body);
  } catch (const std::exception& e) {
    *error = Bad(std::string("invalid JSON: ") + e.what());
    return std::nullopt;
  }
}

std::string Str(const json::value& v, const char* key) {
  const auto* o = v.if_object();
  const json::value* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

std::int64_t Num(const json::value& v, const char* key, std::int64_t fallback) {
  const auto* o = v.if_object();
  const json::value* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_number() ? f->to_number<std::int64_t>() : fallback;
}

bool Bool(const json::value& v, const char* key, bool fallback) {
  const auto* o = v.if_object();
  const json::value* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_bool() ? f->as_bool() : fallback;
}

// Replaces "{n}" in generated string values with the record's ordinal.
json::value Expand(const json::value& v, std::int64_t n) {
  if (!v.is_string()) return v;
  std::string s(v.as_string());
  for (auto pos = s.find("{n}"); pos != std::string::npos; pos = s.find("{n}", pos)) {
    s.replace(pos, 3, std::to_string(n));
  }
  return json::value(s);
}

Response AddRecords(PeerState& state, const std::string& type, const json::value& body) {
  const ObjectDef* object = state.store.schema().Find(type);
  if (!object) return Bad("unknown sObject " + type);
  json::array list = body.is_array() ? body.as_array() : json::array{body};
  json::array ids;
  for (const auto& item : list) {
    if (!item.is_object()) return Bad("records must be objects");
    auto created = state.store.Create(*object, item.as_object(), "", true);
    if (auto* err = std::get_if<RecordError>(&created))
      return Bad(err->status_code + ": " + err->message);
    ids.push_back(json::value(std::get<std::string>(created)));
  }
  return Ok(json::object{{"ids", std::move(ids)}});
}

Response Generate(PeerState& state, const json::value& body) {
  std::string type = Str(body, "sobject");
  const ObjectDef* object = state.store.schema().Find(type);
  if (!object) return Bad("unknown sObject " + type);
  std::int64_t count = Num(body, "count", 0);
  if (count <= 0 || count > 1000000) return Bad("count must be 1..1000000");
  json::object templ;
  if (const auto* f = body.as_object().if_contains("fields"); f && f->is_object()) {
    templ = f->as_object();
  }
  // Fill required text fields the template leaves out so any object can be generated.
  for (const auto& f : object->fields) {
    if (f.required && !templ.contains(f.name)) {
      if (f.type == FieldType::kDate) {
        templ[f.name] = "2024-01-01";
      } else if (IsTextType(f.type)) {
        templ[f.name] = f.name == "Email" || f.name == "Username" ? "gen{n}@peer.example"
                                                                  : object->name + " {n}";
      }
    }
  }
  std::string first, last;
  for (std::int64_t i = 1; i <= count; ++i) {
    json::object record;
    for (const auto& [k, v] : templ) record[k] = Expand(v, i);
    auto created = state.store.Create(*object, record, "");
    if (auto* err = std::get_if<RecordError>(&created)) {
      return Bad("record " + std::to_string(i) + ": " + err->status_code + ": " + err->message);
    }
    last = std::get<std::string>(created);
    if (first.empty()) first = last;
  }
  return Ok(json::object{{"created", count}, {"first_id", first}, {"last_id", last}});
}

}  // namespace

json::value CountersJson(PeerState& state) {
  json::object out = state.counters.ToJson().as_object();
  out["api_usage"] = json::object{{"used", state.daily_api_used}, {"max", state.daily_api_max}};
  out["oauth"] = state.oauth.ToJson(state.clock.NowMs());
  out["open_cursors"] = state.cursors.size();  // query cursors still held (memory)
  out["bulk_jobs"] = state.bulk_jobs.size();
  if (!out.contains("total")) out["total"] = json::object{{"requests", 0}};
  return out;
}

Response HandleControl(PeerState& state, const Request& request) {
  auto parts = SplitPath(request.path);  // "__peer", ...
  if (parts.size() < 2) return Bad("missing control resource");
  Response error;
  auto body = Body(request, &error);
  if (!body) return error;
  const std::string& what = parts[1];
  const std::string& m = request.method;

  if (what == "reset" && m == "POST") {
    state.ResetLocked();
    return Ok();
  }
  if (what == "seed" && m == "POST") {
    std::string err;
    if (!ApplySeed(state, *body, &err)) return Bad(err);
    return Ok();
  }
  if (what == "records" && parts.size() == 3 && m == "POST") {
    return AddRecords(state, parts[2], *body);
  }
  if (what == "records" && parts.size() == 4 && parts[3] == "purge" && m == "POST") {
    // Hard delete: no Recycle Bin, so neither queryAll nor getDeleted sees the record again.
    const ObjectDef* object = state.store.schema().Find(parts[2]);
    if (!object) return Bad("unknown object " + parts[2]);
    const json::value* ids = body->is_object() ? body->as_object().if_contains("ids") : nullptr;
    if (!ids || !ids->is_array()) return Bad("ids must be an array");
    std::int64_t purged = 0;
    for (const auto& id : ids->as_array()) {
      if (!id.is_string()) return Bad("ids must be strings");
      if (!state.store.Get(*object, std::string(id.as_string()))) continue;
      state.store.Purge(*object, std::string(id.as_string()));
      ++purged;
    }
    return Ok(json::object{{"purged", purged}});
  }
  if (what == "recycle_bin" && parts.size() == 4 && parts[3] == "empty" && m == "POST") {
    // The admin's "Empty Recycle Bin" for one object: soft-deleted records are purged and
    // getDeleted's earliestDateAvailable moves to now.
    const ObjectDef* object = state.store.schema().Find(parts[2]);
    if (!object) return Bad("unknown object " + parts[2]);
    return Ok(json::object{{"purged", state.store.EmptyRecycleBin(*object)}});
  }
  if (what == "bulk" && m == "POST") {
    std::int64_t polls = Num(*body, "polls_to_complete", state.bulk_polls_to_complete);
    std::int64_t max_records = Num(*body, "default_max_records",
                                   static_cast<std::int64_t>(state.bulk_default_max_records));
    if (polls < 0 || max_records <= 0)
      return Bad("polls_to_complete >= 0, default_max_records > 0");
    state.bulk_polls_to_complete = static_cast<int>(polls);
    state.bulk_default_max_records = static_cast<std::size_t>(max_records);
    return Ok();
  }
  if (what == "generate" && m == "POST") return Generate(state, *body);
  if (what == "login_user" && m == "POST") {
    std::string username = Str(*body, "username");
    if (!state.FindUserByUsername(username)) return Bad("unknown user " + username);
    state.login_username = username;
    return Ok();
  }
  if (what == "tokens" && parts.size() == 3 && m == "POST") {
    std::string token = Str(*body, "token");
    if (parts[2] == "expire") {
      state.oauth.ExpireAccess(token, state.clock.NowMs());
      return Ok();
    }
    if (parts[2] == "in_flight") {
      // {"token": RT}: another client's refresh with RT is being processed; {"token": RT,
      // "finish": true}: it completes now (rotating as the app's policy says) and its token
      // response comes back here, as that client would have received it.
      if (token.empty()) return Bad("token is required");
      if (!Bool(*body, "finish", false)) {
        if (!state.oauth.FindLiveRefresh(token, state.clock.NowMs())) {
          return Bad("unknown or dead refresh token");
        }
        state.oauth.refresh_in_flight.insert(token);
        return Ok();
      }
      if (state.oauth.refresh_in_flight.erase(token) == 0) return Bad("no refresh in flight");
      const Grant* grant = state.oauth.FindLiveRefresh(token, state.clock.NowMs());
      const ConnectedApp* app = grant ? state.oauth.FindApp(grant->client_id) : nullptr;
      RefreshFailure failure = RefreshFailure::kUnknownOrExpired;
      auto issued =
          app ? state.oauth.Refresh(state.org_id, *app, token, state.clock.NowMs(), &failure)
              : std::nullopt;
      if (!issued) return Bad("the refresh failed");
      json::object out{{"access_token", issued->access_token}};
      if (!issued->refresh_token.empty()) out["refresh_token"] = issued->refresh_token;
      return Ok(out);
    }
    if (parts[2] == "revoke") {
      if (token.empty()) {
        state.oauth.RevokeAll();
      } else if (!state.oauth.Revoke(token)) {
        return Bad("unknown token");
      }
      return Ok();
    }
  }
  if (what == "apps" && m == "POST" && parts.size() == 2) {
    std::string err;
    if (!ApplySeed(state, json::object{{"connected_apps", json::array{*body}}}, &err)) {
      return Bad(err);
    }
    return Ok();
  }
  if (what == "apps" && parts.size() == 4 && parts[3] == "refresh_policy" && m == "POST") {
    auto it = state.oauth.apps.find(parts[2]);
    if (it == state.oauth.apps.end()) return Bad("unknown connected app");
    std::string err;
    auto policy = ParseRefreshPolicy(*body, &err);
    if (!policy) return Bad(err);
    it->second.refresh_policy = *policy;
    return Ok();
  }
  if (what == "clock") {
    if (m == "POST" && parts.size() == 3 && parts[2] == "advance") {
      std::int64_t ms = Num(*body, "ms", 0) + Num(*body, "seconds", 0) * 1000;
      if (ms < 0) return Bad("the clock only moves forward");
      state.clock.AdvanceMs(ms);
    }
    return Ok(json::object{{"now_ms", state.clock.NowMs()},
                           {"offset_ms", state.clock.offset_ms()},
                           {"now", FormatDateTime(state.clock.NowMs())}});
  }
  if (what == "session_timeout" && m == "POST") {
    std::int64_t seconds = Num(*body, "seconds", 0);
    if (seconds <= 0) return Bad("seconds must be > 0");
    state.oauth.session_timeout_s = seconds;
    return Ok();
  }
  if (what == "faults") {
    if (m == "POST") {
      std::string err;
      auto rule = ParseFaultRule(*body, &err);
      if (!rule) return Bad(err);
      state.faults.Add(std::move(*rule));
      return Ok();
    }
    if (m == "DELETE") {
      state.faults.Clear();
      return Ok();
    }
    return Ok(state.faults.ToJson());
  }
  if (what == "limits" && m == "POST") {
    state.daily_api_max = Num(*body, "daily_api_max", state.daily_api_max);
    state.daily_api_used = Num(*body, "daily_api_used", state.daily_api_used);
    return Ok();
  }
  if (what == "counters") {
    if (m == "DELETE") {
      state.counters.Clear();
      return Ok();
    }
    return Ok(CountersJson(state));
  }
  return Response::Json(404, json::serialize(json::object{{"error", "unknown control resource"}}));
}

}  // namespace chpeer::sf
