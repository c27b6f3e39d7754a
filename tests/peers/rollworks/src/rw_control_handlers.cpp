// The RollWorks peer's control API under /__peer/ (JSON in, JSON out; README.md has the
// table): reset, seed, mutate ABM data, credentials, clock, settings, faults, throttle,
// counters and the uploaded CRM records. Never counted, faulted or throttled.
#include <algorithm>

#include <boost/json.hpp>

#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {
namespace {

namespace json = boost::json;

Response Ok(const json::value& v = json::object{{"ok", true}}) { return JsonResponse(v); }

Response Bad(const std::string& message) {
  return JsonResponse(json::object{{"error", message}}, 400);
}

// POST abm/accounts: set ABM data on the account with `account_id` or `domain` (created when
// the domain is new); the change shows in the accounts feed.
Response MutateAccount(PeerState& state, const json::value& body) {
  std::string error;
  Advertiser* adv = state.AdvertiserFor(ObjectOrEmpty(body), &error);
  if (!adv) return Bad(error);
  if (!body.is_object()) return Bad("body must be an object");
  AbmAccount* account = nullptr;
  if (std::string id = StringField(ObjectOrEmpty(body), "account_id"); !id.empty()) {
    auto it = adv->accounts.find(id);
    if (it == adv->accounts.end()) return Bad("unknown account " + id);
    account = &it->second;
  } else {
    auto domain = NormalizeDomain(StringField(ObjectOrEmpty(body), "domain"));
    if (!domain) return Bad("give account_id or a valid domain");
    account = adv->FindAccountByDomain(*domain);
    if (!account) {
      std::string new_id = state.NewAccountId();
      account = &adv->accounts[new_id];
      account->id = new_id;
      account->domain = *domain;
      account->name = *domain;
    }
  }
  bool changed = false;
  if (!ApplyAbmFields(state, *adv, *account, body.as_object(), &changed, &error)) {
    return Bad(error);
  }
  if (changed || account->change_seq == 0) adv->Touch(*account, state.clock.NowMs());
  return Ok(json::object{{"changed", changed}, {"account", AccountJson(*adv, *account)}});
}

Response MutateContact(PeerState& state, const json::value& body) {
  std::string error;
  Advertiser* adv = state.AdvertiserFor(ObjectOrEmpty(body), &error);
  if (!adv) return Bad(error);
  if (!body.is_object()) return Bad("body must be an object");
  std::string email = ToLower(StringField(ObjectOrEmpty(body), "email"));
  if (!IsValidEmail(email)) return Bad("give a valid email");
  AbmContact* contact = adv->FindContactByEmail(email);
  if (!contact) {
    std::string id = state.NewContactId();
    contact = &adv->contacts[id];
    contact->id = id;
    contact->email = email;
  }
  bool changed = false;
  if (!ApplyContactAbmFields(*contact, body.as_object(), &changed, &error)) return Bad(error);
  if (changed || contact->change_seq == 0) adv->Touch(*contact, state.clock.NowMs());
  return Ok(json::object{{"changed", changed}, {"contact", ContactJson(*contact)}});
}

// GET crm/{object}[?advertiser_id=]: what the client uploaded, by external_id.
Response UploadedRecords(PeerState& state, const std::string& object, const Request& request) {
  std::string error;
  json::object selector;
  if (auto it = request.query.find("advertiser_id"); it != request.query.end()) {
    selector["advertiser_id"] = it->second;
  }
  Advertiser* adv = state.AdvertiserFor(selector, &error);
  if (!adv) return Bad(error);
  const auto& objects = CrmObjects();
  if (std::find(objects.begin(), objects.end(), object) == objects.end()) {
    return Bad("unknown CRM object " + object);
  }
  json::array records;
  std::int64_t deleted = 0;
  for (const auto& [ext, rec] : adv->crm[object]) {
    if (rec.fields.at("deleted").as_bool()) ++deleted;
    records.push_back(json::object{{"external_id", ext},
                                   {"record", rec.fields},
                                   {"received", rec.received},
                                   {"version", rec.version},
                                   {"updated_at", FormatTime(rec.updated_ms)}});
  }
  return Ok(json::object{
      {"count", records.size()}, {"deleted", deleted}, {"records", std::move(records)}});
}

Response Credentials(PeerState& state, const std::string& what, const std::string& action,
                     const json::value& body) {
  if (what == "api_keys") {
    if (action.empty()) {
      std::string error;
      if (!ApplySeed(state, json::object{{"api_keys", json::array{body}}}, &error)) {
        return Bad(error);
      }
      return Ok();
    }
    auto it = state.api_keys.find(StringField(ObjectOrEmpty(body), "key"));
    if (it == state.api_keys.end()) return Bad("unknown api key");
    if (action != "deactivate" && action != "activate") return Bad("unknown action " + action);
    it->second.active = action == "activate";
    return Ok();
  }
  if (action.empty()) {
    std::string error;
    if (!ApplySeed(state, json::object{{"oauth_clients", json::array{body}}}, &error)) {
      return Bad(error);
    }
    return Ok();
  }
  auto it = state.oauth_clients.find(StringField(ObjectOrEmpty(body), "client_id"));
  if (it == state.oauth_clients.end()) return Bad("unknown oauth client");
  if (action != "revoke" && action != "activate") return Bad("unknown action " + action);
  it->second.active = action == "activate";
  if (action == "revoke") {
    std::erase_if(state.access_tokens,
                  [&](const auto& entry) { return entry.second.client_id == it->first; });
  }
  return Ok();
}

Response SetThrottle(PeerState& state, const Request& request, const json::value& body) {
  if (request.method == "DELETE") {
    state.throttle = Throttle{};
    return Ok();
  }
  if (request.method == "POST") {
    Throttle t;
    if (std::string prefix = StringField(ObjectOrEmpty(body), "path_prefix"); !prefix.empty())
      t.path_prefix = prefix;
    t.next = IntField(ObjectOrEmpty(body), "next", 0);
    t.retry_after_s = IntField(ObjectOrEmpty(body), "retry_after_s", 1);
    t.window_limit = IntField(ObjectOrEmpty(body), "limit", 0);
    t.window_s = IntField(ObjectOrEmpty(body), "window_s", 60);
    if (t.next < 0 || t.retry_after_s < 1 || t.window_limit < 0 || t.window_s < 1 ||
        (t.next == 0 && t.window_limit == 0)) {
      return Bad("throttle needs next > 0 or limit > 0; retry_after_s and window_s >= 1");
    }
    t.window_start_ms = state.clock.NowMs();
    state.throttle = t;
  }
  const Throttle& t = state.throttle;
  return Ok(json::object{{"path_prefix", t.path_prefix},
                         {"next", t.next},
                         {"retry_after_s", t.retry_after_s},
                         {"limit", t.window_limit},
                         {"window_s", t.window_s},
                         {"window_used", t.window_used}});
}

json::value CountersJson(PeerState& state) {
  json::object out = state.counters.ToJson().as_object();
  if (!out.contains("total")) out["total"] = json::object{{"requests", 0}};
  return out;
}

}  // namespace

Response HandleControl(PeerState& state, const Request& request) {
  auto parts = SplitPath(request.path);  // "__peer", ...
  if (parts.size() < 2) return Bad("missing control resource");
  json::value body = json::object{};
  if (!request.body.empty()) {
    try {
      body = json::parse(request.body);
    } catch (const std::exception& e) {
      return Bad(std::string("invalid JSON: ") + e.what());
    }
  }
  const std::string& what = parts[1];
  const std::string& m = request.method;
  std::string sub = parts.size() > 2 ? parts[2] : std::string();

  if (what == "reset" && m == "POST") {
    state.ResetLocked();
    return Ok();
  }
  if (what == "seed" && m == "POST") {
    std::string err;
    if (!ApplySeed(state, body, &err)) return Bad(err);
    return Ok();
  }
  if (what == "abm" && m == "POST" && sub == "accounts") return MutateAccount(state, body);
  if (what == "abm" && m == "POST" && sub == "contacts") return MutateContact(state, body);
  if (what == "account_lists" && m == "POST") {
    std::string err;
    if (!ApplySeed(state, json::object{{"account_lists", json::array{body}}}, &err)) {
      return Bad(err);
    }
    return Ok();
  }
  if ((what == "api_keys" || what == "oauth_clients") && m == "POST" && parts.size() <= 3) {
    return Credentials(state, what, sub, body);
  }
  if (what == "tokens" && sub == "expire" && m == "POST") {
    std::int64_t now = state.clock.NowMs();
    for (auto& [token, access] : state.access_tokens) access.expires_ms = now;
    return Ok();
  }
  if (what == "clock") {
    if (m == "POST" && sub == "advance") {
      std::int64_t ms = IntField(ObjectOrEmpty(body), "ms", 0) +
                        IntField(ObjectOrEmpty(body), "seconds", 0) * 1000;
      if (ms < 0) return Bad("the clock only moves forward");
      state.clock.AdvanceMs(ms);
    }
    return Ok(json::object{{"now_ms", state.clock.NowMs()},
                           {"offset_ms", state.clock.offset_ms()},
                           {"now", FormatTime(state.clock.NowMs())}});
  }
  if (what == "settings" && m == "POST") {
    std::string err;
    if (!ApplySeed(state, body, &err)) return Bad(err);
    return Ok(json::object{{"token_ttl_s", state.token_ttl_s},
                           {"change_retention_s", state.change_retention_s}});
  }
  if (what == "faults") {
    if (m == "POST") {
      std::string err;
      auto rule = ParseFaultRule(body, &err);
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
  if (what == "throttle") return SetThrottle(state, request, body);
  if (what == "counters") {
    if (m == "DELETE") {
      state.counters.Clear();
      return Ok();
    }
    return Ok(CountersJson(state));
  }
  if (what == "crm" && m == "GET" && parts.size() == 3) {
    return UploadedRecords(state, sub, request);
  }
  return JsonResponse(json::object{{"error", "unknown control resource"}}, 404);
}

}  // namespace chpeer::rollworks
