// chp::salesforce::read_user_permissions: what a Salesforce user may do, read the way an admin
// would check it: the user's permission set assignments (the profile's own permission set is
// among them, IsOwnedByProfile), the system permissions on those sets and their object
// permissions. A plugin uses it to refuse a connection whose user lacks what the integration
// needs, naming each missing permission (see Requirements::missing).
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_PERMISSIONS_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_PERMISSIONS_HPP_

#include <connector_host/sdk/salesforce/client.hpp>

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chp::salesforce {

// System permissions the reader asks for: the PermissionSet field is "Permissions" + name.
inline constexpr std::pair<const char*, const char*> kSystemPermissions[] = {
    {"ApiEnabled", "API Enabled"},
    {"ViewAllData", "View All Data"},
    {"ModifyAllData", "Modify All Data"},
    {"ViewAllUsers", "View All Users"},
    {"ManageUsers", "Manage Users"},
    {"ManageProfilesPermissionsets", "Manage Profiles and Permission Sets"},
    {"ViewRoles", "View Roles and Role Hierarchy"},
    {"ViewSetup", "View Setup and Configuration"},
};

// Object permissions, as ObjectPermissions names them (field "Permissions" + name).
inline constexpr std::pair<const char*, const char*> kObjectPermissions[] = {
    {"Read", "Read"},     {"Create", "Create"},           {"Edit", "Edit"},
    {"Delete", "Delete"}, {"ViewAllRecords", "View All"}, {"ModifyAllRecords", "Modify All"},
};

struct UserPermissions {
  std::set<std::string> system;                          // e.g. "ApiEnabled"
  std::map<std::string, std::set<std::string>> objects;  // "Task" -> {"Create", "Edit"}
  std::set<std::string> permission_sets;                 // Name and Label of each assigned set

  bool has_system(const std::string& name) const { return system.contains(name); }
  // Modify All Data implies every object permission; View All Data every read.
  bool has_object(const std::string& object, const std::string& perm) const {
    if (system.contains("ModifyAllData")) return true;
    if ((perm == "Read" || perm == "ViewAllRecords") && system.contains("ViewAllData")) {
      return true;
    }
    auto it = objects.find(object);
    return it != objects.end() && it->second.contains(perm);
  }
};

// What an integration needs of the user behind its connection.
struct Requirements {
  std::vector<std::string> system;                           // e.g. "ApiEnabled"
  std::vector<std::pair<std::string, std::string>> objects;  // {"Task", "Create"}
  std::vector<std::string> permission_sets;                  // by Name or Label

  bool empty() const { return system.empty() && objects.empty() && permission_sets.empty(); }

  // The admin's names of what `p` lacks, in the order required: "API Enabled", "Create on
  // Task", "permission set RollWorks Admin".
  std::vector<std::string> missing(const UserPermissions& p) const {
    std::vector<std::string> out;
    for (const std::string& s : system) {
      // Modify All Data includes View All Data.
      if (p.has_system(s) || (s == "ViewAllData" && p.has_system("ModifyAllData"))) continue;
      out.push_back(label(kSystemPermissions, s));
    }
    for (const auto& [object, perm] : objects) {
      if (!p.has_object(object, perm))
        out.push_back(label(kObjectPermissions, perm) + " on " + object);
    }
    for (const std::string& ps : permission_sets) {
      if (!p.permission_sets.contains(ps)) out.push_back("permission set " + ps);
    }
    return out;
  }

  template <std::size_t N>
  static std::string label(const std::pair<const char*, const char*> (&table)[N],
                           const std::string& name) {
    for (const auto& [api, text] : table) {
      if (name == api) return text;
    }
    return name;
  }
};

inline std::string soql_string(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// Reads `user_id`'s permissions with `client` (three queries, more for many assignments).
inline UserPermissions read_user_permissions(Client& client, const std::string& user_id) {
  UserPermissions out;
  std::vector<std::string> sets;
  client.query("SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = " +
                   soql_string(user_id),
               [&](QueryPage& page) {
                 for (const boost::json::value& v : page.records) {
                   if (!v.is_object()) continue;
                   if (const auto* id = v.as_object().if_contains("PermissionSetId");
                       id && id->is_string()) {
                     sets.emplace_back(id->as_string());
                   }
                 }
               });
  auto flag = [](const boost::json::object& o, const std::string& key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr && v->is_bool() && v->as_bool();
  };
  constexpr std::size_t kChunk = 100;
  for (std::size_t i = 0; i < sets.size(); i += kChunk) {
    std::string ids = "(";
    for (std::size_t j = i; j < sets.size() && j < i + kChunk; ++j) {
      ids += (j == i ? "" : ", ") + soql_string(sets[j]);
    }
    ids += ")";
    std::string fields = "Id, Name, Label";
    for (const auto& [api, text] : kSystemPermissions) fields += std::string(", Permissions") + api;
    client.query("SELECT " + fields + " FROM PermissionSet WHERE Id IN " + ids,
                 [&](QueryPage& page) {
                   for (const boost::json::value& v : page.records) {
                     if (!v.is_object()) continue;
                     const boost::json::object& r = v.as_object();
                     for (const char* key : {"Name", "Label"}) {
                       if (const auto* s = r.if_contains(key); s && s->is_string()) {
                         out.permission_sets.emplace(s->as_string());
                       }
                     }
                     for (const auto& [api, text] : kSystemPermissions) {
                       if (flag(r, std::string("Permissions") + api)) out.system.insert(api);
                     }
                   }
                 });
    std::string object_fields = "SobjectType";
    for (const auto& [api, text] : kObjectPermissions) {
      object_fields += std::string(", Permissions") + api;
    }
    client.query("SELECT " + object_fields + " FROM ObjectPermissions WHERE ParentId IN " + ids,
                 [&](QueryPage& page) {
                   for (const boost::json::value& v : page.records) {
                     if (!v.is_object()) continue;
                     const boost::json::object& r = v.as_object();
                     const auto* type = r.if_contains("SobjectType");
                     if (!type || !type->is_string()) continue;
                     auto& perms = out.objects[std::string(type->as_string())];
                     for (const auto& [api, text] : kObjectPermissions) {
                       if (flag(r, std::string("Permissions") + api)) perms.insert(api);
                     }
                   }
                 });
  }
  return out;
}

// The user record behind a connection with its profile and licence (User.ProfileId ->
// Profile.UserLicenseId -> UserLicense), for a licence requirement and the "is this a person?"
// warning.
struct UserRecord {
  std::string id;
  std::string username;
  std::string name;
  std::string user_type;    // Standard, PowerPartner, CsnOnly, ...
  std::string manager_id;   // a person usually has a manager; an integration user does not
  std::string profile;      // Profile.Name
  std::string licence;      // Profile.UserLicense.Name, e.g. "Salesforce"
  std::string licence_key;  // Profile.UserLicense.LicenseDefinitionKey, e.g. "SFDC"
};

// The full Salesforce user licence; the API-only "Salesforce Integration" licence is
// PID_INTEGRATION.
inline constexpr const char* kFullSalesforceLicenceKey = "SFDC";

inline UserRecord read_user_record(Client& client, const std::string& user_id) {
  UserRecord out;
  auto text = [](const boost::json::object* o, std::string_view key) {
    const boost::json::value* v = o != nullptr ? o->if_contains(key) : nullptr;
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto child = [](const boost::json::object* o, std::string_view key) {
    const boost::json::value* v = o != nullptr ? o->if_contains(key) : nullptr;
    return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
  };
  client.query(
      "SELECT Id, Username, Name, UserType, ManagerId, Profile.Name, Profile.UserLicense.Name, "
      "Profile.UserLicense.LicenseDefinitionKey FROM User WHERE Id = " +
          soql_string(user_id),
      [&](QueryPage& page) {
        for (const boost::json::value& v : page.records) {
          if (!v.is_object()) continue;
          const boost::json::object* r = &v.as_object();
          out.id = text(r, "Id");
          out.username = text(r, "Username");
          out.name = text(r, "Name");
          out.user_type = text(r, "UserType");
          out.manager_id = text(r, "ManagerId");
          const boost::json::object* profile = child(r, "Profile");
          out.profile = text(profile, "Name");
          const boost::json::object* licence = child(profile, "UserLicense");
          out.licence = text(licence, "Name");
          out.licence_key = text(licence, "LicenseDefinitionKey");
        }
      });
  if (out.id.empty()) throw PermanentError("Salesforce has no User " + user_id);
  return out;
}

// A dedicated integration user is a Standard user named like one ("integration", "api",
// "svc", "service", "sync" in its username or name). Anything else is taken for a person: when
// that person leaves the company and the user is deactivated, the integration stops.
inline bool looks_like_integration_user(std::string_view username, std::string_view name,
                                        std::string_view user_type) {
  auto lower = [](std::string_view in) {
    std::string out(in);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  if (lower(user_type) != "standard") return false;
  const std::string text = lower(username) + " " + lower(name);
  for (const char* marker : {"integration", "api", "svc", "service", "sync"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_PERMISSIONS_HPP_
