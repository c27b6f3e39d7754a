// The rollworks preflight: one refusal that names every missing item at once, so the admin
// fixes the user in one go instead of one sync failure per permission.
#include "preflight.hpp"

#include <connector_host/sdk/error.hpp>

namespace rollworks {

chp::salesforce::Requirements rollworks_requirements() {
  chp::salesforce::Requirements r;
  r.system = {"ViewAllUsers", "ManageProfilesPermissionsets", "ViewRoles", "ViewSetup",
              "ApiEnabled"};
  for (const char* object : {"Account", "Opportunity", "Contact", "Lead", "Campaign", "Task"}) {
    for (const char* perm : {"ViewAllRecords", "Read", "Create", "Edit", "ModifyAllRecords"}) {
      r.objects.emplace_back(object, perm);
    }
  }
  r.permission_sets = {kRollworksPermissionSet};
  return r;
}

Preflight evaluate_user(const chp::salesforce::UserRecord& user,
                        const chp::salesforce::UserPermissions& permissions) {
  Preflight out;
  out.username = user.username.empty() ? user.id : user.username;
  // The permission set first: it is what the RollWorks install guide has the admin assign.
  chp::salesforce::Requirements req = rollworks_requirements();
  const std::vector<std::string> perms = req.missing(permissions);
  for (const std::string& m : perms) {
    if (m.starts_with("permission set ")) out.missing.push_back(m);
  }
  for (const std::string& m : perms) {
    if (!m.starts_with("permission set ")) out.missing.push_back(m);
  }
  if (user.licence_key != chp::salesforce::kFullSalesforceLicenceKey) {
    out.missing.push_back("a full Salesforce licence (the user has " +
                          (user.licence.empty() ? std::string("none") : user.licence) + ")");
  }
  const bool named_like_integration =
      chp::salesforce::looks_like_integration_user(user.username, user.name, user.user_type);
  if (!named_like_integration || !user.manager_id.empty()) {
    out.warning = "the Salesforce user " + out.username +
                  " looks like a person, not a dedicated integration user (" +
                  (named_like_integration ? "it has a manager" : "its name does not say so") +
                  "): when that person leaves and the user is deactivated, RollWorks stops "
                  "updating and pushing; authorize a dedicated integration user";
  }
  return out;
}

Preflight check_salesforce_user(chp::salesforce::Client& sf) {
  // A REST call first: a revoked or expired session answers it 401, which refreshes through the
  // host (or ends the sync as auth_revoked); userinfo would answer 403 Bad_OAuth_Token instead.
  sf.query("SELECT Id FROM Organization", [](chp::salesforce::QueryPage&) {});
  const boost::json::value info = sf.get_json("/services/oauth2/userinfo", "userinfo");
  std::string user_id;
  if (const boost::json::object* o = info.if_object()) {
    if (const boost::json::value* v = o->if_contains("user_id"); v && v->is_string()) {
      user_id = std::string(v->as_string());
    }
  }
  if (user_id.empty()) throw chp::PermanentError("userinfo did not name the Salesforce user");
  return evaluate_user(chp::salesforce::read_user_record(sf, user_id),
                       chp::salesforce::read_user_permissions(sf, user_id));
}

}  // namespace rollworks
