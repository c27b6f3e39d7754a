// sync: incremental mirror of the configured objects, then write-back.
//
// Per object: queryAll (so soft-deleted rows arrive with IsDeleted = true)
//   SELECT <fields> FROM X WHERE SystemModstamp >= <checkpoint - overlap> [AND (<where>)]
//   ORDER BY SystemModstamp ASC, Id ASC
// Every page's records and the advanced checkpoint (kv "checkpoint/<Object>") commit in ONE
// transaction, so a crash resumes at the last page: while a run pages, the checkpoint is the
// largest SystemModstamp committed. When the run has read its last page, the checkpoint becomes
// the Salesforce server's time when the run's query was answered (page 0's `Date` header), so
// the next run's overlap is relative to when this run looked, not to the newest record: a
// no-change incremental after a bulk load re-reads only what changed within the overlap before
// the previous run, instead of every record written in one burst. (Without a Date header, the
// newest SystemModstamp stays the checkpoint.) The overlap re-reads records whose modification
// committed late at Salesforce; re-read records are upserted by Id, so the mirror holds each
// record once, and a re-read record equal to its mirrored copy is counted "unchanged", not
// written again.
#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/salesforce/soql_time.hpp>

#include <chrono>
#include <string>

#include "salesforce_connector.hpp"

namespace sfplugin {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Thrown from the first page of a large full load to hand it over to Bulk API 2.0
// (bulk_query.cpp) before anything is committed.
struct SwitchToBulk {};

// A view into the record: no copy per record and field.
std::string_view string_member(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

}  // namespace

std::string SalesforceConnector::build_query(const ObjectSpec& spec, const ReadPlan& plan,
                                             const std::string& checkpoint) const {
  std::string soql = "SELECT ";
  for (std::size_t i = 0; i < plan.select.size(); ++i) {
    soql += (i ? ", " : "") + plan.select[i];
  }
  soql += " FROM " + spec.name;
  std::vector<std::string> conditions;
  if (std::optional<std::int64_t> cp = chp::salesforce::parse_sf_datetime(checkpoint)) {
    conditions.push_back(plan.cursor + " >= " +
                         chp::salesforce::format_soql_datetime(*cp - config_.overlap_seconds));
  }
  if (!spec.where.empty()) conditions.push_back("(" + spec.where + ")");
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    soql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  }
  soql += " ORDER BY " + plan.cursor + " ASC, Id ASC";
  return soql;
}

boost::json::object SalesforceConnector::sync_object(chp::Call& call,
                                                     chp::salesforce::Client& client,
                                                     const ObjectSpec& spec, const ReadPlan& plan,
                                                     std::optional<std::string>& plan_to_store) {
  const std::string checkpoint_key = kCheckpointPrefix + spec.name;
  std::string checkpoint = ctx_.state_get(checkpoint_key).value_or("");
  std::optional<std::int64_t> checkpoint_s = chp::salesforce::parse_sf_datetime(checkpoint);
  const bool full_load = !checkpoint_s;
  std::optional<std::int64_t> run_start_s;
  std::int64_t upserted = 0;
  std::int64_t deleted = 0;
  std::int64_t unchanged = 0;

  auto on_page = [&](chp::salesforce::QueryPage& page) {
    if (full_load && page.page_index == 0 && wants_bulk(page)) throw SwitchToBulk{};
    if (page.page_index == 0) run_start_s = page.server_time_s;
    // The last page moves the checkpoint to the run's start (server clock), never backwards.
    std::optional<std::int64_t> finished_at;
    if (page.done && run_start_s && (!checkpoint_s || *run_start_s >= *checkpoint_s)) {
      finished_at = run_start_s;
    }
    if (page.records.empty() && !finished_at && !plan_to_store) return;
    chp::Transaction txn = ctx_.begin();
    if (plan_to_store) txn.put(kPlanPrefix + spec.name, *plan_to_store);
    std::string newest;
    std::optional<std::int64_t> newest_s = checkpoint_s;
    std::int64_t page_upserted = 0;
    std::int64_t page_deleted = 0;
    std::int64_t page_unchanged = 0;
    for (boost::json::value& v : page.records) {
      if (!v.is_object()) continue;
      boost::json::object& rec = v.as_object();
      rec.erase("attributes");  // per-response URLs, not data
      std::string_view id = string_member(rec, "Id");
      if (id.empty()) continue;
      const boost::json::value* del = rec.if_contains("IsDeleted");
      bool is_deleted = del != nullptr && del->is_bool() && del->as_bool();
      std::string_view stamp = string_member(rec, plan.cursor);
      if (std::optional<std::int64_t> s = chp::salesforce::parse_sf_datetime(stamp)) {
        // Only ever move forward: the overlap window re-reads records older than the
        // checkpoint, and those must not pull it back.
        if (!newest_s || *s >= *newest_s) {
          newest_s = s;
          newest.assign(stamp);
        }
      }
      // An incremental re-reads the overlap: a record equal to its mirrored copy (deletion
      // included, IsDeleted is a field) is not written or counted again.
      if (!full_load) {
        std::optional<boost::json::value> mirrored = ctx_.record_get(spec.name, id);
        if (mirrored && *mirrored == v) {
          ++page_unchanged;
          continue;
        }
      }
      txn.upsert_record(spec.name, id, rec, is_deleted);
      ++(is_deleted ? page_deleted : page_upserted);
    }
    if (finished_at) {
      txn.put(checkpoint_key, chp::salesforce::format_soql_datetime(*finished_at));
    } else if (!newest.empty()) {
      txn.put(checkpoint_key, newest);
    }
    txn.commit();
    plan_to_store.reset();
    // Counted after the commit: a failed commit leaves nothing synced.
    upserted += page_upserted;
    deleted += page_deleted;
    unchanged += page_unchanged;
    if (finished_at) {
      checkpoint = chp::salesforce::format_soql_datetime(*finished_at);
      checkpoint_s = finished_at;
    } else if (!newest.empty()) {
      checkpoint = newest;
      checkpoint_s = newest_s;
    }
    ctx_.metric_add("records_synced_total", static_cast<double>(page_upserted + page_deleted));
    records_in_run_ += page_upserted + page_deleted;
    ctx_.report_status(spec.name + ": " + std::to_string(upserted + deleted + unchanged) + " of " +
                       std::to_string(page.total_size) + " records read, " +
                       std::to_string(upserted + deleted) + " changed" +
                       progress_rate(upserted + deleted + unchanged, client));
  };
  const std::string soql = build_query(spec, plan, checkpoint);
  if (plan.query_all) {
    client.query_all(soql, on_page);
  } else {
    client.query(soql, on_page);  // no IsDeleted: queryAll would bring nothing more
  }
  boost::json::object out{{"upserted", upserted}, {"deleted", deleted}, {"unchanged", unchanged}};
  if (plan.cursor != "SystemModstamp") out["cursor"] = plan.cursor;
  return out;
}

boost::json::object SalesforceConnector::sync_with_plan(chp::Call& call,
                                                        chp::salesforce::Client& client,
                                                        const ObjectSpec& spec) {
  std::optional<std::string> plan_to_store;
  ReadPlan plan = read_plan(client, spec, /*fresh=*/false, &plan_to_store);
  auto run = [&]() -> boost::json::object {
    ObjectSpec effective = spec;
    effective.fields = plan.select;
    std::int64_t backfilled = -1;
    if (!plan.backfill.empty() && !ctx_.state_get(kBulkLoadPrefix + spec.name)) {
      backfilled = backfill_fields(call, client, effective, plan, plan_to_store);
    }
    boost::json::object out;
    if (std::optional<boost::json::object> resumed =
            resume_bulk_load(call, client, effective, plan, plan_to_store)) {
      out = std::move(*resumed);
    } else {
      try {
        out = sync_object(call, client, effective, plan, plan_to_store);
      } catch (const SwitchToBulk&) {
        out = bulk_load(call, client, effective, plan, plan_to_store);
      }
    }
    if (backfilled >= 0) {
      boost::json::array fields;
      for (const std::string& f : plan.backfill) fields.emplace_back(f);
      out["backfilled_fields"] = std::move(fields);
      out["backfilled_records"] = backfilled;
    }
    if (!plan.type_changes.empty()) {
      boost::json::array changes;
      for (const ReadPlan::TypeChange& c : plan.type_changes) {
        changes.push_back(boost::json::object{{"field", c.field}, {"from", c.from}, {"to", c.to}});
        type_changes_.push_back(spec.name + "." + c.field + " " + c.from + " -> " + c.to);
      }
      out["type_changes"] = std::move(changes);
    }
    if (!plan.missing.empty()) {
      boost::json::array missing;
      for (const std::string& m : plan.missing) missing.emplace_back(m);
      out["missing_fields"] = std::move(missing);
    }
    return out;
  };
  boost::json::object out;
  try {
    out = run();
  } catch (const chp::ConfigError&) {
    // Salesforce refused a query made from a saved plan (e.g. INVALID_FIELD: a field was
    // deleted since): describe again once and retry with what the object has now.
    if (!plan.cached) throw;
    ctx_.log(chp::LogLevel::kInfo,
             "object " + spec.name + ": the saved read plan was refused; describing it again");
    plan = read_plan(client, spec, /*fresh=*/true, &plan_to_store);
    out = run();
  }
  // Objects without IsDeleted (User, *History) are never deleted: nothing to reconcile.
  KvWrites to_store;
  if (plan.query_all) reconcile(client, spec, plan, out, to_store);
  declare_columns(spec, plan, to_store);
  if (!to_store.empty()) {  // one commit for both
    chp::Transaction txn = ctx_.begin();
    for (const auto& [key, value] : to_store) txn.put(key, value);
    txn.commit();
  }
  return out;
}

// The typed SQL view of the object's mirror (the store builds `view_<connector>_<Object>` from
// kv "mirror-columns/<Object>", sdk/README.md): one column per selected field, its SQL type
// from describe. Written when it changes, after the object's data, so the view never names a
// field the mirror has not been read with.
void SalesforceConnector::declare_columns(const ObjectSpec& spec, const ReadPlan& plan,
                                          KvWrites& to_store) {
  if (plan.types.empty()) return;  // a plan saved before types were recorded
  boost::json::object columns;
  for (const std::string& field : plan.select) {
    auto it = plan.types.find(field);
    if (it == plan.types.end()) continue;
    const std::string& t = it->second;
    std::string sql = "text";  // strings, ids, picklists, dates and datetimes (ISO text)
    if (t == "boolean") {
      sql = "boolean";
    } else if (t == "int" || t == "long") {
      sql = "integer";
    } else if (t == "double" || t == "currency" || t == "percent") {
      sql = "real";
    }
    columns[field] = sql;
  }
  const std::string key = std::string(kMirrorColumnsPrefix) + spec.name;
  const std::string text = boost::json::serialize(columns);
  if (ctx_.state_get(key) != text) to_store.emplace_back(key, text);
}

std::string SalesforceConnector::progress_rate(std::int64_t records,
                                               const chp::salesforce::Client& client) const {
  const std::int64_t elapsed_ms = steady_ms() - run_started_ms_;
  const std::int64_t rate = elapsed_ms > 0 ? records * 1000 / elapsed_ms : records;
  return ", " + std::to_string(rate) + " records/s, " + std::to_string(client.api_calls()) +
         " API call(s)";
}

void SalesforceConnector::sync(chp::Call& call, const boost::json::object& input) {
  chp::salesforce::Client client(ctx_, call, chp::salesforce::host_token_source(ctx_, call),
                                 config_.client_options());
  std::uint64_t calls_reported = 0;
  auto report_calls = [&] {
    ctx_.metric_add("api_calls_total", static_cast<double>(client.api_calls() - calls_reported));
    calls_reported = client.api_calls();
    if (const auto& usage = client.usage().last()) {
      ctx_.metric_set("api_usage_percent", usage->percent());
    }
  };

  boost::json::object objects;
  boost::json::object summary;
  records_in_run_ = 0;  // counted per committed page, also those of a run the quota pauses
  type_changes_.clear();
  run_started_ms_ = steady_ms();
  std::int64_t records_out = 0;
  std::int64_t records_failed = 0;
  std::string paused;  // the quota guard's words when the run stopped at the threshold
  try {
    for (const ObjectSpec& spec : config_.objects) {
      call.throw_if_cancelled();
      objects[spec.name] = sync_with_plan(call, client, spec);
    }
    if (config_.write_back) {
      WriteBackStats wb = write_back(call, client);
      boost::json::array errors;
      for (const std::string& e : wb.errors) errors.emplace_back(e);
      summary["write_back"] = boost::json::object{{"pushed", wb.pushed},
                                                  {"failed", wb.failed},
                                                  {"refused_calls", wb.refused_calls},
                                                  {"errors", std::move(errors)}};
      records_out = wb.pushed;
      records_failed = wb.failed;
    }
  } catch (const chp::TransientError& e) {
    report_calls();
    // The guard refuses every call once the org's usage is at the threshold, so an error while
    // it is there is the guard's: the run pauses (what it committed stays, the checkpoints
    // resume it) instead of failing, and the host sends quota.paused.
    const auto& usage = client.usage().last();
    if (!usage || usage->max_calls <= 0 || usage->percent() < config_.api_usage_threshold_percent) {
      throw;
    }
    paused = e.what();
  } catch (...) {
    report_calls();
    throw;
  }
  if (paused.empty()) report_calls();
  summary["objects"] = std::move(objects);
  // The members the host reads (README, "Ops"): records and the API quota for /metrics.
  summary["records"] = boost::json::object{
      {"in", records_in_run_}, {"out", records_out}, {"failed", records_failed}};
  summary["api_calls"] = client.api_calls();
  if (const auto& usage = client.usage().last()) {
    summary["api_usage"] = boost::json::object{
        {"used", usage->used_calls}, {"max", usage->max_calls}, {"percent", usage->percent()}};
    summary["api_quota"] =
        boost::json::object{{"used", usage->used_calls}, {"limit", usage->max_calls}};
  } else {
    summary["api_usage"] = nullptr;
  }
  if (!paused.empty()) {
    summary["paused"] = boost::json::object{{"reason", "api_quota"}, {"message", paused}};
    ctx_.report_status("paused: " + paused);
    ctx_.log(chp::LogLevel::kWarn, "sync paused: " + paused);
  } else {
    std::string status = "sync done: " + std::to_string(config_.objects.size()) + " object(s), " +
                         std::to_string(client.api_calls()) + " API call(s)";
    std::int64_t tombstoned = 0;
    for (const auto& [name, object] : summary.at("objects").as_object()) {
      const boost::json::value* pass = object.as_object().if_contains("reconcile");
      if (pass == nullptr) continue;
      if (const boost::json::value* n = pass->as_object().if_contains("tombstoned")) {
        tombstoned += n->to_number<std::int64_t>();
      }
      if (const boost::json::value* full = pass->as_object().if_contains("full")) {
        tombstoned += full->at("tombstoned").to_number<std::int64_t>();
      }
    }
    if (tombstoned > 0) status += ", " + std::to_string(tombstoned) + " tombstoned";
    if (!type_changes_.empty()) {
      status += "; field type changed at Salesforce:";
      for (std::size_t i = 0; i < type_changes_.size(); ++i) {
        status += (i ? ", " : " ") + type_changes_[i];
      }
    }
    ctx_.report_status(status);
  }
  call.set_output(summary);
}

}  // namespace sfplugin
