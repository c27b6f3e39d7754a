// What RollWorks needs of the Salesforce user behind the connection it `uses:`, checked before
// every sync pushes or reads anything: the "RollWorks Admin" permission set; View All, Read,
// Create, Edit and Modify All on Account, Opportunity, Contact, Lead, Campaign and Task; View
// All Users, Manage Profiles and Permission Sets, View Roles and Role Hierarchy, View Setup and
// Configuration, API Enabled; and a full Salesforce licence (the API-only Salesforce
// Integration licence does not carry RollWorks' managed package).
#ifndef PLUGINS_ROLLWORKS_PREFLIGHT_HPP_
#define PLUGINS_ROLLWORKS_PREFLIGHT_HPP_

#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/salesforce/permissions.hpp>

#include <string>
#include <vector>

namespace rollworks {

inline constexpr const char* kRollworksPermissionSet = "RollWorks Admin";

struct Preflight {
  std::string username;
  std::vector<std::string> missing;  // in the order of the list above; empty: all there
  std::string warning;               // the user looks like a person; empty otherwise
};

chp::salesforce::Requirements rollworks_requirements();

// The user's missing items (and the warning) from what Salesforce says of them.
Preflight evaluate_user(const chp::salesforce::UserRecord& user,
                        const chp::salesforce::UserPermissions& permissions);

// userinfo names the user; then their record, profile, licence and permissions (6 calls).
Preflight check_salesforce_user(chp::salesforce::Client& sf);

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_PREFLIGHT_HPP_
