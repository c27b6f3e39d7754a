// Bulk API 2.0 query jobs of the peer, as Salesforce documents them
// (/services/data/vXX.X/jobs/query):
//   POST   jobs/query                 {"operation":"query"|"queryAll","query":SOQL,
//                                      "columnDelimiter":..,"lineEnding":..} -> job info
//   GET    jobs/query                 {"done":true,"records":[job info..],"nextRecordsUrl":null}
//   GET    jobs/query/{id}            job info; state UploadComplete -> InProgress -> JobComplete
//   GET    jobs/query/{id}/results[?locator=&maxRecords=]  text/csv with Sforce-Locator (the
//          string "null" after the last set) and Sforce-NumberOfRecords
//   PATCH  jobs/query/{id}            {"state":"Aborted"}
//   DELETE jobs/query/{id}            204
// The query runs when the job is created, against a snapshot of the rows (shared record
// versions, see sf_store.h); the job then reports InProgress for `bulk_polls_to_complete` status
// polls (control API) so that clients exercise their polling, and is deleted 7 days after it was
// created (on the peer clock), as Salesforce deletes jobs.
#include <boost/json.hpp>
#include <cstdio>

#include "sf_peer_state.h"
#include "sf_util.h"
#include "soql.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

constexpr std::int64_t kJobLifetimeMs = 7LL * 24 * 3600 * 1000;

Response JobNotFound() {
  return RestError(404, "NOT_FOUND", "The requested resource does not exist");
}

json::object JobInfo(const BulkQueryJob& job) {
  json::object o;
  o["id"] = job.id;
  o["operation"] = job.operation;
  o["object"] = job.object;
  o["createdById"] = job.created_by_id;
  o["createdDate"] = FormatDateTime(job.created_ms);
  o["systemModstamp"] = FormatDateTime(job.modstamp_ms);
  o["state"] = job.state;
  o["concurrencyMode"] = "Parallel";
  o["contentType"] = "CSV";
  o["apiVersion"] = job.api_version;
  o["jobType"] = "V2Query";
  o["lineEnding"] = job.line_ending;
  o["columnDelimiter"] = job.column_delimiter;
  o["numberRecordsProcessed"] = job.state == "JobComplete" ? job.rows.size() : 0;
  o["retries"] = 0;
  o["totalProcessingTime"] = job.state == "JobComplete" ? 1 : 0;
  o["isPkChunkingSupported"] = true;
  if (!job.error_message.empty()) o["errorMessage"] = job.error_message;
  return o;
}

std::optional<char> Delimiter(std::string_view name) {
  if (name == "COMMA") return ',';
  if (name == "TAB") return '\t';
  if (name == "PIPE") return '|';
  if (name == "SEMICOLON") return ';';
  if (name == "CARET") return '^';
  if (name == "BACKQUOTE") return '`';
  return std::nullopt;
}

// RFC 4180 field: always quoted ("" escapes a quote); null is an empty, unquoted field.
void AppendCsvValue(const json::value* v, FieldType type, std::string& out) {
  if (v == nullptr) return;
  std::string text;
  if (v->is_string()) {
    text = std::string(v->as_string());
    // Bulk results give datetimes in UTC with a Z (REST: +0000).
    if (type == FieldType::kDateTime && text.size() > 5 && text.ends_with("+0000")) {
      text = text.substr(0, text.size() - 5) + "Z";
    }
  } else if (v->is_bool()) {
    text = v->as_bool() ? "true" : "false";
  } else if (v->is_double()) {
    // Plain decimal notation (JSON serialization would write 1.25E6).
    double d = v->as_double();
    char buf[64];
    int n = d == static_cast<double>(static_cast<long long>(d)) && d > -1e15 && d < 1e15
                ? std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d))
                : std::snprintf(buf, sizeof buf, "%.15g", d);
    text.assign(buf, static_cast<std::size_t>(n));
  } else {
    text = json::serialize(*v);
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string EncodeLocator(std::size_t offset) {
  std::string b64 = Base64Encode(std::to_string(offset));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

std::optional<std::size_t> DecodeLocator(const std::string& locator) {
  std::string url_safe = locator;
  for (char& c : url_safe) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  std::optional<std::string> text = Base64UrlDecode(url_safe);
  if (!text || text->empty()) return std::nullopt;
  for (char c : *text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  try {
    return static_cast<std::size_t>(std::stoull(*text));
  } catch (...) {
    return std::nullopt;
  }
}

Response CreateJob(PeerState& state, const Request& request, const AccessToken& token,
                   const std::string& version_path) {
  json::value body;
  try {
    body = json::parse(request.body);
  } catch (const std::exception&) {
  }
  const json::object* o = body.if_object();
  if (!o) return RestError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object");
  auto str = [&](const char* key, const char* fallback) -> std::string {
    const json::value* v = o->if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string(fallback);
  };
  std::string operation = str("operation", "");
  if (operation != "query" && operation != "queryAll") {
    return RestError(400, "INVALIDJOB",
                     "Invalid operation: '" + operation + "'. Use query or queryAll");
  }
  std::string soql = str("query", "");
  if (soql.empty()) return RestError(400, "INVALIDJOB", "Query is required");
  std::string delimiter = str("columnDelimiter", "COMMA");
  std::string line_ending = str("lineEnding", "LF");
  if (!Delimiter(delimiter)) {
    return RestError(400, "INVALIDJOB", "Invalid column delimiter: " + delimiter);
  }
  if (line_ending != "LF" && line_ending != "CRLF") {
    return RestError(400, "INVALIDJOB", "Invalid line ending: " + line_ending);
  }
  auto result = RunSoql(state.store, soql, operation == "queryAll", state.clock.NowMs());
  if (auto* err = std::get_if<SoqlError>(&result)) {
    return RestError(400, err->error_code, err->message);
  }
  SoqlResult& ok = std::get<SoqlResult>(result);
  if (ok.count_only) {
    return RestError(400, "INVALIDJOB", "Aggregate queries are not supported by Bulk API 2.0");
  }
  BulkQueryJob job;
  job.id = NewId("750");
  job.operation = operation;
  job.object = ok.object;
  job.created_by_id = token.user_id;
  job.created_ms = state.clock.NowMs();
  job.modstamp_ms = job.created_ms;
  job.api_version = std::stod(version_path.substr(version_path.rfind('v') + 1));
  job.version_path = version_path;
  job.column_delimiter = delimiter;
  job.line_ending = line_ending;
  job.fields = std::move(ok.fields);
  job.rows = std::move(ok.rows);
  job.polls_left = state.bulk_polls_to_complete;
  job.state = "UploadComplete";
  json::object info = JobInfo(job);
  state.bulk_jobs[job.id] = std::move(job);
  return Response::Json(200, json::serialize(info));
}

Response Results(PeerState& state, const Request& request, BulkQueryJob& job,
                 const std::string& version_path) {
  if (version_path != job.version_path) {
    return RestError(409, "API_VERSION_MISMATCH",
                     "Use the API version that created the job (" + job.version_path + ")");
  }
  if (job.state != "JobComplete") {
    return RestError(412, "JOB_NOT_COMPLETE",
                     "can only download query results of successfully completed bulk job with "
                     "status: JOB_COMPLETE. Current status: " +
                         job.state);
  }
  std::size_t offset = 0;
  if (auto it = request.query.find("locator"); it != request.query.end() && !it->second.empty()) {
    std::optional<std::size_t> decoded = DecodeLocator(it->second);
    if (!decoded || *decoded > job.rows.size()) {
      return RestError(400, "INVALID_LOCATOR", "Invalid locator: " + it->second);
    }
    offset = *decoded;
  }
  std::size_t max_records = state.bulk_default_max_records;
  if (auto it = request.query.find("maxRecords"); it != request.query.end()) {
    try {
      long long n = std::stoll(it->second);
      if (n <= 0) throw std::invalid_argument("maxRecords");
      max_records = static_cast<std::size_t>(n);
    } catch (...) {
      return RestError(400, "INVALID_MAX_RECORDS", "maxRecords must be a positive integer");
    }
  }
  std::size_t end = std::min(job.rows.size(), offset + max_records);
  char delim = *Delimiter(job.column_delimiter);
  const char* eol = job.line_ending == "CRLF" ? "\r\n" : "\n";
  // Every set is a whole CSV document: the header row, then its records.
  Projection projection(state.store, job.object, job.fields);
  const ObjectDef* object = state.store.schema().Find(job.object);
  std::vector<FieldType> types;
  std::string csv;
  for (std::size_t i = 0; i < job.fields.size(); ++i) {
    if (i) csv += delim;
    csv += '"' + job.fields[i] + '"';
    const FieldDef* f = object ? object->FindField(job.fields[i]) : nullptr;
    types.push_back(f ? f->type : FieldType::kString);
  }
  csv += eol;
  for (std::size_t r = offset; r < end; ++r) {
    for (std::size_t i = 0; i < job.fields.size(); ++i) {
      if (i) csv += delim;
      AppendCsvValue(projection.Flat(*job.rows[r], i), types[i], csv);
    }
    csv += eol;
  }
  Response response;
  response.status = 200;
  response.headers["Content-Type"] = "text/csv";
  response.headers["Sforce-NumberOfRecords"] = std::to_string(end - offset);
  response.headers["Sforce-Locator"] = end < job.rows.size() ? EncodeLocator(end) : "null";
  response.body = std::move(csv);
  return response;
}

}  // namespace

Response HandleBulkQuery(PeerState& state, const Request& request, const AccessToken& token,
                         const std::string& version_path, const std::vector<std::string>& rest) {
  // rest[0] == "jobs"
  if (rest.size() < 2 || rest[1] != "query") return JobNotFound();
  std::int64_t now = state.clock.NowMs();
  std::erase_if(state.bulk_jobs,
                [now](const auto& e) { return now - e.second.created_ms >= kJobLifetimeMs; });
  if (rest.size() == 2) {
    if (request.method == "POST") return CreateJob(state, request, token, version_path);
    if (request.method == "GET") {
      json::array records;
      for (const auto& [id, job] : state.bulk_jobs) records.push_back(JobInfo(job));
      return Response::Json(
          200, json::serialize(json::object{
                   {"done", true}, {"records", std::move(records)}, {"nextRecordsUrl", nullptr}}));
    }
    return RestError(405, "METHOD_NOT_ALLOWED",
                     "HTTP Method '" + request.method + "' not allowed. Allowed are GET,POST");
  }
  auto it = state.bulk_jobs.find(rest[2]);
  if (it == state.bulk_jobs.end()) {
    if (auto norm = NormalizeId(rest[2])) it = state.bulk_jobs.find(*norm);
  }
  if (it == state.bulk_jobs.end()) return JobNotFound();
  BulkQueryJob& job = it->second;
  if (rest.size() == 4 && rest[3] == "results") {
    if (request.method != "GET") {
      return RestError(405, "METHOD_NOT_ALLOWED",
                       "HTTP Method '" + request.method + "' not allowed. Allowed are GET");
    }
    return Results(state, request, job, version_path);
  }
  if (rest.size() != 3) return JobNotFound();
  if (request.method == "GET") {
    // Processing advances with each status poll: UploadComplete -> InProgress ... -> JobComplete.
    if (job.state == "UploadComplete" || job.state == "InProgress") {
      if (job.polls_left > 0) {
        --job.polls_left;
        job.state = "InProgress";
      } else {
        job.state = "JobComplete";
      }
      job.modstamp_ms = now;
    }
    return Response::Json(200, json::serialize(JobInfo(job)));
  }
  if (request.method == "PATCH") {
    json::value body;
    try {
      body = json::parse(request.body);
    } catch (const std::exception&) {
    }
    const json::value* wanted = body.is_object() ? body.as_object().if_contains("state") : nullptr;
    if (!wanted || !wanted->is_string() || wanted->as_string() != "Aborted") {
      return RestError(400, "INVALIDJOBSTATE", "A query job can only be set to Aborted");
    }
    if (job.state == "JobComplete" || job.state == "Failed" || job.state == "Aborted") {
      return RestError(400, "INVALIDJOBSTATE",
                       "Job is already " + job.state + " and can not be aborted");
    }
    job.state = "Aborted";
    job.modstamp_ms = now;
    return Response::Json(200, json::serialize(JobInfo(job)));
  }
  if (request.method == "DELETE") {
    if (job.state == "UploadComplete" || job.state == "InProgress") {
      return RestError(400, "INVALIDJOBSTATE", "Abort the job before deleting it");
    }
    state.bulk_jobs.erase(it);
    return Response::Empty(204);
  }
  return RestError(
      405, "METHOD_NOT_ALLOWED",
      "HTTP Method '" + request.method + "' not allowed. Allowed are GET,PATCH,DELETE");
}

}  // namespace chpeer::sf
