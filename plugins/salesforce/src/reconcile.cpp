// reconcile: deletes that the incremental query cannot see.
//
// queryAll brings soft deletes (IsDeleted = true) while they are in the Recycle Bin, but not
// hard deletes (objects without a Recycle Bin such as CampaignMember, an emptied Recycle Bin,
// Bulk hardDelete) nor deletes purged from the bin after 15 days. For those the pass asks
// Salesforce's delete log, "sObject Get Deleted":
//   GET /services/data/vXX.X/sobjects/X/deleted/?start=<last covered>&end=<this run's start>
// and tombstones every listed Id the mirror holds (is_deleted, the row's data kept, as for a
// soft delete). It runs when `reconcile_every_seconds` has passed since the last covered point,
// measured on Salesforce's clock (the object's checkpoint: the server time at the start of the
// last finished run). Tombstones commit in chunks and are idempotent; the covered point
// (kv "reconcile/<Object>", the response's latestDateCovered, as the docs ask the next call to
// start there) commits with the last chunk, so a kill mid-pass leaves only tombstones that are
// true and the next run repeats the window. The delete log reaches back 15 days at most (less
// after an admin empties the Recycle Bin): a start before its earliestDateAvailable answers
// INVALID_REPLICATION_DATE: the summary then says that deletes in that gap may have been
// missed, and the pass starts over from this run.
//
// The full pass covers that gap (and runs on its own, `reconcile_full_every_seconds`): it lists
// every Id Salesforce has (`SELECT Id FROM X`, query: soft-deleted rows are deletes too) and
// pages through the mirror's live ids (host record_list_ids, ABI 1.6); a mirror row whose Id
// Salesforce no longer has is tombstoned as above. The hook is the only writer of the mirror
// and every row in it was read from Salesforce before the listing's query started, so a row
// missing from the listing was deleted: records created meanwhile are never compared. Chunks
// commit as they go; the pass's point (kv "reconcile-full/<Object>", this run's start) commits
// with the last one, so a kill leaves only true tombstones and the next run does it again.
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/salesforce/errors.hpp>
#include <connector_host/sdk/salesforce/soql_time.hpp>

#include <algorithm>
#include <string>

#include "salesforce_connector.hpp"

namespace sfplugin {
namespace {

constexpr std::size_t kTombstonesPerCommit = 2000;
// getDeleted's documented rule: start must precede end by more than one minute.
constexpr std::int64_t kMinimumWindowSeconds = 120;
// How far back getDeleted reaches at most (the Recycle Bin's 15 days).
constexpr std::int64_t kDeleteLogSeconds = 15 * 86400;

std::string string_member(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The one way a mirror row becomes a tombstone here: is_deleted with its data kept and
// IsDeleted set, as a soft delete arrives. False when it already is a soft delete.
bool tombstone(chp::Transaction& txn, const std::string& object, const std::string& id,
               boost::json::object& rec) {
  boost::json::value* flag = rec.if_contains("IsDeleted");
  if (flag != nullptr && flag->is_bool() && flag->as_bool()) return false;
  if (flag != nullptr) *flag = true;
  txn.upsert_record(object, id, rec, /*deleted=*/true);
  return true;
}

}  // namespace

void SalesforceConnector::reconcile(chp::salesforce::Client& client, const ObjectSpec& spec,
                                    const ReadPlan& plan, boost::json::object& out,
                                    KvWrites& to_store) {
  bool log_gap = false;
  if (config_.reconcile_every_seconds > 0) {
    reconcile_delete_log(client, spec, plan, out, to_store, log_gap);
  }
  reconcile_full(client, spec, out, to_store, /*forced=*/log_gap);
}

void SalesforceConnector::reconcile_full(chp::salesforce::Client& client, const ObjectSpec& spec,
                                         boost::json::object& out, KvWrites& to_store,
                                         bool forced) {
  const std::optional<std::string> checkpoint = ctx_.state_get(kCheckpointPrefix + spec.name);
  const std::optional<std::int64_t> until_s =
      checkpoint ? chp::salesforce::parse_sf_datetime(*checkpoint) : std::nullopt;
  if (!until_s) return;  // no finished run yet: nothing mirrored to reconcile
  const std::string key = kReconcileFullPrefix + spec.name;
  if (!forced) {
    if (config_.reconcile_full_every_seconds <= 0) return;
    const std::optional<std::string> last = ctx_.state_get(key);
    const std::optional<std::int64_t> since_s =
        last ? chp::salesforce::parse_sf_datetime(*last) : std::nullopt;
    if (!since_s) {
      // The first finished run read every record Salesforce had: due one period later.
      to_store.emplace_back(key, *checkpoint);
      return;
    }
    if (*until_s - *since_s < config_.reconcile_full_every_seconds) return;
  }

  // Sorted here: the comparison does not depend on Salesforce's Id collation.
  std::vector<std::string> at_salesforce;
  client.query("SELECT Id FROM " + spec.name, [&](chp::salesforce::QueryPage& page) {
    for (const boost::json::value& rec : page.records) {
      if (!rec.is_object()) continue;
      std::string id = string_member(rec.as_object(), "Id");
      if (!id.empty()) at_salesforce.push_back(std::move(id));
    }
  });
  std::sort(at_salesforce.begin(), at_salesforce.end());

  std::int64_t tombstoned = 0;
  std::string after;
  for (;;) {
    const std::vector<std::string> ids =
        ctx_.record_list_ids(spec.name, after, static_cast<std::uint32_t>(kTombstonesPerCommit));
    const bool last_page = ids.size() < kTombstonesPerCommit;
    chp::Transaction txn = ctx_.begin();
    std::int64_t in_chunk = 0;
    for (const std::string& id : ids) {
      if (std::binary_search(at_salesforce.begin(), at_salesforce.end(), id)) continue;
      std::optional<boost::json::value> mirrored = ctx_.record_get(spec.name, id);
      if (!mirrored || !mirrored->is_object()) continue;
      if (tombstone(txn, spec.name, id, mirrored->as_object())) ++in_chunk;
    }
    if (last_page) txn.put(key, *checkpoint);
    txn.commit();
    tombstoned += in_chunk;  // counted after the commit
    if (last_page) break;
    after = ids.back();
  }
  ctx_.metric_add("records_tombstoned_total", static_cast<double>(tombstoned));
  boost::json::value& pass = out["reconcile"];
  if (!pass.is_object()) pass = boost::json::object{};
  pass.as_object()["full"] = boost::json::object{
      {"listed", static_cast<std::int64_t>(at_salesforce.size())}, {"tombstoned", tombstoned}};
}

void SalesforceConnector::reconcile_delete_log(chp::salesforce::Client& client,
                                               const ObjectSpec& spec, const ReadPlan& plan,
                                               boost::json::object& out, KvWrites& to_store,
                                               bool& log_gap) {
  const std::optional<std::string> checkpoint = ctx_.state_get(kCheckpointPrefix + spec.name);
  const std::optional<std::int64_t> until_s =
      checkpoint ? chp::salesforce::parse_sf_datetime(*checkpoint) : std::nullopt;
  if (!until_s) return;  // no finished run yet: nothing mirrored to reconcile
  const std::string key = kReconcilePrefix + spec.name;
  const std::optional<std::string> covered = ctx_.state_get(key);
  const std::optional<std::int64_t> since_s =
      covered ? chp::salesforce::parse_sf_datetime(*covered) : std::nullopt;
  if (!since_s) {
    // The first finished run mirrored every record Salesforce still had: the delete log
    // matters from its start on.
    to_store.emplace_back(key, *checkpoint);
    return;
  }
  const std::int64_t window_s = *until_s - *since_s;
  if (window_s < config_.reconcile_every_seconds || window_s < kMinimumWindowSeconds) return;
  if (window_s > kDeleteLogSeconds) {
    // Offline longer than the delete log keeps: no need to ask, the full pass lists instead.
    to_store.emplace_back(key, *checkpoint);
    out["reconcile"] = boost::json::object{
        {"tombstoned", 0}, {"since", *covered}, {"error", "offline longer than the delete log"}};
    log_gap = true;
    return;
  }

  const std::string path = client.data_path(
      "sobjects/" + spec.name +
      "/deleted/?start=" + chp::http::url_encode(chp::salesforce::format_soql_datetime(*since_s)) +
      "&end=" + chp::http::url_encode(chp::salesforce::format_soql_datetime(*until_s)));
  const std::string what = "getDeleted " + spec.name;
  chp::http::Response resp = client.exchange("GET", path, {}, what);
  if (resp.status == 400) {
    for (const chp::salesforce::ApiError& e : chp::salesforce::parse_api_errors(resp.body)) {
      if (e.error_code != "INVALID_REPLICATION_DATE") continue;
      // Deletes older than the delete log cannot be listed any more: say so, keep the mirror.
      std::string message = "object " + spec.name + ": deletes since " + *covered +
                            " may be missing from the mirror: Salesforce's delete log no "
                            "longer reaches back that far (" +
                            e.to_string() + ")";
      ctx_.log(chp::LogLevel::kWarn, message);
      // Reported once (this summary, the log); the pass starts again from this run, so later
      // deletes are found again instead of every run failing on the same gap.
      to_store.emplace_back(key, *checkpoint);
      out["reconcile"] =
          boost::json::object{{"tombstoned", 0}, {"since", *covered}, {"error", e.to_string()}};
      log_gap = true;  // the full pass lists what the log no longer can
      return;
    }
  }
  if (resp.status >= 400 && resp.status < 500 && resp.status != 429) {
    // E.g. an object that is not replicateable: say so every run, never fail the sync on it.
    std::vector<chp::salesforce::ApiError> errors = chp::salesforce::parse_api_errors(resp.body);
    std::string error =
        errors.empty() ? "HTTP " + std::to_string(resp.status) : errors.front().to_string();
    ctx_.log(chp::LogLevel::kWarn, "object " + spec.name + ": " + what + " refused: " + error);
    out["reconcile"] =
        boost::json::object{{"tombstoned", 0}, {"since", *covered}, {"error", error}};
    return;
  }
  if (!resp.ok()) chp::salesforce::throw_api_error(what, resp);
  boost::json::object body = chp::parse_object(resp.body, chp::ErrorClass::kPermanent, what);
  std::string latest = string_member(body, "latestDateCovered");
  if (!chp::salesforce::parse_sf_datetime(latest)) {
    throw chp::PermanentError(what + ": latestDateCovered is missing or not a datetime");
  }
  struct Deleted {
    std::string id;
    std::optional<std::int64_t> at_s;  // deletedDate
  };
  std::vector<Deleted> ids;
  if (const boost::json::value* list = body.if_contains("deletedRecords");
      list != nullptr && list->is_array()) {
    for (const boost::json::value& item : list->as_array()) {
      if (!item.is_object()) continue;
      std::string id = string_member(item.as_object(), "id");
      if (id.empty()) continue;
      ids.push_back(Deleted{std::move(id), chp::salesforce::parse_sf_datetime(
                                               string_member(item.as_object(), "deletedDate"))});
    }
  }

  std::int64_t tombstoned = 0;
  std::size_t next = 0;
  do {
    chp::Transaction txn = ctx_.begin();
    std::int64_t in_chunk = 0;
    const std::size_t end = std::min(ids.size(), next + kTombstonesPerCommit);
    for (; next < end; ++next) {
      const Deleted& deleted = ids[next];
      std::optional<boost::json::value> mirrored = ctx_.record_get(spec.name, deleted.id);
      if (!mirrored || !mirrored->is_object()) continue;
      boost::json::object& rec = mirrored->as_object();
      // Undeleted and mirrored again since: the live copy is newer than the delete.
      std::optional<std::int64_t> stamp_s =
          chp::salesforce::parse_sf_datetime(string_member(rec, plan.cursor));
      if (stamp_s && deleted.at_s && *stamp_s > *deleted.at_s) continue;
      if (tombstone(txn, spec.name, deleted.id, rec)) ++in_chunk;
    }
    if (next == ids.size()) txn.put(key, latest);
    txn.commit();
    tombstoned += in_chunk;  // counted after the commit
  } while (next < ids.size());
  ctx_.metric_add("records_tombstoned_total", static_cast<double>(tombstoned));
  out["reconcile"] = boost::json::object{{"tombstoned", tombstoned},
                                         {"listed", static_cast<std::int64_t>(ids.size())},
                                         {"through", latest}};
}

}  // namespace sfplugin
