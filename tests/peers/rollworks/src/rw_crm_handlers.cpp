// CRM uploads: POST /api/v1/advertisers/{id}/crm/{object}:batchUpsert (API.md §3). Validates
// and normalises each record, upserts it idempotently by external_id, links accounts by domain
// and contacts by email (§3.1), and counts what arrived so tests can assert exact numbers.
#include <boost/json.hpp>

#include "rw_peer_state.h"
#include "rw_util.h"

namespace chpeer::rollworks {
namespace {

namespace json = boost::json;

enum class FieldKind { kString = 1, kInteger, kNumber, kBool, kDate, kPersonKind };

struct FieldSpec {
  const char* name;
  FieldKind kind;
  bool required;
};

const std::vector<FieldSpec>& FieldsOf(const std::string& object) {
  using K = FieldKind;
  static const std::map<std::string, std::vector<FieldSpec>> kFields{
      {"accounts",
       {{"name", K::kString, true},
        {"website", K::kString, false},
        {"domain", K::kString, false},
        {"industry", K::kString, false},
        {"employees", K::kInteger, false},
        {"annual_revenue", K::kNumber, false}}},
      {"contacts",
       {{"email", K::kString, true},
        {"first_name", K::kString, false},
        {"last_name", K::kString, false},
        {"title", K::kString, false},
        {"account_external_id", K::kString, false},
        {"kind", K::kPersonKind, false}}},
      {"opportunities",
       {{"name", K::kString, true},
        {"account_external_id", K::kString, false},
        {"stage", K::kString, false},
        {"currency", K::kString, false},
        {"amount", K::kNumber, false},
        {"close_date", K::kDate, false},
        {"is_closed", K::kBool, false},
        {"is_won", K::kBool, false}}},
      {"campaigns",
       {{"name", K::kString, true},
        {"type", K::kString, false},
        {"status", K::kString, false},
        {"start_date", K::kDate, false},
        {"end_date", K::kDate, false}}}};
  return kFields.at(object);
}

struct RecordError {
  std::string code;
  std::string message;
  std::string field;
};

bool FieldValid(const FieldSpec& spec, const json::value& v) {
  switch (spec.kind) {
    case FieldKind::kString:
      return v.is_string();
    case FieldKind::kInteger:
      return (v.is_int64() && v.as_int64() >= 0) || v.is_uint64();
    case FieldKind::kNumber:
      return (v.is_int64() && v.as_int64() >= 0) || v.is_uint64() ||
             (v.is_double() && v.as_double() >= 0);
    case FieldKind::kBool:
      return v.is_bool();
    case FieldKind::kDate:
      return v.is_string() && IsValidDate(v.as_string());
    case FieldKind::kPersonKind:
      return v.is_string() && (v.as_string() == "contact" || v.as_string() == "lead");
  }
  return false;
}

// Builds the stored form of one record (known fields only, normalised); nullopt + *error when
// the record is rejected.
std::optional<json::object> Normalize(const std::string& object, const json::object& in,
                                      RecordError* error) {
  json::object out;
  const json::value* deleted = in.if_contains("deleted");
  if (deleted && !deleted->is_bool()) {
    *error = {"invalid_field", "deleted must be a boolean", "deleted"};
    return std::nullopt;
  }
  bool is_deleted = deleted && deleted->as_bool();
  for (const auto& spec : FieldsOf(object)) {
    const json::value* v = in.if_contains(spec.name);
    if (!v || v->is_null()) {
      if (spec.required && !is_deleted) {
        *error = {"missing_field", std::string(spec.name) + " is required", spec.name};
        return std::nullopt;
      }
      continue;
    }
    if (!FieldValid(spec, *v)) {
      *error = {"invalid_field", std::string(spec.name) + " has the wrong type or format",
                spec.name};
      return std::nullopt;
    }
    out[spec.name] = *v;
  }
  if (object == "accounts") {
    const char* source = out.contains("domain") ? "domain" : "website";
    if (const json::value* raw = out.if_contains(source)) {
      auto domain = NormalizeDomain(raw->as_string());
      if (!domain) {
        *error = {
            "invalid_domain",
            std::string(source) + " '" + std::string(raw->as_string()) + "' is not a domain name",
            source};
        return std::nullopt;
      }
      out["domain"] = *domain;
    }
  }
  if (object == "contacts") {
    if (const json::value* email = out.if_contains("email")) {
      if (!IsValidEmail(email->as_string())) {
        *error = {"invalid_email",
                  "email '" + std::string(email->as_string()) + "' is not an email address",
                  "email"};
        return std::nullopt;
      }
    }
    if (!out.contains("kind")) out["kind"] = "contact";
  }
  out["deleted"] = is_deleted;
  return out;
}

// Links the CRM account to the RollWorks account with its domain (creating it), unlinking
// whatever it was linked to before; returns the linked account id.
std::optional<std::string> LinkAccount(PeerState& state, Advertiser& adv, const std::string& ext,
                                       const json::object& record) {
  std::int64_t now = state.clock.NowMs();
  AbmAccount* target = nullptr;
  auto domain = OptionalStringField(record, "domain");
  if (!record.at("deleted").as_bool() && domain) {
    target = adv.FindAccountByDomain(*domain);
    if (!target) {
      std::string id = state.NewAccountId();
      target = &adv.accounts[id];
      target->id = id;
      target->domain = *domain;
      target->name = OptionalStringField(record, "name").value_or(*domain);
      adv.Touch(*target, now);
    }
  }
  for (auto& [id, account] : adv.accounts) {
    if (&account != target && account.external_id == ext) {
      account.external_id.reset();
      adv.Touch(account, now);
    }
  }
  if (!target) return std::nullopt;
  if (target->external_id != ext) {
    target->external_id = ext;
    adv.Touch(*target, now);
  }
  return target->id;
}

std::optional<std::string> LinkContact(PeerState& state, Advertiser& adv, const std::string& ext,
                                       const json::object& record) {
  std::int64_t now = state.clock.NowMs();
  AbmContact* target = nullptr;
  if (!record.at("deleted").as_bool()) {
    std::string email = ToLower(record.at("email").as_string());
    target = adv.FindContactByEmail(email);
    if (!target) {
      std::string id = state.NewContactId();
      target = &adv.contacts[id];
      target->id = id;
      target->email = email;
      adv.Touch(*target, now);
    }
  }
  for (auto& [id, contact] : adv.contacts) {
    if (&contact != target && contact.external_id == ext) {
      contact.external_id.reset();
      contact.kind.reset();
      contact.account_external_id.reset();
      adv.Touch(contact, now);
    }
  }
  if (!target) return std::nullopt;
  auto kind = OptionalStringField(record, "kind");
  auto account_ext = OptionalStringField(record, "account_external_id");
  if (target->external_id != ext || target->kind != kind ||
      target->account_external_id != account_ext) {
    target->external_id = ext;
    target->kind = kind;
    target->account_external_id = account_ext;
    adv.Touch(*target, now);
  }
  return target->id;
}

json::value Matched(const std::optional<std::string>& id) {
  return id ? json::value(*id) : json::value(nullptr);
}

json::object UpsertOne(PeerState& state, Advertiser& adv, const std::string& object,
                       const json::value& item, std::set<std::string>& seen) {
  auto& stored = adv.crm[object];
  const json::object* in = item.if_object();
  std::string ext;
  if (in) {
    if (const json::value* v = in->if_contains("external_id"); v && v->is_string()) {
      ext = std::string(v->as_string());
    }
  }
  auto fail = [&](const RecordError& e) {
    state.counters.Increment("upsert_results", object + ".error");
    json::object err{{"code", e.code}, {"message", e.message}};
    if (!e.field.empty()) err["field"] = e.field;
    return json::object{{"external_id", ext}, {"status", "error"}, {"error", std::move(err)}};
  };
  if (!in) return fail({"invalid_field", "each record must be a JSON object", ""});
  if (ext.empty() || ext.size() > 255) {
    return fail(
        {"missing_external_id", "external_id is required (1..255 characters)", "external_id"});
  }
  if (!seen.insert(ext).second) {
    state.counters.Increment("duplicates_in_batch", object);
    return fail({"duplicate_external_id",
                 "external_id " + ext + " appears earlier in this batch; only the first is applied",
                 "external_id"});
  }
  RecordError error;
  auto record = Normalize(object, *in, &error);
  if (!record) return fail(error);

  auto existing = stored.find(ext);
  std::string status = "created";
  if (existing != stored.end()) {
    state.counters.Increment("resent_external_ids", object);
    status = existing->second.fields == *record ? "unchanged" : "updated";
  }
  CrmRecord& slot = stored[ext];
  ++slot.received;
  if (status != "unchanged") {
    slot.fields = *record;
    ++slot.version;
    slot.updated_ms = state.clock.NowMs();
  }
  state.counters.Increment("upsert_results", object + "." + status);

  json::object result{{"external_id", ext}, {"status", status}};
  if (object == "accounts") {
    auto domain = OptionalStringField(*record, "domain");
    std::optional<std::string> matched;
    if (status != "unchanged") {
      matched = LinkAccount(state, adv, ext, *record);
    } else if (domain && !record->at("deleted").as_bool()) {
      if (AbmAccount* a = adv.FindAccountByDomain(*domain)) matched = a->id;
    }
    result["domain"] = Matched(domain);
    result["matched_account_id"] = Matched(matched);
  } else if (object == "contacts") {
    std::optional<std::string> matched;
    if (status != "unchanged") {
      matched = LinkContact(state, adv, ext, *record);
    } else if (!record->at("deleted").as_bool()) {
      if (AbmContact* c = adv.FindContactByEmail(ToLower(record->at("email").as_string()))) {
        matched = c->id;
      }
    }
    result["matched_contact_id"] = Matched(matched);
  }
  return result;
}

}  // namespace

Response HandleBatchUpsert(PeerState& state, Advertiser& adv, const std::string& object,
                           const Request& request, const std::string& request_id) {
  if (request.method != "POST") {
    return ApiError(405, "method_not_allowed", "Use POST for batchUpsert.", request_id);
  }
  json::value body;
  try {
    body = json::parse(request.body);
  } catch (const std::exception& e) {
    return ApiError(400, "invalid_json", std::string("The body is not JSON: ") + e.what(),
                    request_id);
  }
  auto idempotency_key = request.Header("Idempotency-Key");
  std::int64_t now = state.clock.NowMs();
  if (idempotency_key) {
    std::string scoped = object + "\n" + *idempotency_key;
    auto it = adv.idempotency.find(scoped);
    if (it != adv.idempotency.end() && now - it->second.stored_ms < kIdempotencyWindowMs) {
      if (it->second.request_body != request.body) {
        return ApiError(409, "idempotency_key_reused",
                        "This Idempotency-Key was used with a different body.", request_id);
      }
      state.counters.Increment("events", "idempotent_replays");
      Response replay = it->second.response;
      replay.headers["Idempotent-Replayed"] = "true";
      return replay;
    }
  }
  const json::value* records = body.is_object() ? body.as_object().if_contains("records") : nullptr;
  if (!records || !records->is_array() || records->as_array().empty()) {
    return ApiError(422, "validation_failed", "The body needs a non-empty \"records\" array.",
                    request_id);
  }
  const json::array& list = records->as_array();
  if (list.size() > kMaxBatchRecords) {
    state.counters.Increment("events", "batch_too_large");
    return ApiError(422, "batch_too_large",
                    "A batch holds at most " + std::to_string(kMaxBatchRecords) + " records; got " +
                        std::to_string(list.size()) + ".",
                    request_id,
                    json::object{{"max_records", kMaxBatchRecords}, {"received", list.size()}});
  }
  state.counters.Increment("batches", object);
  state.counters.Increment("records_received", object, static_cast<std::int64_t>(list.size()));
  std::set<std::string> seen;
  json::array results;
  for (const auto& item : list) results.push_back(UpsertOne(state, adv, object, item, seen));
  Response response = JsonResponse(json::object{{"results", std::move(results)}});
  if (idempotency_key) {
    adv.idempotency[object + "\n" + *idempotency_key] =
        IdempotentReply{request.body, response, now};
  }
  return response;
}

}  // namespace chpeer::rollworks
