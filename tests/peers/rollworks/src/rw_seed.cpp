// Seeding the RollWorks peer from JSON (start-up file, inline seed or POST /__peer/seed): see
// README.md for the format. Keys are applied in a fixed order so lists exist before accounts.
#include <functional>

#include <boost/json.hpp>

#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {
namespace {

namespace json = boost::json;

// advertiser_ids of a credential; every known advertiser when the seed leaves it out.
bool AdvertiserIds(const PeerState& state, const json::object& o, std::set<std::string>* out,
                   std::string* error) {
  const json::value* v = o.if_contains("advertiser_ids");
  if (!v) {
    for (const auto& [id, adv] : state.advertisers) out->insert(id);
    return true;
  }
  if (!v->is_array()) {
    *error = "advertiser_ids must be an array";
    return false;
  }
  for (const auto& id : v->as_array()) {
    if (!id.is_string()) {
      *error = "advertiser_ids must hold strings";
      return false;
    }
    out->insert(std::string(id.as_string()));
  }
  return true;
}

const json::array* Array(const json::object& seed, const char* key, std::string* error) {
  const json::value* v = seed.if_contains(key);
  if (!v) return nullptr;
  if (!v->is_array()) {
    *error = std::string(key) + " must be an array";
    return nullptr;
  }
  return &v->as_array();
}

bool Each(const json::object& seed, const char* key, std::string* error,
          const std::function<bool(const json::object&)>& apply) {
  const json::array* items = Array(seed, key, error);
  if (!items) return error->empty();
  for (const auto& item : *items) {
    if (!item.is_object()) {
      *error = std::string(key) + " entries must be objects";
      return false;
    }
    if (!apply(item.as_object())) {
      *error = std::string(key) + ": " + *error;
      return false;
    }
  }
  return true;
}

bool SeedAccount(PeerState& state, const json::object& o, std::string* error) {
  Advertiser* advertiser = state.AdvertiserFor(o, error);
  if (!advertiser) return false;
  auto domain = NormalizeDomain(StringField(o, "domain"));
  if (!domain) {
    *error = "account needs a valid domain, got '" + StringField(o, "domain") + "'";
    return false;
  }
  AbmAccount* account = advertiser->FindAccountByDomain(*domain);
  if (!account) {
    std::string id = StringField(o, "id", state.NewAccountId());
    account = &advertiser->accounts[id];
    account->id = id;
    account->domain = *domain;
  }
  if (o.contains("external_id")) {
    std::string ext = StringField(o, "external_id");
    account->external_id = ext.empty() ? std::nullopt : std::optional<std::string>(ext);
  }
  bool changed = false;
  if (!ApplyAbmFields(state, *advertiser, *account, o, &changed, error)) return false;
  advertiser->Touch(*account, state.clock.NowMs());
  return true;
}

bool SeedContact(PeerState& state, const json::object& o, std::string* error) {
  Advertiser* advertiser = state.AdvertiserFor(o, error);
  if (!advertiser) return false;
  std::string email = ToLower(StringField(o, "email"));
  if (!IsValidEmail(email)) {
    *error = "contact needs a valid email, got '" + email + "'";
    return false;
  }
  AbmContact* contact = advertiser->FindContactByEmail(email);
  if (!contact) {
    std::string id = StringField(o, "id", state.NewContactId());
    contact = &advertiser->contacts[id];
    contact->id = id;
    contact->email = email;
  }
  bool changed = false;
  if (!ApplyContactAbmFields(*contact, o, &changed, error)) return false;
  advertiser->Touch(*contact, state.clock.NowMs());
  return true;
}

}  // namespace

bool ApplySeed(PeerState& state, const json::value& seed_value, std::string* error) {
  const auto* seed = seed_value.if_object();
  if (!seed) {
    *error = "seed must be a JSON object";
    return false;
  }
  error->clear();
  std::int64_t now = state.clock.NowMs();
  for (const char* key : {"token_ttl_s", "change_retention_s"}) {
    if (const json::value* v = seed->if_contains(key)) {
      if (!v->is_int64() || v->as_int64() <= 0) {
        *error = std::string(key) + " must be a positive integer";
        return false;
      }
      (std::string(key) == "token_ttl_s" ? state.token_ttl_s : state.change_retention_s) =
          v->as_int64();
    }
  }
  bool ok = Each(*seed, "advertisers", error,
                 [&](const json::object& o) {
                   std::string id = StringField(o, "id");
                   if (id.empty()) {
                     *error = "advertiser needs an id";
                     return false;
                   }
                   Advertiser& adv = state.advertisers[id];
                   if (adv.id.empty()) adv.created_ms = now;
                   adv.id = id;
                   adv.name = StringField(o, "name", adv.name.empty() ? id : adv.name);
                   adv.status = StringField(o, "status", adv.status);
                   adv.time_zone = StringField(o, "time_zone", adv.time_zone);
                   adv.currency = StringField(o, "currency", adv.currency);
                   return true;
                 }) &&
            Each(*seed, "api_keys", error,
                 [&](const json::object& o) {
                   ApiKey key;
                   key.key = StringField(o, "key");
                   key.active = BoolField(o, "active", true);
                   if (key.key.empty()) {
                     *error = "api key needs a key";
                     return false;
                   }
                   if (!AdvertiserIds(state, o, &key.advertiser_ids, error)) return false;
                   state.api_keys[key.key] = std::move(key);
                   return true;
                 }) &&
            Each(*seed, "oauth_clients", error,
                 [&](const json::object& o) {
                   OAuthClient client;
                   client.client_id = StringField(o, "client_id");
                   client.client_secret = StringField(o, "client_secret");
                   client.scope = StringField(o, "scope", client.scope);
                   client.active = BoolField(o, "active", true);
                   if (client.client_id.empty() || client.client_secret.empty()) {
                     *error = "oauth client needs client_id and client_secret";
                     return false;
                   }
                   if (!AdvertiserIds(state, o, &client.advertiser_ids, error)) return false;
                   state.oauth_clients[client.client_id] = std::move(client);
                   return true;
                 }) &&
            Each(*seed, "account_lists", error,
                 [&](const json::object& o) {
                   Advertiser* adv = state.AdvertiserFor(o, error);
                   if (!adv) return false;
                   std::string id = StringField(o, "id");
                   std::string type = StringField(o, "type", "static");
                   if (id.empty() || (type != "static" && type != "dynamic")) {
                     *error = "account list needs an id and type static|dynamic";
                     return false;
                   }
                   AccountList& list = adv->lists[id];
                   if (list.id.empty()) list.created_ms = now;
                   list.id = id;
                   list.name = StringField(o, "name", id);
                   list.type = type;
                   list.updated_ms = now;
                   return true;
                 }) &&
            Each(*seed, "accounts", error,
                 [&](const json::object& o) { return SeedAccount(state, o, error); }) &&
            Each(*seed, "contacts", error,
                 [&](const json::object& o) { return SeedContact(state, o, error); });
  return ok;
}

}  // namespace chpeer::rollworks
