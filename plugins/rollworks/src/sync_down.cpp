// Down: RollWorks -> Salesforce. The accounts change feed is read from the stored cursor
// (kv "down/accounts/cursor") until has_more is false; each page's entries are upserted into
// the account data object by its external id field (= RollWorks account_id) and only then is
// the page's next_cursor committed. A cursor RollWorks no longer knows (410 cursor_expired,
// 400 invalid_cursor) restarts the feed from a full snapshot; the upserts make the re-read
// entries no-ops.
//
// The mapping (mapping.hpp) may name two targets for a while after a mapping change: each page
// is upserted into both until the legacy target's date. A new mapping version re-reads the
// feed from a snapshot (kv "down/accounts/mapping_version"), so the new object gets every
// account, not only those that change later.
//
// A record Salesforce refuses is never dropped: it goes into the outbox (outbox.hpp;
// collection = the target object, id = the RollWorks account id) in the same transaction as
// the page's cursor. Each later sync retries the due entries before reading the feed (oldest
// first, so a newer feed entry for the account still wins); a newer feed entry of the same
// account replaces the waiting one. Entries of a legacy target whose period ended are removed.
#include <connector_host/sdk/http/url.hpp>

#include <map>

#include "mapping.hpp"
#include "rollworks_connector.hpp"

namespace rollworks {
namespace {

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

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
                                         RollworksClient& rw, RecordOutbox& outbox,
                                         std::int64_t now_s) {
  DownCounts counts;
  const std::vector<const AccountDataTarget*> targets =
      written_account_data_targets(config_, now_s);
  const auto write = [&](const AccountDataTarget& t, const boost::json::array& records) {
    const std::vector<chp::salesforce::RecordResult> results =
        sf.composite_upsert(t.object, t.external_id_field, records, false);
    std::vector<std::string> errors(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i < results.size() && results[i].success) continue;
      errors[i] =
          t.object + " " + str(records[i].as_object(), t.external_id_field) +
          " refused by Salesforce: " + (i < results.size() ? results[i].error_text() : "no result");
    }
    return errors;
  };
  if (const LegacyAccountDataTarget* ended = ended_legacy_target(config_, now_s)) {
    outbox.retire(ended->target.object,
                  "mapping v" + std::to_string(ended->target.version) + " (" +
                      ended->target.object +
                      ") is no longer written: its dual-write period "
                      "ended " +
                      ended->until,
                  counts.outbox);
  }
  for (const AccountDataTarget* t : targets) {
    outbox.retry(
        t->object, kOutboxBatchEntries,
        [&](const boost::json::array& records) { return write(*t, records); }, counts.outbox);
  }

  // A new mapping version starts the feed over so its target gets every account.
  const std::string version = std::to_string(config_.account_data.version);
  if (const std::optional<std::string> stored = ctx_.state_get(kMappingVersionKey);
      stored != version) {
    chp::Transaction txn = ctx_.begin();
    if (ctx_.state_get(kDownCursorKey) && (stored || config_.account_data.version > 1)) {
      txn.del(kDownCursorKey);
      counts.mapping_backfill = true;
      ctx_.log(chp::LogLevel::kInfo, "account data mapping v" + stored.value_or("1") + " -> v" +
                                         version +
                                         ": re-reading the RollWorks accounts feed "
                                         "from a snapshot to fill " +
                                         config_.account_data.object);
    }
    txn.put(kMappingVersionKey, version);
    txn.commit();
  }

  read_feed(call, rw, "accounts", kDownCursorKey, counts,
            [&](const boost::json::array& entries, chp::Transaction& txn) {
              std::vector<const boost::json::object*> feed;
              for (const boost::json::value& v : entries) {
                if (!v.is_object() || str(v.as_object(), "account_id").empty()) continue;
                ++counts.received;
                feed.push_back(&v.as_object());
              }
              if (feed.empty()) return;
              for (const AccountDataTarget* t : targets) {
                boost::json::array records;
                for (const boost::json::object* e : feed) {
                  records.push_back(account_data_record(*t, *e));
                }
                const std::vector<std::string> errors = write(*t, records);
                for (std::size_t i = 0; i < records.size(); ++i) {
                  const std::string account_id = str(*feed[i], "account_id");
                  // The newest data of an account replaces whatever of it waits in the outbox.
                  outbox.supersede(txn, t->object, account_id, counts.outbox);
                  if (errors[i].empty()) {
                    ++(t == targets.front() ? counts.upserted : counts.legacy_upserted);
                    continue;
                  }
                  ++counts.record_errors;
                  outbox.add(txn, t->object, account_id, records[i], errors[i]);
                }
              }
            });
  return counts;
}

}  // namespace rollworks
