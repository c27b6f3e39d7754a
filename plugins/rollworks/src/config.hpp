// The rollworks connector's configuration: its JSON Schema (what admins see and the host
// validates) and the parsed, checked form the sync uses.
#ifndef PLUGINS_ROLLWORKS_CONFIG_HPP_
#define PLUGINS_ROLLWORKS_CONFIG_HPP_

#include <connector_host/sdk/salesforce/client.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace rollworks {

struct Config {
  std::string rollworks_url = "https://api.rollworks.com";  // no trailing slash
  std::string advertiser_id;
  std::string api_key;  // resolved secret; never logged
  std::vector<std::string> objects_up = {"Account", "Contact", "Lead", "Opportunity", "Campaign"};
  std::string account_data_object = "RollWorks_Account_Data__c";
  std::string account_data_external_id_field = "RollWorks_Account_Id__c";
  std::string account_data_account_field = "Account__c";
  std::string contact_journey_stage_field = "RollWorks_Journey_Stage__c";  // "": contacts off
  std::int64_t overlap_seconds = 300;
  std::uint32_t page_size_records = 500;  // RollWorks batch and change-feed page size
  std::string api_version = "59.0";

  chp::salesforce::ClientOptions client_options() const;
};

// Throws chp::ConfigError naming the field.
Config parse_config(const boost::json::object& config);

extern const char kConfigSchemaJson[];

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_CONFIG_HPP_
