// Up: Salesforce -> RollWorks. Per object, queryAll (so deletions arrive as IsDeleted = true)
//   SELECT Id, SystemModstamp, IsDeleted, <fields> FROM X
//   WHERE SystemModstamp >= <checkpoint - overlap> ORDER BY SystemModstamp, Id
// Every Salesforce page is sent in batches of at most page_size (<= 500) records; once all
// its batches were accepted, the page's newest SystemModstamp is committed as the checkpoint
// (kv "up/<Object>") in one transaction with what RollWorks took (sent_payloads.hpp) and what
// it refused (outbox.hpp): a per-record `error` waits in the outbox and does not hold the
// checkpoint back (one bad record must not block every later change). A batch RollWorks
// rejects as a whole (non-2xx) stops the object without advancing.
//
// Echoes: a record whose mapped payload is the one RollWorks last took (our own journey stage
// write bumped its SystemModstamp, or the overlap re-read it) is not sent again. A full read
// (no checkpoint: the first sync, or an admin reset the checkpoint) sends everything.
#include <connector_host/sdk/salesforce/soql_time.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "rollworks_connector.hpp"
#include "sent_payloads.hpp"

namespace rollworks {
namespace {

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Copies o[from] to out[to] when it is set (Salesforce sends null for empty fields).
void copy_field(const boost::json::object& o, std::string_view from, boost::json::object& out,
                std::string_view to) {
  const boost::json::value* v = o.if_contains(from);
  if (v != nullptr && !v->is_null()) out[to] = *v;
}

}  // namespace

std::string domain_from_website(std::string_view website) {
  std::string s(website);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  s = s.substr(first, s.find_last_not_of(" \t") - first + 1);
  for (std::string_view scheme : {"https://", "http://", "//"}) {
    if (s.starts_with(scheme)) {
      s.erase(0, scheme.size());
      break;
    }
  }
  s = s.substr(0, s.find_first_of("/?#"));
  if (const std::size_t at = s.rfind('@'); at != std::string::npos) s.erase(0, at + 1);
  s = s.substr(0, s.find(':'));
  if (s.starts_with("www.")) s.erase(0, 4);
  if (s.ends_with(".")) s.pop_back();
  return s;
}

std::string build_up_query(const std::string& object, const std::string& checkpoint,
                           std::int64_t overlap_s) {
  std::string soql = "SELECT Id, SystemModstamp, IsDeleted, ";
  if (object == "Account") {
    soql += "Name, Website, Industry, NumberOfEmployees, AnnualRevenue";
  } else if (object == "Contact") {
    soql += "Email, FirstName, LastName, Title, AccountId";
  } else if (object == "Opportunity") {
    soql += "Name, AccountId, StageName, Amount, CloseDate, IsClosed, IsWon";
  } else if (object == "Campaign") {
    soql += "Name, Type, Status, StartDate, EndDate";
  } else {
    soql += "Email, FirstName, LastName, Title";
  }
  soql += " FROM " + object;
  if (std::optional<std::int64_t> cp = chp::salesforce::parse_sf_datetime(checkpoint)) {
    soql += " WHERE SystemModstamp >= " + chp::salesforce::format_soql_datetime(*cp - overlap_s);
  }
  return soql + " ORDER BY SystemModstamp ASC, Id ASC";
}

boost::json::object to_rollworks_record(const std::string& object, const boost::json::object& row) {
  boost::json::object r{{"external_id", str(row, "Id")}};
  const boost::json::value* del = row.if_contains("IsDeleted");
  const bool deleted = del != nullptr && del->is_bool() && del->as_bool();
  if (object == "Account") {
    copy_field(row, "Name", r, "name");
    copy_field(row, "Website", r, "website");
    if (const std::string d = domain_from_website(str(row, "Website")); !d.empty()) r["domain"] = d;
    copy_field(row, "Industry", r, "industry");
    copy_field(row, "NumberOfEmployees", r, "employees");
    copy_field(row, "AnnualRevenue", r, "annual_revenue");
  } else if (object == "Opportunity") {
    copy_field(row, "Name", r, "name");
    copy_field(row, "AccountId", r, "account_external_id");
    copy_field(row, "StageName", r, "stage");
    copy_field(row, "Amount", r, "amount");
    copy_field(row, "CloseDate", r, "close_date");
    copy_field(row, "IsClosed", r, "is_closed");
    copy_field(row, "IsWon", r, "is_won");
  } else if (object == "Campaign") {
    copy_field(row, "Name", r, "name");
    copy_field(row, "Type", r, "type");
    copy_field(row, "Status", r, "status");
    copy_field(row, "StartDate", r, "start_date");
    copy_field(row, "EndDate", r, "end_date");
  } else {
    copy_field(row, "Email", r, "email");
    copy_field(row, "FirstName", r, "first_name");
    copy_field(row, "LastName", r, "last_name");
    copy_field(row, "Title", r, "title");
    if (object == "Contact") copy_field(row, "AccountId", r, "account_external_id");
    r["kind"] = object == "Contact" ? "contact" : "lead";
  }
  if (deleted) r["deleted"] = true;
  return r;
}

std::string RollworksConnector::up_collection(const std::string& object) {
  return object == "Account"       ? "rollworks-accounts"
         : object == "Opportunity" ? "rollworks-opportunities"
         : object == "Campaign"    ? "rollworks-campaigns"
                                   : "rollworks-contacts";
}

std::vector<std::string> RollworksConnector::upload(RollworksClient& rw, const std::string& object,
                                                    const boost::json::array& records,
                                                    UpCounts& counts) {
  const std::string path = object == "Account"       ? "/crm/accounts:batchUpsert"
                           : object == "Opportunity" ? "/crm/opportunities:batchUpsert"
                           : object == "Campaign"    ? "/crm/campaigns:batchUpsert"
                                                     : "/crm/contacts:batchUpsert";
  RollworksResponse r = rw.post(path, boost::json::object{{"records", records}});
  if (!r.ok()) {
    counts.failure =
        object + ": RollWorks refused a batch (" + r.error_text() + "); retried next sync";
    return {};
  }
  // One result per record, in order (API.md §3); a missing one is not taken.
  std::vector<std::string> errors(records.size(), object + ": RollWorks answered no result");
  const boost::json::value* results = r.body.if_contains("results");
  if (results == nullptr || !results->is_array()) return errors;
  for (std::size_t i = 0; i < records.size() && i < results->as_array().size(); ++i) {
    const boost::json::value& res = results->as_array()[i];
    if (!res.is_object()) continue;
    const std::string status = str(res.as_object(), "status");
    const std::string id = str(records[i].as_object(), "external_id");
    if (status == "created" || status == "updated" || status == "unchanged") {
      ++(status == "created"   ? counts.created
         : status == "updated" ? counts.updated
                               : counts.unchanged);
      errors[i].clear();
      continue;
    }
    std::string why = "status " + status;
    if (const auto* e = res.as_object().if_contains("error"); e && e->is_object()) {
      why = str(e->as_object(), "code") + ": " + str(e->as_object(), "message");
    }
    errors[i] = object + " " + id + " refused by RollWorks: " + why;
  }
  return errors;
}

UpCounts RollworksConnector::sync_up(chp::Call& call, chp::salesforce::Client& sf,
                                     RollworksClient& rw, RecordOutbox& outbox,
                                     const std::string& object) {
  const std::string key = kUpCheckpointPrefix + object;
  const std::string collection = up_collection(object);
  std::string checkpoint = ctx_.state_get(key).value_or("");
  std::optional<std::int64_t> checkpoint_s = chp::salesforce::parse_sf_datetime(checkpoint);
  const bool incremental = checkpoint_s.has_value();
  UpCounts counts;

  // Waiting uploads first (outbox record: {"stamp_s", "record"}), oldest first; one that a
  // newer version of the record has overtaken since (an admin retried a parked one) is not
  // sent: it would overwrite newer data at RollWorks.
  RecordOutbox::RetryHooks hooks;
  hooks.stale = [&](const chp::OutboxEntry& e) -> std::string {
    const std::optional<SentPayload> sent = last_sent(ctx_, object, e.id);
    const boost::json::value* stamp =
        e.record.is_object() ? e.record.as_object().if_contains("stamp_s") : nullptr;
    if (!sent || stamp == nullptr || !stamp->is_int64()) return "";
    return sent->stamp_s >= stamp->as_int64() ? "a newer version was sent since" : "";
  };
  hooks.written = [&](chp::Transaction& txn, const chp::OutboxEntry& e) {
    const boost::json::object& w = e.record.as_object();
    remember_sent(txn, object, e.id,
                  {payload_digest(w.at("record").as_object()), w.at("stamp_s").as_int64(), ""});
  };
  outbox.retry(
      collection, config_.page_size_records,
      [&](const boost::json::array& waiting) -> std::optional<std::vector<std::string>> {
        boost::json::array records;
        for (const boost::json::value& w : waiting) {
          const boost::json::value* r =
              w.is_object() ? w.as_object().if_contains("record") : nullptr;
          records.push_back(r != nullptr && r->is_object() ? *r : boost::json::object{});
        }
        std::vector<std::string> errors = upload(rw, object, records, counts);
        if (!counts.failure.empty()) return std::nullopt;
        return errors;
      },
      counts.outbox, hooks);
  if (!counts.failure.empty()) return counts;

  struct Outgoing {
    std::string id;
    SentPayload sent;
    boost::json::object record;
    std::optional<SentPayload> last;  // what RollWorks had of it (incremental reads)
  };
  sf.query_all(
      build_up_query(object, checkpoint, config_.overlap_seconds),
      [&](chp::salesforce::QueryPage& page) {
        if (!counts.failure.empty() || page.records.empty()) return;
        std::string newest;
        std::optional<std::int64_t> newest_s = checkpoint_s;
        std::vector<Outgoing> outgoing;
        for (const boost::json::value& v : page.records) {
          if (!v.is_object()) continue;
          const boost::json::object& row = v.as_object();
          ++counts.read;
          const std::string stamp = str(row, "SystemModstamp");
          const std::optional<std::int64_t> s = chp::salesforce::parse_sf_datetime(stamp);
          // Forward only: the overlap re-reads rows older than the checkpoint.
          if (s && (!newest_s || *s >= *newest_s)) {
            newest_s = s;
            newest = stamp;
          }
          Outgoing o{str(row, "Id"), {}, to_rollworks_record(object, row), std::nullopt};
          o.sent = {payload_digest(o.record), s.value_or(0), ""};
          if (incremental) {
            o.last = last_sent(ctx_, object, o.id);
            if (o.last && o.last->digest == o.sent.digest) {
              ++counts.echoes;
              continue;
            }
            // A version RollWorks refused already waits in the outbox (or was parked there).
            if (o.last && o.last->refused_digest == o.sent.digest) continue;
          }
          outgoing.push_back(std::move(o));
        }
        // RollWorks' answers, applied in one transaction after the page's last batch.
        std::vector<std::string> errors;
        for (std::size_t start = 0; start < outgoing.size(); start += config_.page_size_records) {
          call.throw_if_cancelled();
          const std::size_t end = std::min(outgoing.size(), start + config_.page_size_records);
          boost::json::array batch;
          for (std::size_t i = start; i < end; ++i) batch.push_back(outgoing[i].record);
          std::vector<std::string> answer = upload(rw, object, batch, counts);
          if (!counts.failure.empty()) return;  // the checkpoint stays before this page
          errors.insert(errors.end(), std::make_move_iterator(answer.begin()),
                        std::make_move_iterator(answer.end()));
        }
        chp::Transaction txn = ctx_.begin();
        for (std::size_t i = 0; i < outgoing.size(); ++i) {
          const Outgoing& o = outgoing[i];
          outbox.supersede(txn, collection, o.id, counts.outbox);
          if (errors[i].empty()) {
            remember_sent(txn, object, o.id, o.sent);
            continue;
          }
          ++counts.record_errors;
          SentPayload refused =
              o.last ? *o.last : last_sent(ctx_, object, o.id).value_or(SentPayload{});
          refused.refused_digest = o.sent.digest;
          remember_sent(txn, object, o.id, refused);
          outbox.add(txn, collection, o.id,
                     boost::json::object{{"stamp_s", o.sent.stamp_s}, {"record", o.record}},
                     errors[i]);
        }
        if (!newest.empty()) {
          txn.put(key, newest);
          checkpoint_s = newest_s;
        }
        txn.commit();
      });
  return counts;
}

}  // namespace rollworks
