// The rollworks connector's configuration: its JSON Schema (what admins see and the host
// validates) and the parsed, checked form the sync uses.
#ifndef PLUGINS_ROLLWORKS_CONFIG_HPP_
#define PLUGINS_ROLLWORKS_CONFIG_HPP_

#include <connector_host/sdk/salesforce/client.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rollworks {

// The account data target of one mapping version: the custom object and its two key fields
// (the ABM fields, Journey_Stage__c and the rest, are named alike in every version).
struct AccountDataTarget {
  std::int64_t version = 0;
  std::string object;
  std::string external_id_field;
  std::string account_field;
};

// The previous mapping after a mapping change: still written, beside the current one, until
// `until_s` (epoch seconds), so whatever reads the old object (reports, flows) keeps working
// while it moves to the new one; from then on it is no longer written.
struct LegacyAccountDataTarget {
  AccountDataTarget target;
  std::int64_t until_s = 0;
  std::string until;  // as configured, for the status line
};

// The schema's defaults are filled in by the host; none is repeated here.
struct Config {
  std::string rollworks_url;  // no trailing slash
  std::string advertiser_id;
  std::string api_key;                                         // resolved secret; never logged
  std::vector<std::string> objects_up;                         // de-duplicated
  AccountDataTarget account_data;                              // the current mapping version
  std::optional<LegacyAccountDataTarget> legacy_account_data;  // dual-written until its date
  std::string contact_journey_stage_field;                     // "": contacts off
  std::int64_t overlap_seconds = 0;
  std::uint32_t page_size_records = 0;  // RollWorks batch and change-feed page size
  // Per-record refusals (either direction) wait in the host outbox: retried at later syncs,
  // the first after outbox_retry_backoff_s, each wait twice the last (at most a day), and
  // parked for an admin after outbox_max_attempts refusals.
  std::int64_t outbox_max_attempts = 0;
  std::int64_t outbox_retry_backoff_s = 0;
  // The Salesforce client of the connection this connector uses: the configured api_version,
  // the SDK's defaults for the rest.
  chp::salesforce::ClientOptions salesforce;
};

// `config` as the host hands it over: validated, with the schema's defaults. Throws
// chp::ConfigError naming the field for what the schema cannot say.
Config parse_config(const boost::json::object& config);

extern const char kConfigSchemaJson[];

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_CONFIG_HPP_
