// Down, contacts: RollWorks' contacts change feed (kv "down/contacts/cursor") onto the summary
// field of the linked Salesforce Contact or Lead (`contact_journey_stage_field`, by Id =
// contact_external_id, sObject Collections update). Entries RollWorks has not linked to a CRM
// record are counted as `unlinked`: there is nothing in Salesforce to write to. Refusals are
// logged and counted; the next change of that contact writes it again.
#include "rollworks_connector.hpp"

namespace rollworks {

DownCounts RollworksConnector::sync_contacts(chp::Call& call, chp::salesforce::Client& sf,
                                             RollworksClient& rw) {
  DownCounts counts;
  if (config_.contact_journey_stage_field.empty()) return counts;
  read_feed(call, rw, "contacts", kDownContactsCursorKey, counts,
            [&](const boost::json::array& entries, chp::Transaction&) {
              std::map<std::string, boost::json::array> by_kind;  // "Contact" / "Lead"
              for (const boost::json::value& v : entries) {
                if (!v.is_object()) continue;
                const boost::json::object& e = v.as_object();
                ++counts.received;
                const boost::json::value* id = e.if_contains("contact_external_id");
                const boost::json::value* kind = e.if_contains("kind");
                if (id == nullptr || !id->is_string() || kind == nullptr || !kind->is_string()) {
                  ++counts.unlinked;
                  continue;
                }
                const boost::json::value* stage = e.if_contains("journey_stage");
                by_kind[kind->as_string() == "lead" ? "Lead" : "Contact"].push_back(
                    boost::json::object{{"Id", *id},
                                        {config_.contact_journey_stage_field,
                                         stage != nullptr ? *stage : boost::json::value(nullptr)}});
              }
              for (const auto& [object, records] : by_kind) {
                const std::vector<chp::salesforce::RecordResult> results =
                    sf.composite_update(object, records, false);
                for (std::size_t i = 0; i < results.size(); ++i) {
                  if (results[i].success) {
                    ++counts.upserted;
                    continue;
                  }
                  ++counts.record_errors;
                  ctx_.log(chp::LogLevel::kWarn,
                           object + " " + std::string(records[i].as_object().at("Id").as_string()) +
                               " journey stage refused by Salesforce: " + results[i].error_text());
                }
              }
            });
  return counts;
}

}  // namespace rollworks
