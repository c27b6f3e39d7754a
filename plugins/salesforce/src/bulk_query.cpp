// bulk_query: full loads of large objects through Bulk API 2.0 query jobs (REST stays for
// incrementals and small objects).
//
// sync_object() starts every full load with REST; when the first page's totalSize reaches
// bulk_threshold_records it hands over here before committing anything. Then:
//   1. describe the object once (CSV carries text only; describe gives each field's type, so
//      the records mirrored are the same JSON a REST page would give);
//   2. create a queryAll job (deleted rows too, as the REST full load) and save {job, locator}
//      in kv "bulk/<Object>" at once, so a crash never starts a second job;
//   3. poll with backoff until JobComplete;
//   4. read the result sets (maxRecords = bulk_page_records); each set's records commit in ONE
//      transaction with the locator of the next set, so a crash resumes at the next set;
//   5. with the last set, the checkpoint becomes the job's createdDate (the server time its
//      snapshot was taken: later changes are the incrementals' business) and the Bulk state is
//      removed, in the same transaction.
// A job Salesforce no longer has (deleted; jobs live 7 days) or one that failed starts over
// with a new job; rows already committed are upserted again by Id (no duplicates).
#include <connector_host/sdk/salesforce/bulk_query.hpp>

#include <boost/json.hpp>
#include <map>
#include <string>

#include "salesforce_connector.hpp"

namespace sfplugin {
namespace {

namespace json = boost::json;

enum class CsvType { kText = 1, kBoolean, kInteger, kNumber, kDateTime };

// Field name -> how its CSV text becomes the JSON value REST would give.
std::map<std::string, CsvType> field_types(chp::salesforce::Client& client,
                                           const std::string& object) {
  json::value d =
      client.get_json(client.data_path("sobjects/" + object + "/describe"), "describe " + object);
  std::map<std::string, CsvType> out;
  const json::value* fields = d.is_object() ? d.as_object().if_contains("fields") : nullptr;
  if (fields == nullptr || !fields->is_array()) return out;
  for (const json::value& f : fields->as_array()) {
    const json::object* o = f.if_object();
    const json::value* name = o ? o->if_contains("name") : nullptr;
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (!name || !type || !name->is_string() || !type->is_string()) continue;
    std::string_view t = type->as_string();
    CsvType kind = t == "boolean"                                       ? CsvType::kBoolean
                   : t == "int"                                         ? CsvType::kInteger
                   : t == "double" || t == "currency" || t == "percent" ? CsvType::kNumber
                   : t == "datetime"                                    ? CsvType::kDateTime
                                                                        : CsvType::kText;
    out.emplace(std::string(name->as_string()), kind);
  }
  return out;
}

json::value typed(const std::optional<std::string>& text, CsvType type) {
  if (!text) return nullptr;
  switch (type) {
    case CsvType::kBoolean:
      return *text == "true";
    case CsvType::kInteger:
      try {
        return static_cast<std::int64_t>(std::stoll(*text));
      } catch (...) {
        return json::value(*text);
      }
    case CsvType::kNumber:
      try {
        return std::stod(*text);
      } catch (...) {
        return json::value(*text);
      }
    case CsvType::kDateTime:
      // Bulk gives 2024-05-01T00:00:00.000Z; REST (and the checkpoints) +0000.
      if (text->ends_with("Z")) return json::value(text->substr(0, text->size() - 1) + "+0000");
      return json::value(*text);
    case CsvType::kText:
      break;
  }
  return json::value(*text);
}

struct BulkState {
  std::string job;
  std::string locator;  // of the next result set; empty = the first
  std::string created_date;
  std::int64_t upserted = 0;
  std::int64_t deleted = 0;

  std::string to_json() const {
    return json::serialize(json::object{{"job", job},
                                        {"locator", locator},
                                        {"created_date", created_date},
                                        {"upserted", upserted},
                                        {"deleted", deleted}});
  }
  static std::optional<BulkState> from_json(const std::string& text) {
    std::optional<json::value> v = chp::try_parse(text);
    if (!v || !v->is_object()) return std::nullopt;
    const json::object& o = v->as_object();
    BulkState s;
    auto str = [&](const char* k) {
      const json::value* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    auto num = [&](const char* k) {
      const json::value* x = o.if_contains(k);
      return x && x->is_int64() ? x->as_int64() : std::int64_t{0};
    };
    s.job = str("job");
    s.locator = str("locator");
    s.created_date = str("created_date");
    s.upserted = num("upserted");
    s.deleted = num("deleted");
    if (s.job.empty()) return std::nullopt;
    return s;
  }
};

std::string bulk_soql(const ObjectSpec& spec) {
  std::string soql = "SELECT ";
  for (std::size_t i = 0; i < spec.fields.size(); ++i) soql += (i ? ", " : "") + spec.fields[i];
  soql += " FROM " + spec.name;
  if (!spec.where.empty()) soql += " WHERE " + spec.where;
  return soql;
}

}  // namespace

bool SalesforceConnector::wants_bulk(const chp::salesforce::QueryPage& first) const {
  return config_.bulk_threshold_records > 0 && !first.done &&
         first.total_size >= config_.bulk_threshold_records;
}

std::optional<json::object> SalesforceConnector::resume_bulk_load(
    chp::Call& call, chp::salesforce::Client& client, const ObjectSpec& spec, const ReadPlan& plan,
    std::optional<std::string>& plan_to_store) {
  if (!ctx_.state_get(kBulkLoadPrefix + spec.name)) return std::nullopt;
  return bulk_load(call, client, spec, plan, plan_to_store);
}

json::object SalesforceConnector::bulk_load(chp::Call& call, chp::salesforce::Client& client,
                                            const ObjectSpec& spec, const ReadPlan& plan,
                                            std::optional<std::string>& plan_to_store) {
  const std::string state_key = kBulkLoadPrefix + spec.name;
  const std::string checkpoint_key = kCheckpointPrefix + spec.name;
  chp::salesforce::BulkQuery bulk(client);
  std::map<std::string, CsvType> types = field_types(client, spec.name);
  int jobs_started = 0;
  int polls = 0;
  std::int64_t sets = 0;

  std::optional<BulkState> st;
  if (std::optional<std::string> saved = ctx_.state_get(state_key)) {
    st = BulkState::from_json(*saved);
  }
  auto start_job = [&] {
    // Two fresh jobs that vanish in one run mean something else is wrong; stop there.
    if (++jobs_started > 2) {
      throw chp::TransientError("Bulk API query job for " + spec.name +
                                " disappeared twice in one run");
    }
    chp::salesforce::BulkJob job = bulk.create(bulk_soql(spec), /*include_deleted=*/plan.query_all);
    BulkState fresh;
    fresh.job = job.id;
    fresh.created_date = job.created_date;
    chp::Transaction txn = ctx_.begin();
    txn.put(state_key, fresh.to_json());
    if (plan_to_store) txn.put(kPlanPrefix + spec.name, *plan_to_store);
    txn.commit();
    plan_to_store.reset();
    st = fresh;
  };
  if (!st) start_job();

  for (;;) {
    call.throw_if_cancelled();
    std::optional<chp::salesforce::BulkJob> job;
    try {
      job = bulk.wait(call, st->job, &polls);
    } catch (const chp::TransientError&) {
      // Failed or aborted at Salesforce: the next attempt starts a new job.
      chp::Transaction txn = ctx_.begin();
      txn.del(state_key);
      txn.commit();
      throw;
    }
    if (!job) {  // expired or deleted: start over cleanly
      ctx_.log(chp::LogLevel::kWarn, "Bulk API query job " + st->job + " for " + spec.name +
                                         " no longer exists at Salesforce; starting a new job");
      start_job();
      continue;
    }
    if (st->created_date.empty()) st->created_date = job->created_date;

    bool gone = false;
    for (;;) {
      call.throw_if_cancelled();
      std::optional<chp::salesforce::BulkResultSet> set =
          bulk.results(st->job, st->locator, config_.bulk_page_records);
      if (!set) {
        gone = true;
        break;
      }
      ++sets;
      chp::Transaction txn = ctx_.begin();
      std::int64_t set_upserted = 0;
      std::int64_t set_deleted = 0;
      std::vector<CsvType> column_types;
      for (const std::string& c : set->columns) {
        auto it = types.find(c);
        column_types.push_back(it == types.end() ? CsvType::kText : it->second);
      }
      for (const chp::salesforce::CsvRow& row : set->rows) {
        json::object rec;
        for (std::size_t i = 0; i < row.size(); ++i) {
          rec[set->columns[i]] = typed(row[i], column_types[i]);
        }
        const json::value* id = rec.if_contains("Id");
        if (id == nullptr || !id->is_string() || id->as_string().empty()) continue;
        const json::value* del = rec.if_contains("IsDeleted");
        bool is_deleted = del != nullptr && del->is_bool() && del->as_bool();
        txn.upsert_record(spec.name, id->as_string(), rec, is_deleted);
        ++(is_deleted ? set_deleted : set_upserted);
      }
      BulkState next = *st;
      next.locator = set->next_locator;
      next.upserted += set_upserted;
      next.deleted += set_deleted;
      if (set->next_locator.empty()) {
        txn.put(checkpoint_key, st->created_date);
        txn.del(state_key);
      } else {
        txn.put(state_key, next.to_json());
      }
      txn.commit();
      *st = next;
      ctx_.metric_add("records_synced_total", static_cast<double>(set_upserted + set_deleted));
      records_in_run_ += set_upserted + set_deleted;
      ctx_.report_status(spec.name + ": " + std::to_string(st->upserted + st->deleted) + " of " +
                         std::to_string(job->records_processed) + " records synced (Bulk API)" +
                         progress_rate(st->upserted + st->deleted, client));
      if (set->next_locator.empty()) {
        return json::object{{"upserted", st->upserted}, {"deleted", st->deleted},
                            {"mode", "bulk"},           {"bulk_job", st->job},
                            {"bulk_result_sets", sets}, {"bulk_status_polls", polls}};
      }
    }
    if (gone) {
      ctx_.log(chp::LogLevel::kWarn, "Bulk API query job " + st->job + " for " + spec.name +
                                         " expired while its results were read; starting over");
      start_job();
    }
  }
}

}  // namespace sfplugin
