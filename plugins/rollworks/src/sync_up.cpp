// Up: Salesforce -> RollWorks. Per object, queryAll (so deletions arrive as IsDeleted = true)
//   SELECT Id, SystemModstamp, IsDeleted, <fields> FROM X
//   WHERE SystemModstamp >= <checkpoint - overlap> ORDER BY SystemModstamp, Id
// Every Salesforce page is sent in batches of at most page_size (<= 500) records; once all
// its batches were accepted, the page's newest SystemModstamp is committed as the checkpoint
// (kv "up/<Object>"). A batch RollWorks rejects as a whole (non-2xx) stops the object without
// advancing; per-record `error` results are logged and counted and do not hold the checkpoint
// back (one bad record must not block every later change).
#include <connector_host/sdk/salesforce/soql_time.hpp>

#include <algorithm>
#include <cctype>

#include "rollworks_connector.hpp"

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

UpCounts RollworksConnector::sync_up(chp::Call& call, chp::salesforce::Client& sf,
                                     RollworksClient& rw, const std::string& object) {
  const std::string key = kUpCheckpointPrefix + object;
  const std::string path = object == "Account"       ? "/crm/accounts:batchUpsert"
                           : object == "Opportunity" ? "/crm/opportunities:batchUpsert"
                           : object == "Campaign"    ? "/crm/campaigns:batchUpsert"
                                                     : "/crm/contacts:batchUpsert";
  std::string checkpoint = ctx_.state_get(key).value_or("");
  std::optional<std::int64_t> checkpoint_s = chp::salesforce::parse_sf_datetime(checkpoint);
  UpCounts counts;
  sf.query_all(
      build_up_query(object, checkpoint, config_.overlap_seconds),
      [&](chp::salesforce::QueryPage& page) {
        if (!counts.failure.empty() || page.records.empty()) return;
        std::string newest;
        std::optional<std::int64_t> newest_s = checkpoint_s;
        boost::json::array records;
        for (const boost::json::value& v : page.records) {
          if (!v.is_object()) continue;
          const boost::json::object& row = v.as_object();
          const std::string stamp = str(row, "SystemModstamp");
          if (std::optional<std::int64_t> s = chp::salesforce::parse_sf_datetime(stamp)) {
            // Forward only: the overlap re-reads rows older than the checkpoint.
            if (!newest_s || *s >= *newest_s) {
              newest_s = s;
              newest = stamp;
            }
          }
          records.push_back(to_rollworks_record(object, row));
        }
        for (std::size_t start = 0; start < records.size(); start += config_.page_size_records) {
          call.throw_if_cancelled();
          const std::size_t end = std::min(records.size(), start + config_.page_size_records);
          boost::json::array batch(records.begin() + static_cast<std::ptrdiff_t>(start),
                                   records.begin() + static_cast<std::ptrdiff_t>(end));
          RollworksResponse r = rw.post(path, boost::json::object{{"records", batch}});
          if (!r.ok()) {
            counts.failure =
                object + ": RollWorks refused a batch (" + r.error_text() + "); retried next sync";
            return;  // the checkpoint stays before this page
          }
          const boost::json::value* results = r.body.if_contains("results");
          if (results == nullptr || !results->is_array()) continue;
          for (const boost::json::value& res : results->as_array()) {
            if (!res.is_object()) continue;
            const std::string status = str(res.as_object(), "status");
            if (status == "created") ++counts.created;
            if (status == "updated") ++counts.updated;
            if (status == "unchanged") ++counts.unchanged;
            if (status == "error") {
              ++counts.record_errors;
              std::string why;
              if (const auto* e = res.as_object().if_contains("error"); e && e->is_object()) {
                why = str(e->as_object(), "code") + ": " + str(e->as_object(), "message");
              }
              ctx_.log(chp::LogLevel::kWarn, object + " " + str(res.as_object(), "external_id") +
                                                 " refused by RollWorks: " + why);
            }
          }
        }
        counts.read += static_cast<std::int64_t>(records.size());
        if (!newest.empty()) {
          chp::Transaction txn = ctx_.begin();
          txn.put(key, newest);
          txn.commit();
          checkpoint_s = newest_s;
        }
      });
  return counts;
}

}  // namespace rollworks
