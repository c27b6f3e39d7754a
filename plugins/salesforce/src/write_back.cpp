// Write-back: pushes outbox entries to Salesforce with sObject Collections (200 records per
// call). The outbox entry contract (collection = sObject API name):
//   - record has "_upsert_by": "<External Id field>"  → upsert matched on that field (the
//     record carries its value);
//   - otherwise entry id non-empty                     → update of the record with that Id;
//   - otherwise                                        → create.
// Each chunk's per-record results are applied in one transaction: successes leave the outbox,
// failures stay parked with Salesforce's error for an admin (never dropped). A call Salesforce
// refuses as a whole (HTTP 400 such as INVALID_FIELD for a field the org lacks: the body is the
// REST error array, not per-record results, so no record can be told apart) parks every entry
// of that call with the call's error, and the other calls still go: one bad entry never blocks
// the outbox. A call that failed for a passing reason (network, quota, session) throws and leaves
// its chunk pending for the next run.
#include <connector_host/sdk/salesforce/api_name.hpp>
#include <connector_host/sdk/salesforce/client.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "salesforce_connector.hpp"

namespace sfplugin {
namespace {

enum class WriteOp { kCreate = 1, kUpdate, kUpsert };

// Read-only system fields a mirrored copy carries; Salesforce refuses writes to them. Values
// that are JSON objects are dropped as well: `attributes`, compound fields (BillingAddress) and
// relationship objects (Account: {...}) are read-only views of other fields.
constexpr std::string_view kReadOnlyFields[] = {
    "attributes",  "SystemModstamp",   "IsDeleted",        "CreatedDate",
    "CreatedById", "LastModifiedDate", "LastModifiedById", "_upsert_by"};

struct Planned {
  std::int64_t entry_id;
  boost::json::object record;
};

void note_error(WriteBackStats& stats, const std::string& error) {
  if (stats.errors.size() < WriteBackStats::kErrorsKept &&
      std::find(stats.errors.begin(), stats.errors.end(), error) == stats.errors.end()) {
    stats.errors.push_back(error);
  }
}

// Parks entries [start, end) of `planned` with the error of the call that carried them.
void park_refused_call(chp::Context& ctx, const std::vector<Planned>& planned, std::size_t start,
                       std::size_t end, const std::string& error, WriteBackStats& stats) {
  chp::Transaction txn = ctx.begin();
  for (std::size_t i = start; i < end; ++i) txn.outbox_done(planned[i].entry_id, error);
  txn.commit();
  stats.failed += static_cast<std::int64_t>(end - start);
  ++stats.refused_calls;
  note_error(stats, error);
  ctx.log(chp::LogLevel::kWarn, "write-back: " + std::to_string(end - start) +
                                    " entries parked, the call was refused: " + error);
}

}  // namespace

WriteBackStats SalesforceConnector::write_back(chp::Call& call, chp::salesforce::Client& client) {
  WriteBackStats stats;
  // Each round handles (pushes or parks) every entry it was offered, so rounds are bounded by
  // the outbox size; the cap only guards against a host that keeps re-offering entries.
  for (int round = 0; round < 10'000; ++round) {
    call.throw_if_cancelled();
    std::vector<chp::OutboxEntry> entries = ctx_.outbox_pending(kOutboxBatchEntries);
    if (entries.empty()) break;

    using Key = std::tuple<std::string, WriteOp, std::string>;  // object, op, external id field
    std::map<Key, std::vector<Planned>> groups;
    std::vector<std::pair<std::int64_t, std::string>> invalid;
    for (chp::OutboxEntry& e : entries) {
      if (!chp::salesforce::is_api_name(e.collection) || !e.record.is_object()) {
        invalid.emplace_back(e.entry_id,
                             "invalid outbox entry: collection must be an sObject API name and "
                             "record a JSON object");
        continue;
      }
      boost::json::object rec = std::move(e.record.as_object());
      WriteOp op = e.id.empty() ? WriteOp::kCreate : WriteOp::kUpdate;
      std::string ext_field;
      if (const boost::json::value* u = rec.if_contains("_upsert_by"); u && u->is_string()) {
        ext_field = std::string(u->as_string());
        op = WriteOp::kUpsert;
        if (!chp::salesforce::is_api_name(ext_field) || !rec.contains(ext_field)) {
          invalid.emplace_back(e.entry_id,
                               "invalid outbox entry: _upsert_by must name a field "
                               "the record carries");
          continue;
        }
      }
      for (std::string_view f : kReadOnlyFields) rec.erase(f);
      for (auto it = rec.begin(); it != rec.end();) {
        it = it->value().is_object() ? rec.erase(it) : std::next(it);
      }
      if (op == WriteOp::kUpdate) {
        rec["Id"] = e.id;
      } else if (op == WriteOp::kCreate) {
        rec.erase("Id");
      }
      groups[Key{e.collection, op, ext_field}].push_back(Planned{e.entry_id, std::move(rec)});
    }
    if (!invalid.empty()) {
      chp::Transaction txn = ctx_.begin();
      for (const auto& [id, error] : invalid) txn.outbox_done(id, error);
      txn.commit();
      stats.failed += static_cast<std::int64_t>(invalid.size());
    }

    for (auto& [key, planned] : groups) {
      const auto& [object, op, ext_field] = key;
      for (std::size_t start = 0; start < planned.size();
           start += chp::salesforce::Client::kCollectionChunkRecords) {
        std::size_t end =
            std::min(planned.size(), start + chp::salesforce::Client::kCollectionChunkRecords);
        boost::json::array records;
        for (std::size_t i = start; i < end; ++i) records.push_back(planned[i].record);
        std::vector<chp::salesforce::RecordResult> results;
        try {
          if (op == WriteOp::kCreate) {
            results = client.composite_create(object, records, false);
          } else if (op == WriteOp::kUpdate) {
            results = client.composite_update(object, records, false);
          } else {
            results = client.composite_upsert(object, ext_field, records, false);
          }
        } catch (const chp::ConfigError& e) {
          park_refused_call(ctx_, planned, start, end, e.what(), stats);
          continue;
        } catch (const chp::PermanentError& e) {
          park_refused_call(ctx_, planned, start, end, e.what(), stats);
          continue;
        }
        chp::Transaction txn = ctx_.begin();
        for (std::size_t i = start; i < end; ++i) {
          const chp::salesforce::RecordResult& r = results[i - start];
          if (r.success) {
            txn.outbox_done(planned[i].entry_id);
            ++stats.pushed;
          } else {
            const std::string error = object + ": " + r.error_text();
            txn.outbox_done(planned[i].entry_id, error);
            ++stats.failed;
            note_error(stats, error);
          }
        }
        txn.commit();
      }
    }
    if (entries.size() < kOutboxBatchEntries) break;
  }
  ctx_.metric_add("write_back_pushed_total", static_cast<double>(stats.pushed));
  ctx_.metric_add("write_back_failed_total", static_cast<double>(stats.failed));
  if (stats.pushed + stats.failed > 0) {
    ctx_.report_status("write-back: " + std::to_string(stats.pushed) + " pushed, " +
                       std::to_string(stats.failed) + " failed (kept in the outbox)");
  }
  return stats;
}

}  // namespace sfplugin
