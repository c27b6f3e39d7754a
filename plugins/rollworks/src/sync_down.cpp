// Down: RollWorks -> Salesforce. The accounts change feed is read from the stored cursor
// (kv "down/accounts/cursor") until has_more is false; each page's entries are upserted into
// the account data object by its external id field (= RollWorks account_id) and only then is
// the page's next_cursor committed. A cursor RollWorks no longer knows (410 cursor_expired,
// 400 invalid_cursor) restarts the feed from a full snapshot; the upserts make the re-read
// entries no-ops. Per-record Salesforce refusals are logged and counted.
#include <connector_host/sdk/http/url.hpp>

#include "rollworks_connector.hpp"

namespace rollworks {
namespace {

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

boost::json::value member_or_null(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr ? *v : boost::json::value(nullptr);
}

boost::json::value list_names(const boost::json::object& entry) {
  const boost::json::value* lists = entry.if_contains("account_lists");
  if (lists == nullptr || !lists->is_array() || lists->as_array().empty()) return nullptr;
  std::string out;
  for (const boost::json::value& l : lists->as_array()) {
    if (!l.is_object()) continue;
    const std::string name = str(l.as_object(), "name");
    if (!name.empty()) out += (out.empty() ? "" : "; ") + name;
  }
  return out.empty() ? boost::json::value(nullptr) : boost::json::value(out);
}

}  // namespace

DownCounts RollworksConnector::sync_down(chp::Call& call, chp::salesforce::Client& sf,
                                         RollworksClient& rw) {
  DownCounts counts;
  std::optional<std::string> cursor = ctx_.state_get(kDownCursorKey);
  if (cursor && cursor->empty()) cursor.reset();
  for (std::size_t page_no = 0; page_no < kMaxFeedPages; ++page_no) {
    call.throw_if_cancelled();
    std::string path = "/accounts/changes?limit=" + std::to_string(config_.page_size_records);
    if (cursor) path += "&since_cursor=" + chp::http::url_encode(*cursor);
    RollworksResponse r = rw.get(path);
    if (!r.ok()) {
      const bool stale = r.status == 410 || (r.status == 400 && r.code == "invalid_cursor");
      if (stale && cursor && counts.resyncs == 0) {
        ctx_.log(chp::LogLevel::kInfo, "RollWorks accounts feed: cursor no longer valid (" +
                                           r.error_text() + "), re-reading a full snapshot");
        ++counts.resyncs;
        cursor.reset();
        continue;
      }
      counts.failure = "accounts feed: " + r.error_text();
      return counts;
    }
    boost::json::array records;
    if (const boost::json::value* data = r.body.if_contains("data"); data && data->is_array()) {
      for (const boost::json::value& v : data->as_array()) {
        if (!v.is_object()) continue;
        const boost::json::object& e = v.as_object();
        const std::string account_id = str(e, "account_id");
        if (account_id.empty()) continue;
        ++counts.received;
        boost::json::object rec{
            {config_.account_data_external_id_field, account_id},
            {config_.account_data_account_field, member_or_null(e, "account_external_id")},
            {"Journey_Stage__c", member_or_null(e, "journey_stage")},
            {"ICP_Fit_Grade__c", member_or_null(e, "icp_fit_grade")},
            {"Intent_Score__c", member_or_null(e, "intent_score")},
            {"Account_Lists__c", list_names(e)},
            {"Ad_Impressions_30d__c", member_or_null(e, "ad_impressions_30d")},
            {"Ad_Clicks_30d__c", member_or_null(e, "ad_clicks_30d")}};
        records.push_back(std::move(rec));
      }
    }
    if (!records.empty()) {
      const std::vector<chp::salesforce::RecordResult> results = sf.composite_upsert(
          config_.account_data_object, config_.account_data_external_id_field, records, false);
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].success) {
          ++counts.upserted;
          continue;
        }
        ++counts.record_errors;
        ctx_.log(chp::LogLevel::kWarn,
                 config_.account_data_object + " " +
                     str(records[i].as_object(), config_.account_data_external_id_field) +
                     " refused by Salesforce: " + results[i].error_text());
      }
    }
    const std::string next = str(r.body, "next_cursor");
    if (next.empty()) {
      counts.failure = "accounts feed: a page without next_cursor";
      return counts;
    }
    chp::Transaction txn = ctx_.begin();
    txn.put(kDownCursorKey, next);
    txn.commit();
    cursor = next;
    const boost::json::value* more = r.body.if_contains("has_more");
    if (more == nullptr || !more->is_bool() || !more->as_bool()) return counts;
  }
  counts.failure = "accounts feed: more than " + std::to_string(kMaxFeedPages) +
                   " pages in one sync; continuing next sync";
  return counts;
}

}  // namespace rollworks
