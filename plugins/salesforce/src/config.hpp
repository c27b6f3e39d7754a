// The salesforce connector's configuration: its JSON Schema (what admins see and the host
// validates) and the parsed, checked form the hooks use.
#ifndef PLUGINS_SALESFORCE_CONFIG_HPP_
#define PLUGINS_SALESFORCE_CONFIG_HPP_

#include <connector_host/sdk/connector.hpp>
#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/salesforce/oauth.hpp>
#include <connector_host/sdk/salesforce/permissions.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfplugin {

enum class AuthFlow { kWebServer = 1, kJwtBearer, kClientCredentials };

struct ObjectSpec {
  std::string name;                 // sObject API name, e.g. Account, Foo__c
  std::vector<std::string> fields;  // always includes Id, SystemModstamp, IsDeleted
  std::string where;                // optional extra SOQL condition, ANDed with the checkpoint
};

// The schema's defaults are filled in by the host; none is repeated here.
struct Config {
  chp::salesforce::OAuthApp app;
  AuthFlow auth_flow = AuthFlow::kWebServer;
  std::string username;          // jwt_bearer
  std::string private_key_file;  // jwt_bearer; the file is the secret
  std::string scopes;
  std::string api_version;
  bool revoke_on_disable = false;
  std::vector<ObjectSpec> objects;
  std::int64_t overlap_seconds = 0;
  std::uint32_t page_size_records = 0;
  std::int64_t bulk_threshold_records = 0;  // full loads this large use Bulk API 2.0; 0 = never
  std::uint32_t bulk_page_records = 0;      // Bulk result set size (maxRecords)
  double api_usage_threshold_percent = 0;
  std::int64_t reconcile_every_seconds = 0;       // getDeleted pass per object; 0 = never
  std::int64_t reconcile_full_every_seconds = 0;  // Id-listing pass per object; 0 = never
  bool write_back = false;
  chp::salesforce::Requirements require;  // of the authorizing user, checked at authorize

  chp::salesforce::ClientOptions client_options() const;
};

// `config` as the host hands it over: validated, with the schema's defaults. Throws
// chp::ConfigError naming the field for what the schema cannot say.
Config parse_config(const boost::json::object& config);

// Why `url` cannot be the OAuth login URL (sandbox, My Domain and the others Salesforce
// documents), or std::nullopt when it can.
std::optional<std::string> login_url_problem(std::string_view url);
// The connector's static check (check-config and create): what the schema cannot say.
void validate_config(const boost::json::object& config, chp::ConfigProblems& problems);

extern const char kConfigSchemaJson[];

}  // namespace sfplugin

#endif  // PLUGINS_SALESFORCE_CONFIG_HPP_
