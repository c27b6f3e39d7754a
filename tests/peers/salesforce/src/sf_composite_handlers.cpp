// sObject Collections of the peer (/services/data/vXX.X/composite/sobjects): create (POST),
// update (PATCH), delete (DELETE ?ids=), retrieve (GET /{type}?ids=&fields=, or POST /{type}
// with {"ids":[..],"fields":[..]} for lists too long for a URL) and upsert
// (PATCH /{type}/{externalIdField}), at most 200 records, with allOrNone rollback and
// per-record results.
#include <boost/json.hpp>

#include "sf_peer_state.h"
#include "sf_util.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxCollectionRecords = 200;
constexpr std::size_t kMaxLongRetrieveIds = 2000;  // retrieve by POST: documented 2,000 ids

struct ItemResult {
  std::optional<std::string> id;
  std::optional<RecordError> error;
  std::optional<bool> created;  // upsert only
};

json::object ErrorJson(const RecordError& e) {
  json::array fields;
  for (const auto& f : e.fields) fields.push_back(json::value(f));
  return json::object{
      {"statusCode", e.status_code}, {"message", e.message}, {"fields", std::move(fields)}};
}

Response Results(const std::vector<ItemResult>& results) {
  json::array out;
  for (const auto& r : results) {
    json::object o;
    if (r.id) o["id"] = *r.id;
    o["success"] = !r.error;
    o["errors"] = r.error ? json::array{ErrorJson(*r.error)} : json::array{};
    if (r.created && !r.error) o["created"] = *r.created;
    out.push_back(std::move(o));
  }
  return Response::Json(200, json::serialize(out));
}

bool ParseAllOrNone(const json::object& body) {
  auto* v = body.if_contains("allOrNone");
  return v && v->is_bool() && v->as_bool();
}

// Applies the allOrNone contract: on any failure every write is undone and the records that
// had succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
void FinishAllOrNone(DataStore& store, bool all_or_none, std::vector<ItemResult>& results) {
  if (!all_or_none) return;
  bool failed = false;
  for (const auto& r : results) failed = failed || r.error.has_value();
  if (!failed) {
    store.CommitUndo();
    return;
  }
  store.RollbackUndo();
  for (auto& r : results) {
    if (r.error) continue;
    r.error = RecordError{"ALL_OR_NONE_OPERATION_ROLLED_BACK",
                          "Record rolled back because not all records were valid and the "
                          "request was using AllOrNone header",
                          {}};
  }
}

const ObjectDef* RecordType(const DataStore& store, const json::object& record,
                            RecordError* error) {
  auto* attrs = record.if_contains("attributes");
  const json::value* type =
      attrs && attrs->is_object() ? attrs->as_object().if_contains("type") : nullptr;
  if (!type || !type->is_string()) {
    *error = {"INVALID_FIELD", "No SObject Type defined in the request", {}};
    return nullptr;
  }
  const ObjectDef* object = store.schema().Find(type->as_string());
  if (!object) {
    *error = {"INVALID_TYPE",
              "sObject type '" + std::string(type->as_string()) + "' is not supported.",
              {}};
  }
  return object;
}

std::optional<json::array> RecordsOf(const Request& request, json::object* body_out,
                                     Response* error) {
  try {
    json::value v = json::parse(request.body);
    if (v.is_object() && v.as_object().contains("records") && v.as_object()["records"].is_array()) {
      *body_out = v.as_object();
      json::array records = v.as_object()["records"].as_array();
      if (records.size() > kMaxCollectionRecords) {
        *error = RestError(400, "EXCEEDED_ID_LIMIT",
                           "record limit reached. cannot submit more than 200 records into this "
                           "call");
        return std::nullopt;
      }
      return records;
    }
  } catch (const std::exception&) {
  }
  *error = RestError(400, "JSON_PARSER_ERROR",
                     "The request body must be an object with a \"records\" array");
  return std::nullopt;
}

// Salesforce deserializes a Collections body before it looks at any record: a field the object
// does not have refuses the whole call with HTTP 400 and the REST error array (no per-record
// results), e.g. [{"message":"No such column 'Foo__c' on sobject of type Account",
// "errorCode":"INVALID_FIELD"}]. Records whose type is unknown are left to the per-record check.
std::optional<Response> UnknownFieldRefusal(const DataStore& store, const json::array& records,
                                            const ObjectDef* fixed_type) {
  for (const json::value& value : records) {
    const json::object* record = value.if_object();
    if (!record) continue;
    const ObjectDef* object = fixed_type;
    if (!object) {
      RecordError ignored;
      object = RecordType(store, *record, &ignored);
    }
    if (!object) continue;
    for (const auto& [key, v] : *record) {
      if (key == "attributes" || key == "Id" || key == "id") continue;
      if (!object->FindField(key)) {
        return RestError(
            400, "INVALID_FIELD",
            "No such column '" + std::string(key) + "' on sobject of type " + object->name);
      }
    }
  }
  return std::nullopt;
}

// POST /composite/sobjects/{type} body {"ids":[..],"fields":[..]}; false when malformed.
bool RetrieveBody(const Request& request, std::vector<std::string>* ids,
                  std::vector<std::string>* fields) {
  json::value v;
  try {
    v = json::parse(request.body);
  } catch (const std::exception&) {
    return false;
  }
  const json::object* o = v.if_object();
  const json::value* i = o ? o->if_contains("ids") : nullptr;
  const json::value* f = o ? o->if_contains("fields") : nullptr;
  if (!i || !f || !i->is_array() || !f->is_array()) return false;
  for (const auto& x : i->as_array()) {
    if (!x.is_string()) return false;
    ids->push_back(std::string(x.as_string()));
  }
  for (const auto& x : f->as_array()) {
    if (!x.is_string()) return false;
    fields->push_back(std::string(x.as_string()));
  }
  return true;
}

std::vector<std::string> SplitIds(const std::string& ids) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < ids.size()) {
    auto comma = ids.find(',', start);
    if (comma == std::string::npos) comma = ids.size();
    if (comma > start) out.push_back(ids.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

Response HandleComposite(PeerState& state, const Request& request, const AccessToken& token,
                         const std::string& version_path, const std::vector<std::string>& rest) {
  if (rest.size() < 2 || rest[1] != "sobjects") {
    return RestError(404, "NOT_FOUND", "The requested resource does not exist");
  }
  DataStore& store = state.store;
  const std::string& user = token.user_id;

  if (request.method == "DELETE" && rest.size() == 2) {
    auto ids_it = request.query.find("ids");
    auto ids =
        ids_it == request.query.end() ? std::vector<std::string>{} : SplitIds(ids_it->second);
    if (ids.size() > kMaxCollectionRecords) {
      return RestError(400, "EXCEEDED_ID_LIMIT",
                       "record limit reached. cannot submit more than 200 records into this call");
    }
    auto aon = request.query.find("allOrNone");
    bool all_or_none = aon != request.query.end() && ToLower(aon->second) == "true";
    if (all_or_none) store.BeginUndo();
    std::vector<ItemResult> results;
    for (const auto& id : ids) {
      ItemResult r;
      std::optional<std::string> norm = NormalizeId(id);
      const ObjectDef* object = norm ? store.ObjectOfId(*norm) : nullptr;
      if (!object) {
        r.error = RecordError{"MALFORMED_ID", "malformed id " + id, {}};
      } else if (auto err = store.Delete(*object, id, user)) {
        r.error = err;
      } else {
        r.id = *norm;
      }
      results.push_back(std::move(r));
    }
    FinishAllOrNone(store, all_or_none, results);
    // A failed DeleteResult carries no id: {"success":false,"errors":[{"statusCode",..}]}.
    return Results(results);
  }

  if ((request.method == "GET" || request.method == "POST") && rest.size() == 3) {
    const ObjectDef* object = store.schema().Find(rest[2]);
    if (!object) return RestError(404, "NOT_FOUND", "The requested resource does not exist");
    std::vector<std::string> ids;
    std::vector<std::string> fields;
    if (request.method == "GET") {
      auto ids_it = request.query.find("ids");
      auto fields_it = request.query.find("fields");
      if (ids_it == request.query.end() || fields_it == request.query.end()) {
        return RestError(400, "MISSING_ARGUMENT", "ids and fields are required");
      }
      ids = SplitIds(ids_it->second);
      fields = SplitFieldList(fields_it->second);
    } else if (!RetrieveBody(request, &ids, &fields)) {
      return RestError(400, "JSON_PARSER_ERROR",
                       "The request body must be {\"ids\":[...],\"fields\":[...]}");
    }
    if (ids.size() > kMaxLongRetrieveIds) {
      return RestError(400, "EXCEEDED_ID_LIMIT", "too many ids: at most 2000 in one request");
    }
    if (auto refused = UnknownFieldsRefusal(*object, fields)) return *refused;
    json::array out;
    for (const auto& id : ids) {
      const json::object* record = store.Get(*object, id);
      if (!record || record->at("IsDeleted").as_bool()) {
        out.push_back(nullptr);
        continue;
      }
      json::object o;
      o["attributes"] = json::object{{"type", object->name},
                                     {"url", version_path + "/sobjects/" + object->name + "/" +
                                                 std::string(record->at("Id").as_string())}};
      for (const auto& name : fields) {
        if (const FieldDef* f = object->FindField(name)) {
          auto* v = record->if_contains(f->name);
          o[f->name] = v ? *v : json::value(nullptr);
        }
      }
      out.push_back(std::move(o));
    }
    return Response::Json(200, json::serialize(out));
  }

  json::object body;
  Response error;
  auto records = RecordsOf(request, &body, &error);
  if (!records) return error;
  const ObjectDef* upsert_type = rest.size() == 4 ? store.schema().Find(rest[2]) : nullptr;
  if (auto refused = UnknownFieldRefusal(store, *records, upsert_type)) return *refused;
  bool all_or_none = ParseAllOrNone(body);
  std::vector<ItemResult> results;
  if (all_or_none) store.BeginUndo();

  if (request.method == "POST" && rest.size() == 2) {
    for (const auto& value : *records) {
      ItemResult r;
      RecordError type_error;
      const ObjectDef* object =
          value.is_object() ? RecordType(store, value.as_object(), &type_error) : nullptr;
      if (!object) {
        r.error = value.is_object()
                      ? type_error
                      : RecordError{"JSON_PARSER_ERROR", "record must be an object", {}};
      } else if (value.as_object().contains("Id") || value.as_object().contains("id")) {
        r.error = RecordError{"INVALID_FIELD", "cannot specify Id in an insert call", {"Id"}};
      } else {
        auto created = store.Create(*object, value.as_object(), user);
        if (auto* err = std::get_if<RecordError>(&created)) {
          r.error = *err;
        } else {
          r.id = std::get<std::string>(created);
        }
      }
      results.push_back(std::move(r));
    }
    FinishAllOrNone(store, all_or_none, results);
    // Rolled-back creates have no id any more.
    if (all_or_none) {
      for (auto& r : results) {
        if (r.error && r.error->status_code == "ALL_OR_NONE_OPERATION_ROLLED_BACK") r.id.reset();
      }
    }
    return Results(results);
  }

  if (request.method == "PATCH" && rest.size() == 2) {
    for (const auto& value : *records) {
      ItemResult r;
      RecordError type_error;
      const ObjectDef* object =
          value.is_object() ? RecordType(store, value.as_object(), &type_error) : nullptr;
      if (!object) {
        r.error = type_error;
        results.push_back(std::move(r));
        continue;
      }
      json::object fields = value.as_object();
      const json::value* id = fields.if_contains("id");
      if (!id) id = fields.if_contains("Id");
      if (!id || !id->is_string()) {
        r.error = RecordError{"MISSING_ARGUMENT", "Id not specified in an update call", {}};
      } else {
        r.id = std::string(id->as_string());
        fields.erase("id");
        fields.erase("Id");
        if (auto err = store.Update(*object, *r.id, fields, user)) r.error = err;
      }
      results.push_back(std::move(r));
    }
    FinishAllOrNone(store, all_or_none, results);
    return Results(results);
  }

  if (request.method == "PATCH" && rest.size() == 4) {
    const ObjectDef* object = store.schema().Find(rest[2]);
    if (!object) return RestError(404, "NOT_FOUND", "The requested resource does not exist");
    const FieldDef* field = object->FindField(rest[3]);
    if (!field || !field->external_id) {
      if (all_or_none) store.RollbackUndo();
      return RestError(
          400, "INVALID_FIELD",
          "Provided external ID field does not exist or is not accessible: " + rest[3]);
    }
    for (const auto& value : *records) {
      ItemResult r;
      r.created = false;
      const json::object* fields = value.if_object();
      const json::value* key = fields ? fields->if_contains(field->name) : nullptr;
      if (!key) {
        for (const auto& [k, v] : fields ? *fields : json::object{}) {
          if (ToLower(k) == ToLower(field->name)) key = &v;
        }
      }
      if (!key || key->is_null()) {
        r.error = RecordError{"MISSING_ARGUMENT", field->name + " not specified", {field->name}};
        results.push_back(std::move(r));
        continue;
      }
      auto matches = store.FindByField(*object, *field, *key);
      if (matches.size() > 1) {
        r.error = RecordError{"DUPLICATE_EXTERNAL_ID",
                              field->name + ": more than one record found for external id field: " +
                                  json::serialize(json::value_from(matches)),
                              {field->name}};
      } else if (matches.size() == 1) {
        json::object update = *fields;
        for (auto it = update.begin(); it != update.end();) {
          it = ToLower(it->key()) == ToLower(field->name) ? update.erase(it) : std::next(it);
        }
        r.id = matches[0];
        if (auto err = store.Update(*object, matches[0], update, user)) r.error = err;
      } else {
        auto created = store.Create(*object, *fields, user);
        if (auto* err = std::get_if<RecordError>(&created)) {
          r.error = *err;
        } else {
          r.id = std::get<std::string>(created);
          r.created = true;
        }
      }
      results.push_back(std::move(r));
    }
    FinishAllOrNone(store, all_or_none, results);
    return Results(results);
  }

  if (all_or_none) store.RollbackUndo();
  return RestError(
      405, "METHOD_NOT_ALLOWED",
      "HTTP Method '" + request.method + "' not allowed. Allowed are GET,POST,PATCH,DELETE");
}

}  // namespace chpeer::sf
