// Down, contacts: RollWorks' contacts change feed (kv "down/contacts/cursor") onto the summary
// field of the linked Salesforce Contact or Lead (`contact_journey_stage_field`, by Id =
// contact_external_id, sObject Collections update). Entries RollWorks has not linked to a CRM
// record are counted as `unlinked`: there is nothing in Salesforce to write to. A refused
// write waits in the outbox (outbox.hpp; collection "Contact" or "Lead", id = the Salesforce
// Id) in the page's transaction; due entries are retried before the feed is read, and a newer
// feed entry of the same contact replaces the waiting one.
#include "rollworks_connector.hpp"

namespace rollworks {

DownCounts RollworksConnector::sync_contacts(chp::Call& call, chp::salesforce::Client& sf,
                                             RollworksClient& rw, RecordOutbox& outbox) {
  DownCounts counts;
  if (config_.contact_journey_stage_field.empty()) return counts;
  const auto write = [&](const std::string& object, const boost::json::array& records) {
    const std::vector<chp::salesforce::RecordResult> results =
        sf.composite_update(object, records, false);
    std::vector<std::string> errors(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i < results.size() && results[i].success) continue;
      errors[i] = object + " " + std::string(records[i].as_object().at("Id").as_string()) +
                  " journey stage refused by Salesforce: " +
                  (i < results.size() ? results[i].error_text() : "no result");
    }
    return errors;
  };
  for (const std::string object : {"Contact", "Lead"}) {
    outbox.retry(
        object, kOutboxBatchEntries,
        [&](const boost::json::array& records) { return write(object, records); }, counts.outbox);
  }
  read_feed(call, rw, "contacts", kDownContactsCursorKey, counts,
            [&](const boost::json::array& entries, chp::Transaction& txn) {
              std::map<std::string, boost::json::array> by_kind;  // "Contact" / "Lead"
              for (const boost::json::value& v : entries) {
                if (!v.is_object()) continue;
                const boost::json::object& e = v.as_object();
                ++counts.received;
                const boost::json::value* id = e.if_contains("contact_external_id");
                const boost::json::value* kind = e.if_contains("kind");
                if (id == nullptr || !id->is_string() || id->as_string().empty() ||
                    kind == nullptr || !kind->is_string()) {
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
                const std::vector<std::string> errors = write(object, records);
                for (std::size_t i = 0; i < records.size(); ++i) {
                  const std::string id(records[i].as_object().at("Id").as_string());
                  outbox.supersede(txn, object, id, counts.outbox);
                  if (errors[i].empty()) {
                    ++counts.upserted;
                    continue;
                  }
                  ++counts.record_errors;
                  outbox.add(txn, object, id, records[i], errors[i]);
                }
              }
            });
  return counts;
}

}  // namespace rollworks
