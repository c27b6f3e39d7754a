// Down: RollWorks -> Salesforce. The accounts change feed is read from the stored cursor
// (kv "down/accounts/cursor") until has_more is false; each page's entries are upserted into
// the account data object by its external id field (= RollWorks account_id) and only then is
// the page's next_cursor committed. A cursor RollWorks no longer knows (410 cursor_expired,
// 400 invalid_cursor) restarts the feed from a full snapshot; the upserts make the re-read
// entries no-ops.
//
// A record Salesforce refuses is never dropped: it goes into the host outbox (collection = the
// account data object, id = the RollWorks account id) in the same transaction as the page's
// cursor, with the refusal logged. Each later sync retries the pending entries before reading
// the feed (oldest first, so a newer feed entry for the account still wins); a success removes
// the entry, a refusal counts an attempt (kv "outbox/attempts/<entry>"), and after
// kMaxRecordAttempts the entry is parked with Salesforce's error for an admin to see and retry
// (outbox state=failed). A later successful write of the same account retires its entry.
#include <connector_host/sdk/http/url.hpp>

#include <map>

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

std::string attempts_key(std::int64_t entry_id) {
  return "outbox/attempts/" + std::to_string(entry_id);
}

}  // namespace

std::map<std::string, std::int64_t> RollworksConnector::retry_outbox(chp::salesforce::Client& sf,
                                                                     DownCounts& counts) {
  std::map<std::string, std::int64_t> pending;  // RollWorks account id -> entry id
  std::vector<chp::OutboxEntry> entries;
  for (chp::OutboxEntry& e : ctx_.outbox_pending(kOutboxBatchEntries)) {
    if (e.collection == config_.account_data_object && e.record.is_object()) {
      entries.push_back(std::move(e));
    }
  }
  if (entries.empty()) return pending;
  boost::json::array records;
  for (const chp::OutboxEntry& e : entries) records.push_back(e.record);
  const std::vector<chp::salesforce::RecordResult> results = sf.composite_upsert(
      config_.account_data_object, config_.account_data_external_id_field, records, false);
  chp::Transaction txn = ctx_.begin();
  for (std::size_t i = 0; i < entries.size() && i < results.size(); ++i) {
    const chp::OutboxEntry& e = entries[i];
    const std::string key = attempts_key(e.entry_id);
    if (results[i].success) {
      ++counts.retried;
      txn.outbox_done(e.entry_id);
      txn.del(key);
      continue;
    }
    const std::int64_t attempts = std::stoll(ctx_.state_get(key).value_or("1")) + 1;
    const std::string why = config_.account_data_object + " " + e.id +
                            " refused by Salesforce: " + results[i].error_text();
    if (attempts >= kMaxRecordAttempts) {
      ++counts.parked;
      txn.outbox_done(e.entry_id, why + " (after " + std::to_string(attempts) + " attempts)");
      txn.del(key);
      ctx_.log(chp::LogLevel::kWarn, why + "; parked in the outbox for an admin");
    } else {
      ++counts.record_errors;
      txn.put(key, std::to_string(attempts));
      pending[e.id] = e.entry_id;
    }
  }
  txn.commit();
  return pending;
}

void RollworksConnector::read_feed(chp::Call& call, RollworksClient& rw, const std::string& feed,
                                   const std::string& cursor_key, DownCounts& counts,
                                   const FeedPageHandler& on_page) {
  std::optional<std::string> cursor = ctx_.state_get(cursor_key);
  if (cursor && cursor->empty()) cursor.reset();
  for (std::size_t page_no = 0; page_no < kMaxFeedPages; ++page_no) {
    call.throw_if_cancelled();
    std::string path = "/" + feed + "/changes?limit=" + std::to_string(config_.page_size_records);
    if (cursor) path += "&since_cursor=" + chp::http::url_encode(*cursor);
    RollworksResponse r = rw.get(path);
    if (!r.ok()) {
      const bool stale = r.status == 410 || (r.status == 400 && r.code == "invalid_cursor");
      if (stale && cursor && counts.resyncs == 0) {
        ctx_.log(chp::LogLevel::kInfo, "RollWorks " + feed + " feed: cursor no longer valid (" +
                                           r.error_text() + "), re-reading a full snapshot");
        ++counts.resyncs;
        cursor.reset();
        continue;
      }
      counts.failure = feed + " feed: " + r.error_text();
      return;
    }
    const std::string next = str(r.body, "next_cursor");
    if (next.empty()) {
      counts.failure = feed + " feed: a page without next_cursor";
      return;
    }
    boost::json::array entries;
    if (const boost::json::value* data = r.body.if_contains("data"); data && data->is_array()) {
      entries = data->as_array();
    }
    chp::Transaction txn = ctx_.begin();
    on_page(entries, txn);
    txn.put(cursor_key, next);
    txn.commit();
    cursor = next;
    const boost::json::value* more = r.body.if_contains("has_more");
    if (more == nullptr || !more->is_bool() || !more->as_bool()) return;
  }
  counts.failure = feed + " feed: more than " + std::to_string(kMaxFeedPages) +
                   " pages in one sync; continuing next sync";
}

DownCounts RollworksConnector::sync_down(chp::Call& call, chp::salesforce::Client& sf,
                                         RollworksClient& rw) {
  DownCounts counts;
  std::map<std::string, std::int64_t> pending = retry_outbox(sf, counts);
  read_feed(
      call, rw, "accounts", kDownCursorKey, counts,
      [&](const boost::json::array& entries, chp::Transaction& txn) {
        boost::json::array records;
        for (const boost::json::value& v : entries) {
          if (!v.is_object()) continue;
          const boost::json::object& e = v.as_object();
          const std::string account_id = str(e, "account_id");
          if (account_id.empty()) continue;
          ++counts.received;
          records.push_back(boost::json::object{
              {config_.account_data_external_id_field, account_id},
              {config_.account_data_account_field, member_or_null(e, "account_external_id")},
              {"Journey_Stage__c", member_or_null(e, "journey_stage")},
              {"ICP_Fit_Grade__c", member_or_null(e, "icp_fit_grade")},
              {"Intent_Score__c", member_or_null(e, "intent_score")},
              {"Account_Lists__c", list_names(e)},
              {"Ad_Impressions_30d__c", member_or_null(e, "ad_impressions_30d")},
              {"Ad_Clicks_30d__c", member_or_null(e, "ad_clicks_30d")}});
        }
        if (records.empty()) return;
        const std::vector<chp::salesforce::RecordResult> results = sf.composite_upsert(
            config_.account_data_object, config_.account_data_external_id_field, records, false);
        for (std::size_t i = 0; i < results.size(); ++i) {
          const std::string account_id =
              str(records[i].as_object(), config_.account_data_external_id_field);
          // The newest data of an account replaces whatever of it waits in the outbox.
          if (auto it = pending.find(account_id); it != pending.end()) {
            txn.outbox_done(it->second);
            txn.del(attempts_key(it->second));
            pending.erase(it);
          }
          if (results[i].success) {
            ++counts.upserted;
            continue;
          }
          ++counts.record_errors;
          txn.outbox_add(config_.account_data_object, account_id, records[i]);
          ctx_.log(chp::LogLevel::kWarn, config_.account_data_object + " " + account_id +
                                             " refused by Salesforce: " + results[i].error_text() +
                                             "; kept in the outbox, retried next sync");
        }
      });
  return counts;
}

}  // namespace rollworks
