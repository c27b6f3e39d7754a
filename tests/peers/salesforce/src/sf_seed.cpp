// Seed loading for the Salesforce peer (file at start-up or POST /__peer/seed); the format is
// documented in ../README.md.
#include <boost/json.hpp>

#include "sf_peer_state.h"
#include "sf_util.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

std::string GetString(const json::object& o, const char* key, const std::string& fallback = "") {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : fallback;
}

bool GetBool(const json::object& o, const char* key, bool fallback) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

bool SeedFields(Schema& schema, const std::string& object, const json::array& fields,
                std::string* error) {
  for (const auto& fv : fields) {
    if (!fv.is_object()) {
      *error = "field definitions must be objects";
      return false;
    }
    const auto& fo = fv.as_object();
    FieldDef f;
    f.name = GetString(fo, "name");
    f.label = GetString(fo, "label", f.name);
    auto type = ParseFieldType(GetString(fo, "type", "string"));
    if (!type) {
      *error = "unknown field type for " + object + "." + f.name;
      return false;
    }
    f.type = *type;
    f.external_id = GetBool(fo, "external_id", false);
    // Salesforce: an External ID field is unique only when declared Unique.
    f.unique = GetBool(fo, "unique", false);
    f.required = GetBool(fo, "required", false);
    f.nillable = !f.required && f.type != FieldType::kBoolean;
    if (f.type == FieldType::kBoolean) f.default_value = false;
    if (auto* d = fo.if_contains("default")) f.default_value = *d;
    if (auto* l = fo.if_contains("length"); l && l->is_number()) f.length = l->to_number<int>();
    if (auto* r = fo.if_contains("reference_to"); r && r->is_string()) {
      f.reference_to.push_back(std::string(r->as_string()));
    }
    if (!schema.AddField(object, std::move(f), error)) return false;
  }
  return true;
}

bool SeedApp(PeerState& state, const json::object& a, std::string* error) {
  ConnectedApp app;
  app.client_id = GetString(a, "client_id");
  if (app.client_id.empty()) {
    *error = "connected app needs client_id";
    return false;
  }
  app.client_secret = GetString(a, "client_secret");
  if (auto* uris = a.if_contains("redirect_uris"); uris && uris->is_array()) {
    for (const auto& u : uris->as_array()) {
      if (u.is_string()) app.redirect_uris.emplace_back(u.as_string());
    }
  }
  app.certificate_pem = GetString(a, "certificate_pem");
  app.default_scope = GetString(a, "scope", app.default_scope);
  app.run_as_username = GetString(a, "run_as");
  app.admin_approved_only = GetBool(a, "admin_approved_only", false);
  app.require_secret_for_refresh = GetBool(a, "require_secret_for_refresh", true);
  if (auto* users = a.if_contains("approved_usernames"); users && users->is_array()) {
    for (const auto& u : users->as_array()) {
      if (u.is_string()) app.approved_usernames.insert(ToLower(u.as_string()));
    }
  }
  if (auto* p = a.if_contains("refresh_policy")) {
    auto policy = ParseRefreshPolicy(*p, error);
    if (!policy) return false;
    app.refresh_policy = *policy;
  }
  state.oauth.apps[app.client_id] = std::move(app);
  return true;
}

}  // namespace

bool ApplySeed(PeerState& state, const json::value& seed, std::string* error) {
  const auto* root = seed.if_object();
  if (!root) {
    *error = "seed must be a JSON object";
    return false;
  }
  DataStore& store = state.store;
  if (auto* org = root->if_contains("org"); org && org->is_object()) {
    std::string id = GetString(org->as_object(), "id");
    if (!id.empty()) {
      auto norm = NormalizeId(id);
      if (!norm || norm->substr(0, 3) != "00D") {
        *error = "org.id must be a 15/18-character ID starting with 00D";
        return false;
      }
      if (const ObjectDef* o = store.schema().Find("Organization")) store.Purge(*o, state.org_id);
      state.org_id = *norm;
    }
    state.org_name = GetString(org->as_object(), "name", state.org_name);
    state.org_type = GetString(org->as_object(), "organization_type", state.org_type);
    if (const json::value* sandbox = org->as_object().if_contains("is_sandbox")) {
      if (!sandbox->is_bool()) {
        *error = "org.is_sandbox must be true or false";
        return false;
      }
      state.org_is_sandbox = sandbox->as_bool();
    }
  }
  if (const ObjectDef* o = store.schema().Find("Organization")) {
    store.Purge(*o, state.org_id);
    store.Create(*o,
                 json::object{{"Id", state.org_id},
                              {"Name", state.org_name},
                              {"OrganizationType", state.org_type},
                              {"InstanceName", state.org_is_sandbox ? "CS1" : "PEER1"},
                              {"IsSandbox", state.org_is_sandbox}},
                 "", true);
  }
  if (auto* v = root->if_contains("session_timeout_s"); v && v->is_number()) {
    state.oauth.session_timeout_s = v->to_number<std::int64_t>();
  }
  if (auto* v = root->if_contains("daily_api_max"); v && v->is_number()) {
    state.daily_api_max = v->to_number<std::int64_t>();
  }
  if (auto* objs = root->if_contains("custom_objects"); objs && objs->is_array()) {
    for (const auto& ov : objs->as_array()) {
      if (!ov.is_object()) continue;
      const auto& oo = ov.as_object();
      std::string name = GetString(oo, "name");
      if (!store.schema().AddCustomObject(name, GetString(oo, "label", name), error)) return false;
      if (auto* fields = oo.if_contains("fields"); fields && fields->is_array()) {
        if (!SeedFields(store.schema(), name, fields->as_array(), error)) return false;
      }
    }
  }
  if (auto* cf = root->if_contains("custom_fields"); cf && cf->is_object()) {
    for (const auto& [object, fields] : cf->as_object()) {
      if (!fields.is_array() ||
          !SeedFields(store.schema(), std::string(object), fields.as_array(), error)) {
        if (error->empty()) *error = "custom_fields." + std::string(object) + " must be an array";
        return false;
      }
    }
  }
  if (auto* users = root->if_contains("users"); users && users->is_array()) {
    const ObjectDef* user_def = store.schema().Find("User");
    for (const auto& uv : users->as_array()) {
      if (!uv.is_object()) continue;
      json::object fields = uv.as_object();
      std::string password = GetString(fields, "password");
      fields.erase("password");
      auto created = store.Create(*user_def, fields, "", true);
      if (auto* err = std::get_if<RecordError>(&created)) {
        *error = "user " + GetString(fields, "Username") + ": " + err->message;
        return false;
      }
      std::string username = ToLower(GetString(fields, "Username"));
      if (!password.empty()) state.oauth.passwords[username] = password;
      if (store.default_user_id().empty())
        store.set_default_user_id(std::get<std::string>(created));
      if (state.login_username.empty()) state.login_username = username;
    }
  }
  if (auto* v = root->if_contains("login_username"); v && v->is_string()) {
    state.login_username = std::string(v->as_string());
  }
  if (auto* apps = root->if_contains("connected_apps"); apps && apps->is_array()) {
    for (const auto& av : apps->as_array()) {
      if (!av.is_object() || !SeedApp(state, av.as_object(), error)) {
        if (error->empty()) *error = "connected app must be an object";
        return false;
      }
    }
  }
  if (auto* records = root->if_contains("records"); records && records->is_object()) {
    for (const auto& [type, list] : records->as_object()) {
      const ObjectDef* object = store.schema().Find(type);
      if (!object || !list.is_array()) {
        *error = "records." + std::string(type) + ": unknown object or not an array";
        return false;
      }
      for (const auto& rv : list.as_array()) {
        if (!rv.is_object()) continue;
        auto created = store.Create(*object, rv.as_object(), "", true);
        if (auto* err = std::get_if<RecordError>(&created)) {
          *error = "records." + std::string(type) + ": " + err->message;
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace chpeer::sf
