// ApplySeed: the seed format of README.md (tenant, token lifetime, limits, apps, users,
// mailboxes with folders, messages and events), validated as it is applied.
#include <boost/json.hpp>

#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

}  // namespace

bool ParseApp(const json::value& value, App* app, std::string* error) {
  const json::object* o = value.if_object();
  if (!o) return Fail(error, "an app must be an object");
  app->client_id = Str(*o, "client_id");
  app->client_secret = Str(*o, "client_secret");
  app->display_name = Str(*o, "display_name", app->client_id);
  if (app->client_id.empty() || app->client_secret.empty()) {
    return Fail(error, "an app needs client_id and client_secret");
  }
  const json::value* scope = o->if_contains("scoped_mailboxes");
  app->all_mailboxes = !scope || (scope->is_string() && scope->as_string() == "all");
  app->scoped_mailboxes.clear();
  if (scope && scope->is_array()) {
    for (const auto& m : scope->as_array()) {
      if (!m.is_string()) return Fail(error, "scoped_mailboxes must be \"all\" or strings");
      app->scoped_mailboxes.emplace_back(m.as_string());
    }
  } else if (scope && !app->all_mailboxes) {
    return Fail(error, "scoped_mailboxes must be \"all\" or an array");
  }
  std::string mechanism = Str(*o, "scope_mechanism", "application_access_policy");
  if (mechanism == "application_access_policy") {
    app->scope_mechanism = ScopeMechanism::kApplicationAccessPolicy;
  } else if (mechanism == "rbac") {
    app->scope_mechanism = ScopeMechanism::kRbacForApplications;
  } else {
    return Fail(error, "scope_mechanism must be application_access_policy or rbac");
  }
  return true;
}

bool ApplySeed(PeerState& state, const json::value& seed, std::string* error) {
  const json::object* root = seed.if_object();
  if (!root) return Fail(error, "seed must be a JSON object");
  try {
    if (const json::value* t = root->if_contains("tenant")) {
      const json::object& tenant = t->as_object();
      state.tenant_id = Str(tenant, "id", state.tenant_id);
      if (const json::value* d = tenant.if_contains("domains")) {
        state.tenant_domains.clear();
        for (const auto& domain : d->as_array()) {
          state.tenant_domains.emplace_back(domain.as_string());
        }
      }
    }
    state.auth.token_lifetime_s = Int(*root, "token_lifetime_s", state.auth.token_lifetime_s);
    if (state.auth.token_lifetime_s <= 0) return Fail(error, "token_lifetime_s must be > 0");
    if (const json::value* l = root->if_contains("limits")) {
      const json::object& limits = l->as_object();
      ThrottleLimits& out = state.governor.limits;
      out.mailbox_concurrency =
          static_cast<int>(Int(limits, "mailbox_concurrency", out.mailbox_concurrency));
      out.window_requests = Int(limits, "window_requests", out.window_requests);
      out.window_s = Int(limits, "window_s", out.window_s);
      if (out.mailbox_concurrency < 1 || out.window_requests < 1 || out.window_s < 1) {
        return Fail(error, "limits must be >= 1");
      }
    }
    if (const json::value* apps = root->if_contains("apps")) {
      for (const auto& item : apps->as_array()) {
        App app;
        if (!ParseApp(item, &app, error)) return false;
        state.auth.apps()[app.client_id] = std::move(app);
      }
    }
    if (const json::value* users = root->if_contains("users")) {
      for (const auto& item : users->as_array()) {
        const json::object& o = item.as_object();
        User user;
        user.id = Str(o, "id");
        user.user_principal_name = Str(o, "userPrincipalName");
        user.mail = Str(o, "mail");
        user.display_name = Str(o, "displayName");
        if (const json::value* v = o.if_contains("accountEnabled")) {
          user.account_enabled = v->as_bool();
        }
        if (const json::value* v = o.if_contains("hasMailbox")) user.has_mailbox = v->as_bool();
        for (const auto& [k, v] : o) {
          if (k != "id" && k != "userPrincipalName" && k != "mail" && k != "displayName" &&
              k != "accountEnabled" && k != "hasMailbox") {
            user.extra[k] = v;
          }
        }
        if (!state.store.AddUser(std::move(user), error)) return false;
      }
    }
    if (const json::value* mailboxes = root->if_contains("mailboxes")) {
      for (const auto& item : mailboxes->as_array()) {
        const json::object& o = item.as_object();
        std::string key = Str(o, "user");
        const User* user = state.store.FindUser(key);
        if (!user || !state.store.FindMailbox(user->id)) {
          return Fail(error, "mailbox for unknown user (or user without mailbox) '" + key + "'");
        }
        std::string user_id = user->id;
        if (const json::value* folders = o.if_contains("folders")) {
          for (const auto& f : folders->as_array()) {
            const json::object& folder = f.as_object();
            std::string folder_id = Str(folder, "wellKnownName");
            if (folder_id.empty()) {
              std::string name = Str(folder, "displayName");
              if (name.empty()) return Fail(error, "a folder needs wellKnownName or displayName");
              auto id = state.store.AddFolder(user_id, name, Str(folder, "id"), error);
              if (!id) return false;
              folder_id = *id;
            }
            if (const json::value* messages = folder.if_contains("messages")) {
              for (const auto& m : messages->as_array()) {
                if (!state.store.AddMessage(user_id, folder_id, m.as_object(), error)) {
                  return false;
                }
              }
            }
          }
        }
        if (const json::value* events = o.if_contains("events")) {
          for (const auto& e : events->as_array()) {
            if (!state.store.AddEvent(user_id, e.as_object(), error)) return false;
          }
        }
      }
    }
  } catch (const std::exception& e) {
    return Fail(error, std::string("malformed seed: ") + e.what());
  }
  return true;
}

}  // namespace chpeer::graph
