// The account data mapping and its versions: which custom objects a sync writes the RollWorks
// accounts feed into, and how one feed entry becomes a record of such an object. After a
// mapping change (account_data_mapping_version raised, account_data_legacy naming the
// previous target) both targets are written until the legacy target's `until`, then only the
// current one: reports and flows built on the old object keep working while they move (what
// RollWorks did for its legacy objects in 2024).
#ifndef PLUGINS_ROLLWORKS_MAPPING_HPP_
#define PLUGINS_ROLLWORKS_MAPPING_HPP_

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"

namespace rollworks {

// The targets written at `now_s` (epoch seconds): the current one first, then the legacy one
// while its dual-write period lasts.
std::vector<const AccountDataTarget*> written_account_data_targets(const Config& config,
                                                                   std::int64_t now_s);
// The legacy target whose dual-write period is over at `now_s`, or nullptr.
const LegacyAccountDataTarget* ended_legacy_target(const Config& config, std::int64_t now_s);

// The record of `target` for one entry of the RollWorks accounts feed (keyed by the RollWorks
// account id, linked to the Salesforce Account RollWorks matched, or unlinked: null).
boost::json::object account_data_record(const AccountDataTarget& target,
                                        const boost::json::object& feed_entry);

// What the mapping does at `now_s`, for the status line and the summary:
// "account data mapping v2 → RollWorks_ABM_Account__c; also v1 → RollWorks_Account_Data__c
// until 2027-01-31T00:00:00Z" or "...; v1 → RollWorks_Account_Data__c no longer written (dual
// write ended 2027-01-31T00:00:00Z)".
std::string mapping_status(const Config& config, std::int64_t now_s);
boost::json::object mapping_summary(const Config& config, std::int64_t now_s);

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_MAPPING_HPP_
