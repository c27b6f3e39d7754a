// chp::salesforce::BulkQuery: Bulk API 2.0 query jobs over a chp::salesforce::Client (so the
// session refresh, quota guard and error classes are the REST client's):
//   create()  POST /jobs/query {"operation":"query"|"queryAll","query":SOQL}
//   wait()    GET  /jobs/query/{id} with exponential backoff until JobComplete
//   results() GET  /jobs/query/{id}/results?maxRecords=&locator= : one CSV result set and the
//             locator of the next (Sforce-Locator; "null" after the last)
// A job Salesforce no longer has (deleted, or expired: jobs live 7 days) answers 404; info(),
// wait() and results() then return std::nullopt so a caller holding a saved job id can start
// over. parse_csv() reads the RFC 4180 result sets.
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_BULK_QUERY_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_BULK_QUERY_HPP_

#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/salesforce/client.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chp::salesforce {

// One CSV row; std::nullopt is an empty unquoted field (Salesforce's null).
using CsvRow = std::vector<std::optional<std::string>>;

// RFC 4180: fields separated by `delimiter`, optionally quoted ("" inside quotes is one quote;
// quoted fields may hold delimiters and line breaks), rows ended by LF or CRLF. Throws
// PermanentError naming the row of an unterminated quote or of text after a closing quote.
inline std::vector<CsvRow> parse_csv(std::string_view text, char delimiter = ',') {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto bad = [&](const char* why) {
    throw PermanentError("Bulk API result CSV, row " + std::to_string(rows.size() + 1) + ": " +
                         why);
  };
  while (i < n) {
    std::optional<std::string> field;
    if (text[i] == '"') {
      std::string value;
      ++i;
      for (;;) {
        if (i >= n) bad("unterminated quoted field");
        char c = text[i++];
        if (c != '"') {
          value += c;
        } else if (i < n && text[i] == '"') {
          value += '"';
          ++i;
        } else {
          break;
        }
      }
      field = std::move(value);
      if (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
        bad("text after a closing quote");
      }
    } else {
      std::size_t end = i;
      while (end < n && text[end] != delimiter && text[end] != '\n' && text[end] != '\r') ++end;
      if (end > i) field = std::string(text.substr(i, end - i));
      i = end;
    }
    row.push_back(std::move(field));
    if (i < n && text[i] == delimiter) {
      ++i;
      if (i == n) row.emplace_back();  // a trailing delimiter ends with an empty field
      continue;
    }
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    rows.push_back(std::move(row));
    row.clear();
  }
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}

struct BulkJob {
  std::string id;
  std::string state;         // UploadComplete, InProgress, JobComplete, Aborted, Failed
  std::string created_date;  // server time the job (and its snapshot) was created
  std::string error_message;
  std::int64_t records_processed = 0;
};

// One result set: the header row, the records, and where the next set starts.
struct BulkResultSet {
  std::vector<std::string> columns;
  std::vector<CsvRow> rows;
  std::string next_locator;  // empty after the last set
};

class BulkQuery {
 public:
  // Status polls start this far apart and double up to the cap (Salesforce suggests polling
  // no more often than every few seconds for long jobs).
  static constexpr std::int64_t kFirstPollMs = 250;
  static constexpr std::int64_t kMaxPollMs = 10'000;

  explicit BulkQuery(Client& client) : client_(client) {}

  BulkJob create(std::string_view soql, bool include_deleted) {
    boost::json::object body{{"operation", include_deleted ? "queryAll" : "query"},
                             {"query", soql},
                             {"contentType", "CSV"},
                             {"columnDelimiter", "COMMA"},
                             {"lineEnding", "LF"}};
    http::Response resp = client_.send("POST", client_.data_path("jobs/query"),
                                       boost::json::serialize(body), "create Bulk API query job");
    return parse_job(resp.body, "create Bulk API query job");
  }

  std::optional<BulkJob> info(std::string_view job_id) {
    std::string what = "Bulk API query job " + std::string(job_id);
    std::optional<http::Response> resp = client_.send_unless_not_found(
        "GET", client_.data_path("jobs/query/" + http::url_encode(job_id)), what);
    if (!resp) return std::nullopt;
    return parse_job(resp->body, what);
  }

  // Until JobComplete, sleeping between polls (cancellable: Call::sleep_ms). A Failed or
  // Aborted job is a TransientError with Salesforce's errorMessage (a new job may succeed);
  // std::nullopt when the job is gone. `polls` counts the status requests.
  std::optional<BulkJob> wait(const Call& call, std::string_view job_id, int* polls = nullptr) {
    std::int64_t delay_ms = kFirstPollMs;
    for (;;) {
      std::optional<BulkJob> job = info(job_id);
      if (polls != nullptr) ++*polls;
      if (!job || job->state == "JobComplete") return job;
      if (job->state == "Failed" || job->state == "Aborted") {
        throw TransientError("Bulk API query job " + job->id + " " + job->state +
                             (job->error_message.empty() ? "" : ": " + job->error_message));
      }
      call.sleep_ms(delay_ms);
      delay_ms = std::min(delay_ms * 2, kMaxPollMs);
    }
  }

  // One result set starting at `locator` (empty: the first), at most `max_records` records.
  std::optional<BulkResultSet> results(std::string_view job_id, std::string_view locator,
                                       std::uint32_t max_records) {
    std::string path = client_.data_path("jobs/query/" + http::url_encode(job_id) +
                                         "/results?maxRecords=" + std::to_string(max_records));
    if (!locator.empty()) path += "&locator=" + http::url_encode(locator);
    std::string what = "Bulk API query results of " + std::string(job_id);
    std::optional<http::Response> resp =
        client_.send_unless_not_found("GET", path, what, {{"Accept", "text/csv"}});
    if (!resp) return std::nullopt;
    BulkResultSet set;
    std::vector<CsvRow> rows = parse_csv(resp->body);
    if (!rows.empty()) {
      for (const auto& c : rows.front()) set.columns.push_back(c.value_or(""));
      rows.erase(rows.begin());
    }
    for (CsvRow& r : rows) {
      if (r.size() != set.columns.size()) {
        throw PermanentError(what + ": a CSV row has " + std::to_string(r.size()) +
                             " fields, the header " + std::to_string(set.columns.size()));
      }
    }
    set.rows = std::move(rows);
    std::string next = resp->header("Sforce-Locator").value_or("null");
    set.next_locator = next == "null" ? "" : next;
    return set;
  }

 private:
  static BulkJob parse_job(std::string_view body, const std::string& what) {
    std::optional<boost::json::value> v = try_parse(body);
    if (!v || !v->is_object()) throw PermanentError(what + ": response is not a JSON object");
    const boost::json::object& o = v->as_object();
    BulkJob job;
    job.id = optional_string(o, "id", ErrorClass::kPermanent).value_or("");
    job.state = optional_string(o, "state", ErrorClass::kPermanent).value_or("");
    job.created_date = optional_string(o, "createdDate", ErrorClass::kPermanent).value_or("");
    job.error_message = optional_string(o, "errorMessage", ErrorClass::kPermanent).value_or("");
    if (const boost::json::value* n = o.if_contains("numberRecordsProcessed");
        n && n->is_number()) {
      job.records_processed = n->to_number<std::int64_t>();
    }
    if (job.id.empty() || job.state.empty()) throw PermanentError(what + ": job without id/state");
    return job;
  }

  Client& client_;
};

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_BULK_QUERY_HPP_
