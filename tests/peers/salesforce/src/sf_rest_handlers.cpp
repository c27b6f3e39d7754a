// Salesforce REST resources of the peer under /services/data/vXX.X: resources, query and
// queryAll with cursors, sObject describe and CRUD, upsert by external ID, and limits.
// Collections (/composite/sobjects) live in sf_composite_handlers.cpp.
#include <algorithm>
#include <boost/json.hpp>

#include "sf_peer_state.h"
#include "sf_util.h"
#include "soql.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

Response JsonOk(int status, const json::value& value) {
  return Response::Json(status, json::serialize(value));
}

Response NotFound() { return RestError(404, "NOT_FOUND", "The requested resource does not exist"); }

Response RecordErrorResponse(const RecordError& error) {
  json::object e;
  e["message"] = error.message;
  e["errorCode"] = error.status_code;
  json::array fields;
  for (const auto& f : error.fields) fields.push_back(json::value(f));
  e["fields"] = std::move(fields);
  int status = error.status_code == "NOT_FOUND" ? 404 : 400;
  return Response::Json(status, json::serialize(json::array{e}));
}

std::optional<json::object> ParseBodyObject(const Request& request, Response* error) {
  try {
    json::value v = json::parse(request.body);
    if (v.is_object()) return std::move(v.as_object());
  } catch (const std::exception&) {
  }
  *error = RestError(400, "JSON_PARSER_ERROR",
                     "Unexpected character in request body: the body must be a JSON object");
  return std::nullopt;
}

std::int64_t BatchSize(const Request& request) {
  auto header = request.Header("Sforce-Query-Options");
  if (!header) return kDefaultBatchSize;
  auto pos = ToLower(*header).find("batchsize=");
  if (pos == std::string::npos) return kDefaultBatchSize;
  try {
    std::int64_t n = std::stoll(header->substr(pos + 10));
    // Documented range; Salesforce may adjust the size, it never fails the request.
    return std::clamp<std::int64_t>(n, 200, 2000);
  } catch (...) {
    return kDefaultBatchSize;
  }
}

void DropIdleCursors(PeerState& state) {
  std::int64_t now = state.clock.NowMs();
  std::erase_if(state.cursors, [now](const auto& entry) {
    return now - entry.second.last_used_ms >= kCursorIdleTimeoutMs;
  });
}

// One page of an open cursor; the cursor is freed with its last page.
Response QueryPage(PeerState& state, const std::string& version_path, const std::string& cursor_id,
                   std::size_t offset) {
  DropIdleCursors(state);
  auto it = state.cursors.find(cursor_id);
  if (it == state.cursors.end() || offset > it->second.rows.size()) {
    return RestError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  }
  QueryCursor& cursor = it->second;
  cursor.last_used_ms = state.clock.NowMs();
  std::size_t total = cursor.rows.size();
  std::size_t end = std::min(total, offset + static_cast<std::size_t>(cursor.batch_size));
  json::object body;
  body["totalSize"] = total;
  body["done"] = end >= total;
  if (end < total) {
    body["nextRecordsUrl"] = version_path + "/query/" + cursor_id + "-" + std::to_string(end);
  }
  Projection projection(state.store, cursor.object, cursor.fields);
  json::array records;
  records.reserve(end - offset);
  for (std::size_t i = offset; i < end; ++i) {
    records.push_back(projection.Rest(*cursor.rows[i], version_path));
  }
  body["records"] = std::move(records);
  if (end >= total) state.cursors.erase(it);
  return JsonOk(200, body);
}

Response Query(PeerState& state, const Request& request, const std::string& version_path,
               bool include_deleted, const std::vector<std::string>& rest) {
  if (request.method != "GET")
    return RestError(405, "METHOD_NOT_ALLOWED",
                     "HTTP Method '" + request.method + "' not allowed. Allowed are GET");
  if (rest.size() == 2) {  // query/<cursor>-<offset>
    auto dash = rest[1].rfind('-');
    if (dash == std::string::npos)
      return RestError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    std::size_t offset = 0;
    try {
      offset = static_cast<std::size_t>(std::stoull(rest[1].substr(dash + 1)));
    } catch (...) {
      return RestError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    return QueryPage(state, version_path, rest[1].substr(0, dash), offset);
  }
  auto q = request.query.find("q");
  if (q == request.query.end() || q->second.empty()) {
    return RestError(400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  auto result = RunSoql(state.store, q->second, include_deleted, state.clock.NowMs());
  if (auto* err = std::get_if<SoqlError>(&result)) {
    return RestError(400, err->error_code, err->message);
  }
  auto& ok = std::get<SoqlResult>(result);
  if (ok.count_only) {
    return JsonOk(
        200,
        json::object{{"totalSize", ok.total_size}, {"done", true}, {"records", json::array{}}});
  }
  std::int64_t batch = BatchSize(request);
  // "If the SOQL statement selects two or more custom fields of type long text, the batch size
  // can't be greater than 200 records" (SOQL and SOSL Reference, Change the Batch Size in
  // Queries). Long text: a custom textarea longer than 255 characters (Long Text Area).
  if (const ObjectDef* object = state.store.schema().Find(ok.object)) {
    int long_text = 0;
    for (const std::string& name : ok.fields) {
      const FieldDef* f = object->FindField(name);
      if (f && f->custom && f->type == FieldType::kTextarea && f->length > 255) ++long_text;
    }
    if (long_text >= 2) batch = std::min<std::int64_t>(batch, 200);
  }
  std::string cursor_id = NewId("01g");
  QueryCursor cursor;
  cursor.object = ok.object;
  cursor.fields = std::move(ok.fields);
  cursor.rows = std::move(ok.rows);
  cursor.batch_size = batch;
  cursor.last_used_ms = state.clock.NowMs();
  state.cursors[cursor_id] = std::move(cursor);
  return QueryPage(state, version_path, cursor_id, 0);
}

}  // namespace

std::optional<Response> UnknownFieldsRefusal(const ObjectDef& object,
                                             const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (!object.FindField(name)) {
      return RestError(400, "INVALID_FIELD",
                       "No such column '" + name + "' on entity '" + object.name +
                           "'. If you are attempting to use a custom field, be sure to append "
                           "the '__c' after the custom field name. Please reference your WSDL or "
                           "the describe call for the appropriate names.");
    }
  }
  return std::nullopt;
}

std::vector<std::string> SplitFieldList(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string name = list.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (!name.empty()) out.push_back(std::move(name));
    start = comma + 1;
  }
  return out;
}

namespace {

json::object FullRecord(const ObjectDef& object, const json::object& record,
                        const std::string& version_path, const std::string& fields_param) {
  json::object out;
  std::string id(record.at("Id").as_string());
  out["attributes"] = json::object{{"type", object.name},
                                   {"url", version_path + "/sobjects/" + object.name + "/" + id}};
  if (fields_param.empty()) {
    for (const auto& f : object.fields) {
      auto* v = record.if_contains(f.name);
      out[f.name] = v ? *v : json::value(nullptr);
    }
    return out;
  }
  for (const auto& name : SplitFieldList(fields_param)) {
    if (const FieldDef* f = object.FindField(name)) {
      auto* v = record.if_contains(f->name);
      out[f->name] = v ? *v : json::value(nullptr);
    }
  }
  return out;
}

Response Upsert(PeerState& state, const Request& request, const std::string& version_path,
                const ObjectDef& object, const std::string& field_name, const std::string& value,
                const AccessToken& token) {
  const FieldDef* field = object.FindField(field_name);
  if (!field || !(field->external_id || field->type == FieldType::kId)) {
    return RestError(
        404, "NOT_FOUND",
        "Provided external ID field does not exist or is not accessible: " + field_name);
  }
  Response error;
  auto body = ParseBodyObject(request, &error);
  if (!body) return error;
  std::vector<std::string> matches;
  if (field->type == FieldType::kId) {
    if (const auto* r = state.store.Get(object, value); r && !r->at("IsDeleted").as_bool()) {
      matches.push_back(std::string(r->at("Id").as_string()));
    }
  } else {
    matches = state.store.FindByField(object, *field, json::value(value));
  }
  if (matches.size() > 1) {
    // Documented: 300 Multiple Choices with the URLs of the matching records.
    json::array urls;
    for (const auto& id : matches) {
      urls.push_back(json::value(version_path + "/sobjects/" + object.name + "/" + id));
    }
    return JsonOk(300, urls);
  }
  if (matches.size() == 1) {
    json::object fields = *body;
    fields.erase(field->name);
    if (auto err = state.store.Update(object, matches[0], fields, token.user_id)) {
      return RecordErrorResponse(*err);
    }
    return JsonOk(
        200,
        json::object{
            {"id", matches[0]}, {"success", true}, {"errors", json::array{}}, {"created", false}});
  }
  if (field->type == FieldType::kId) return NotFound();
  json::object fields = *body;
  fields[field->name] = value;
  auto created = state.store.Create(object, fields, token.user_id);
  if (auto* err = std::get_if<RecordError>(&created)) return RecordErrorResponse(*err);
  return JsonOk(201, json::object{{"id", std::get<std::string>(created)},
                                  {"success", true},
                                  {"errors", json::array{}},
                                  {"created", true}});
}

// GET sobjects/{type}/updated|deleted/?start=&end= (the replication API, "sObject Get
// Updated" / "sObject Get Deleted"). As documented: the seconds of start and end are ignored;
// start must precede end by more than one minute; getUpdated reaches back at most 30 days;
// getDeleted reads the object's delete log, which covers at most 15 days (less after an
// admin emptied the Recycle Bin) and reports that as earliestDateAvailable, and a start before
// it fails with INVALID_REPLICATION_DATE (the client must re-sync). latestDateCovered is the
// end, never later than the current minute.
Response Replication(PeerState& state, const Request& request, const ObjectDef& object,
                     bool deleted) {
  constexpr std::int64_t kMinuteMs = 60 * 1000;
  constexpr std::int64_t kDayMs = 24 * 60 * kMinuteMs;
  auto start_it = request.query.find("start");
  auto end_it = request.query.find("end");
  if (start_it == request.query.end() || end_it == request.query.end()) {
    return RestError(400, "MISSING_ARGUMENT", "start and end are required");
  }
  auto start = ParseDateTime(start_it->second);
  auto end = ParseDateTime(end_it->second);
  if (!start || !end) {
    return RestError(400, "INVALID_REPLICATION_DATE", "invalid start or end date");
  }
  auto minute = [&](std::int64_t ms) { return ms - ((ms % kMinuteMs) + kMinuteMs) % kMinuteMs; };
  const std::int64_t now = state.clock.NowMs();
  const std::int64_t from = minute(*start);
  const std::int64_t to = std::min(minute(*end), minute(now));
  if (minute(*end) - from <= kMinuteMs) {
    return RestError(400, "INVALID_REPLICATION_DATE",
                     "startDate must chronologically precede endDate by more than one minute");
  }
  const ObjectTable* table = state.store.Table(object);
  if (deleted) {
    std::int64_t earliest = minute(now - 15 * kDayMs);
    if (table != nullptr) earliest = std::max(earliest, minute(table->log_starts_ms));
    if (from < earliest) {
      return RestError(
          400, "INVALID_REPLICATION_DATE",
          "startDate is before the earliest date available (" + FormatDateTime(earliest) + ")");
    }
    json::array deleted_records;
    if (table != nullptr) {
      for (const DeletedEntry& entry : table->delete_log) {
        if (entry.deleted_ms < from || entry.deleted_ms >= to) continue;
        deleted_records.push_back(
            json::object{{"id", entry.id}, {"deletedDate", FormatDateTime(entry.deleted_ms)}});
      }
    }
    return JsonOk(200, json::object{{"deletedRecords", std::move(deleted_records)},
                                    {"earliestDateAvailable", FormatDateTime(earliest)},
                                    {"latestDateCovered", FormatDateTime(to)}});
  }
  if (from < minute(now - 30 * kDayMs)) {
    return RestError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago");
  }
  json::array ids;
  if (table != nullptr) {
    for (const RecordPtr& row : table->rows) {
      if (row == nullptr) continue;  // purged
      const json::object& record = *row;
      if (record.at("IsDeleted").as_bool()) continue;
      const json::value* stamp_text = record.if_contains("SystemModstamp");
      if (stamp_text == nullptr) stamp_text = record.if_contains("CreatedDate");
      if (stamp_text == nullptr || !stamp_text->is_string()) continue;
      auto stamp = ParseDateTime(stamp_text->as_string());
      if (!stamp || *stamp < from || *stamp >= to) continue;
      ids.push_back(record.at("Id"));
    }
  }
  return JsonOk(200,
                json::object{{"ids", std::move(ids)}, {"latestDateCovered", FormatDateTime(to)}});
}

Response SObjects(PeerState& state, const Request& request, const std::string& version_path,
                  const std::vector<std::string>& rest, const AccessToken& token) {
  // rest[0] == "sobjects"
  if (rest.size() == 1) {
    if (request.method != "GET")
      return RestError(405, "METHOD_NOT_ALLOWED",
                       "HTTP Method '" + request.method + "' not allowed. Allowed are GET");
    json::array objects;
    for (const auto* o : state.store.schema().All()) {
      objects.push_back(DescribeGlobalEntry(*o, version_path));
    }
    return JsonOk(
        200, json::object{
                 {"encoding", "UTF-8"}, {"maxBatchSize", 200}, {"sobjects", std::move(objects)}});
  }
  const ObjectDef* object = state.store.schema().Find(rest[1]);
  if (!object) return NotFound();
  if (rest.size() == 2) {
    if (request.method == "GET") {
      return JsonOk(200,
                    json::object{{"objectDescribe", DescribeGlobalEntry(*object, version_path)},
                                 {"recentItems", json::array{}}});
    }
    if (request.method != "POST")
      return RestError(405, "METHOD_NOT_ALLOWED",
                       "HTTP Method '" + request.method + "' not allowed. Allowed are GET,POST");
    Response error;
    auto body = ParseBodyObject(request, &error);
    if (!body) return error;
    auto created = state.store.Create(*object, *body, token.user_id);
    if (auto* err = std::get_if<RecordError>(&created)) return RecordErrorResponse(*err);
    return JsonOk(201, json::object{{"id", std::get<std::string>(created)},
                                    {"success", true},
                                    {"errors", json::array{}}});
  }
  if (rest.size() == 3 && (rest[2] == "updated" || rest[2] == "deleted")) {
    return Replication(state, request, *object, rest[2] == "deleted");
  }
  if (rest.size() == 3 && rest[2] == "describe") {
    json::object describe = DescribeObject(*object, version_path);
    describe["childRelationships"] = ChildRelationships(state.store.schema(), *object);
    return JsonOk(200, describe);
  }
  if (rest.size() == 3) {
    const std::string& id = rest[2];
    const json::object* record = state.store.Get(*object, id);
    if (request.method == "GET") {
      if (!record || record->at("IsDeleted").as_bool()) return NotFound();
      auto fields = request.query.find("fields");
      if (fields != request.query.end()) {
        if (auto refused = UnknownFieldsRefusal(*object, SplitFieldList(fields->second))) {
          return *refused;
        }
      }
      return JsonOk(200, FullRecord(*object, *record, version_path,
                                    fields == request.query.end() ? "" : fields->second));
    }
    if (request.method == "PATCH") {
      Response error;
      auto body = ParseBodyObject(request, &error);
      if (!body) return error;
      if (auto err = state.store.Update(*object, id, *body, token.user_id)) {
        return RecordErrorResponse(*err);
      }
      return Response::Empty(204);
    }
    if (request.method == "DELETE") {
      if (auto err = state.store.Delete(*object, id, token.user_id)) {
        return RecordErrorResponse(*err);
      }
      return Response::Empty(204);
    }
    return RestError(
        405, "METHOD_NOT_ALLOWED",
        "HTTP Method '" + request.method + "' not allowed. Allowed are GET,PATCH,DELETE");
  }
  if (rest.size() == 4) {
    if (request.method == "PATCH") {
      return Upsert(state, request, version_path, *object, rest[2], rest[3], token);
    }
    if (request.method == "GET") {
      const FieldDef* field = object->FindField(rest[2]);
      if (!field || !field->external_id) return NotFound();
      auto matches = state.store.FindByField(*object, *field, json::value(rest[3]));
      if (matches.size() != 1) return NotFound();
      return JsonOk(200,
                    FullRecord(*object, *state.store.Get(*object, matches[0]), version_path, ""));
    }
    return RestError(405, "METHOD_NOT_ALLOWED",
                     "HTTP Method '" + request.method + "' not allowed. Allowed are GET,PATCH");
  }
  return NotFound();
}

json::object LimitEntry(std::int64_t max, std::int64_t remaining) {
  return json::object{{"Max", max}, {"Remaining", remaining}};
}

}  // namespace

json::value ApiVersionsJson(const std::string& base_url) {
  json::array versions;
  for (int v = kMinApiVersion; v <= kMaxApiVersion; ++v) {
    std::string label = std::to_string(v) + ".0";
    versions.push_back(json::object{{"label", "API " + label},  // labels vary by release
                                    {"url", "/services/data/v" + label},
                                    {"version", label}});
  }
  (void)base_url;
  return versions;
}

Response HandleRest(PeerState& state, const Request& request, const AccessToken& token) {
  auto parts = SplitPath(request.path);  // services, data, vXX.X, ...
  if (parts.size() < 3) return JsonOk(200, ApiVersionsJson(state.base_url));
  const std::string& version = parts[2];
  int major = 0;
  if (version.size() < 4 || version[0] != 'v' || version.substr(version.size() - 2) != ".0" ||
      (major = std::atoi(version.c_str() + 1)) < kMinApiVersion || major > kMaxApiVersion) {
    return NotFound();
  }
  std::string version_path = "/services/data/" + version;
  std::vector<std::string> rest(parts.begin() + 3, parts.end());
  if (rest.empty()) {
    json::object resources;
    for (const char* r : {"sobjects", "query", "queryAll", "limits", "composite", "search",
                          "recent", "tooling", "jobs"}) {
      resources[r] = version_path + "/" + r;
    }
    // The calling user's identity URL, as Salesforce lists it among the resources.
    resources["identity"] = state.IdentityUrl(token.user_id);
    return JsonOk(200, resources);
  }
  const std::string& resource = rest[0];
  if (resource == "query" || resource == "queryAll") {
    return Query(state, request, version_path, resource == "queryAll", rest);
  }
  if (resource == "sobjects") return SObjects(state, request, version_path, rest, token);
  if (resource == "composite") return HandleComposite(state, request, token, version_path, rest);
  if (resource == "jobs") return HandleBulkQuery(state, request, token, version_path, rest);
  if (resource == "limits") {
    std::int64_t remaining = std::max<std::int64_t>(state.daily_api_max - state.daily_api_used, 0);
    json::object limits;
    limits["ActiveScratchOrgs"] = LimitEntry(3, 3);
    limits["ConcurrentAsyncGetReportInstances"] = LimitEntry(200, 200);
    limits["DailyApiRequests"] = LimitEntry(state.daily_api_max, remaining);
    limits["DailyAsyncApexExecutions"] = LimitEntry(250000, 250000);
    limits["DailyBulkApiBatches"] = LimitEntry(15000, 15000);
    limits["DailyBulkV2QueryJobs"] = LimitEntry(10000, 10000);
    limits["DailyGenericStreamingApiEvents"] = LimitEntry(10000, 10000);
    limits["DataStorageMB"] = LimitEntry(5, 5);
    limits["FileStorageMB"] = LimitEntry(20, 20);
    limits["HourlyODataCallout"] = LimitEntry(10000, 10000);
    limits["SingleEmail"] = LimitEntry(15, 15);
    return JsonOk(200, limits);
  }
  return NotFound();
}

}  // namespace chpeer::sf
