// read_plan: how one object is read incrementally, decided from its describe, so every object
// can be mirrored and not only those shaped like Account:
//  - the cursor is SystemModstamp, else LastModifiedDate, else CreatedDate (append-only objects
//    such as AccountHistory carry only CreatedDate);
//  - objects with IsDeleted are read with queryAll (soft deletes arrive as IsDeleted = true);
//    objects without it (User) with query, and IsDeleted is not selected;
//  - a configured field the object does not have (any more) is left out of the query and
//    reported, instead of failing every sync with INVALID_FIELD.
// The plan is kept in kv "plan/<Object>" with the configured fields it was made for, and made
// again when they change, when it is older than a day, or when a query with it fails. It is
// committed together with the object's first page, so a plan costs one describe request.
#include <algorithm>
#include <chrono>
#include <map>

#include "salesforce_connector.hpp"

namespace sfplugin {
namespace {

namespace json = boost::json;

constexpr std::int64_t kPlanMaxAgeS = 24 * 3600;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_system_field(std::string_view f) {
  return chp::http::iequals(f, "Id") || chp::http::iequals(f, "SystemModstamp") ||
         chp::http::iequals(f, "IsDeleted");
}

// What the admin configured, without the fields the plugin always adds.
json::array configured_fields(const ObjectSpec& spec) {
  json::array out;
  for (const std::string& f : spec.fields) {
    if (!is_system_field(f)) out.emplace_back(f);
  }
  return out;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array out;
  for (const std::string& s : v) out.emplace_back(s);
  return out;
}

std::vector<std::string> to_strings(const json::value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& s : v->as_array()) {
    if (s.is_string()) out.emplace_back(s.as_string());
  }
  return out;
}

}  // namespace

std::string ReadPlan::to_json(const ObjectSpec& spec) const {
  json::object type_of;
  for (const auto& [field, type] : types) type_of[field] = type;
  json::array changes;
  for (const TypeChange& c : type_changes) {
    changes.push_back(json::object{{"field", c.field}, {"from", c.from}, {"to", c.to}});
  }
  return json::serialize(json::object{{"configured", configured_fields(spec)},
                                      {"select", to_array(select)},
                                      {"cursor", cursor},
                                      {"query_all", query_all},
                                      {"missing", to_array(missing)},
                                      {"types", std::move(type_of)},
                                      {"type_changes", std::move(changes)},
                                      {"planned_at", planned_at_s}});
}

std::optional<ReadPlan> ReadPlan::from_json(const std::string& text, const ObjectSpec& spec,
                                            bool* same_config) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  const json::value* configured = o.if_contains("configured");
  if (configured == nullptr) return std::nullopt;
  const bool same = *configured == json::value(configured_fields(spec));
  if (same_config != nullptr) {
    *same_config = same;
  } else if (!same) {
    return std::nullopt;  // made for other fields: the config changed
  }
  ReadPlan plan;
  plan.select = to_strings(o.if_contains("select"));
  plan.missing = to_strings(o.if_contains("missing"));
  const json::value* cursor = o.if_contains("cursor");
  const json::value* query_all = o.if_contains("query_all");
  const json::value* at = o.if_contains("planned_at");
  if (plan.select.empty() || cursor == nullptr || !cursor->is_string() || query_all == nullptr ||
      !query_all->is_bool() || at == nullptr || !at->is_int64()) {
    return std::nullopt;
  }
  plan.cursor = std::string(cursor->as_string());
  plan.query_all = query_all->as_bool();
  plan.planned_at_s = at->as_int64();
  // Plans saved before types were recorded have none: no change can be told from them.
  if (const json::value* types = o.if_contains("types"); types != nullptr && types->is_object()) {
    for (const auto& [field, type] : types->as_object()) {
      if (type.is_string()) plan.types.emplace(field, type.as_string());
    }
  }
  if (const json::value* changes = o.if_contains("type_changes");
      changes != nullptr && changes->is_array()) {
    for (const json::value& c : changes->as_array()) {
      const json::object* co = c.if_object();
      if (co == nullptr) continue;
      auto str = [&](std::string_view k) {
        const json::value* x = co->if_contains(k);
        return x != nullptr && x->is_string() ? std::string(x->as_string()) : std::string();
      };
      plan.type_changes.push_back(TypeChange{str("field"), str("from"), str("to")});
    }
  }
  return plan;
}

ReadPlan SalesforceConnector::plan_from_describe(chp::salesforce::Client& client,
                                                 const ObjectSpec& spec) const {
  json::value d = client.get_json(client.data_path("sobjects/" + spec.name + "/describe"),
                                  "describe " + spec.name);
  std::map<std::string, std::string> names;    // lower-case -> as Salesforce spells it
  std::map<std::string, std::string> type_of;  // as Salesforce spells it -> describe type
  const json::value* fields = d.is_object() ? d.as_object().if_contains("fields") : nullptr;
  if (fields != nullptr && fields->is_array()) {
    for (const json::value& f : fields->as_array()) {
      const json::value* name = f.is_object() ? f.as_object().if_contains("name") : nullptr;
      if (name != nullptr && name->is_string()) {
        names.emplace(lower(name->as_string()), std::string(name->as_string()));
        const json::value* type = f.as_object().if_contains("type");
        if (type != nullptr && type->is_string()) {
          type_of.emplace(std::string(name->as_string()), std::string(type->as_string()));
        }
      }
    }
  }
  if (!names.contains("id")) {
    throw chp::PermanentError("describe " + spec.name + ": the answer lists no Id field");
  }
  ReadPlan plan;
  plan.planned_at_s = now_s();
  for (const char* candidate : {"SystemModstamp", "LastModifiedDate", "CreatedDate"}) {
    if (names.contains(lower(candidate))) {
      plan.cursor = candidate;
      break;
    }
  }
  if (plan.cursor.empty()) {
    throw chp::ConfigError("object " + spec.name +
                           " has no SystemModstamp, LastModifiedDate or CreatedDate field, so it "
                           "cannot be read incrementally; remove it from 'objects'");
  }
  plan.query_all = names.contains("isdeleted");
  plan.select.push_back("Id");
  plan.select.push_back(plan.cursor);
  if (plan.query_all) plan.select.push_back("IsDeleted");
  for (const json::value& f : configured_fields(spec)) {
    std::string want(f.as_string());
    auto it = names.find(lower(want));
    if (it == names.end()) {
      plan.missing.push_back(want);
      continue;
    }
    if (std::find(plan.select.begin(), plan.select.end(), it->second) == plan.select.end()) {
      plan.select.push_back(it->second);
    }
  }
  for (const std::string& f : plan.select) {
    if (auto it = type_of.find(f); it != type_of.end()) plan.types.emplace(f, it->second);
  }
  if (!plan.missing.empty()) {
    std::string list;
    for (const std::string& m : plan.missing) list += (list.empty() ? "" : ", ") + m;
    ctx_.log(chp::LogLevel::kWarn, "object " + spec.name + " has no field(s) " + list +
                                       " at Salesforce (describe); they are not read until "
                                       "they exist again or leave the config");
  }
  return plan;
}

ReadPlan SalesforceConnector::read_plan(chp::salesforce::Client& client, const ObjectSpec& spec,
                                        bool fresh, std::optional<std::string>* to_store) const {
  std::optional<ReadPlan> saved;
  bool same_config = false;
  if (std::optional<std::string> text = ctx_.state_get(kPlanPrefix + spec.name)) {
    saved = ReadPlan::from_json(*text, spec, &same_config);
  }
  if (!fresh && saved && same_config && now_s() - saved->planned_at_s < kPlanMaxAgeS) {
    saved->cached = true;
    return *saved;
  }
  ReadPlan plan = plan_from_describe(client, spec);
  // A field whose type changed at Salesforce is read on as it comes (the mirror keeps JSON);
  // it is reported, not a reason to fail or reset.
  if (saved) {
    for (const auto& [field, type] : plan.types) {
      auto was = saved->types.find(field);
      if (was == saved->types.end() || was->second == type) continue;
      plan.type_changes.push_back(ReadPlan::TypeChange{field, was->second, type});
      ctx_.log(chp::LogLevel::kWarn, "object " + spec.name + ": field " + field +
                                         " changed type at Salesforce: " + was->second + " -> " +
                                         type);
    }
  }
  *to_store = plan.to_json(spec);
  // Fields the saved plan did not read (added to the config, or created at Salesforce since)
  // are backfilled when the object was read before (it has a checkpoint); removed ones are
  // simply not read any more.
  if (saved && ctx_.state_get(kCheckpointPrefix + spec.name)) {
    for (const std::string& f : plan.select) {
      bool known = std::any_of(saved->select.begin(), saved->select.end(),
                               [&](const std::string& s) { return chp::http::iequals(s, f); });
      if (!known) plan.backfill.push_back(f);
    }
  }
  return plan;
}

std::int64_t SalesforceConnector::backfill_fields(chp::Call& call, chp::salesforce::Client& client,
                                                  const ObjectSpec& spec, const ReadPlan& plan,
                                                  std::optional<std::string>& plan_to_store) {
  std::string soql = "SELECT Id";
  for (const std::string& f : plan.backfill) soql += ", " + f;
  soql += " FROM " + spec.name;
  if (!spec.where.empty()) soql += " WHERE " + spec.where;
  soql += " ORDER BY Id ASC";
  std::int64_t merged = 0;
  auto on_page = [&](chp::salesforce::QueryPage& page) {
    chp::Transaction txn = ctx_.begin();
    std::int64_t page_merged = 0;
    for (json::value& v : page.records) {
      json::object* rec = v.if_object();
      const json::value* id = rec ? rec->if_contains("Id") : nullptr;
      if (id == nullptr || !id->is_string()) continue;
      // Only rows already mirrored: the incremental that follows brings anything newer.
      std::optional<json::value> mirrored = ctx_.record_get(spec.name, id->as_string());
      if (!mirrored || !mirrored->is_object()) continue;
      json::object row = std::move(mirrored->as_object());
      for (const std::string& f : plan.backfill) {
        if (const json::value* value = rec->if_contains(f)) row[f] = *value;
      }
      const json::value* del = row.if_contains("IsDeleted");
      txn.upsert_record(spec.name, id->as_string(), row,
                        del != nullptr && del->is_bool() && del->as_bool());
      ++page_merged;
    }
    if (page.done && plan_to_store) txn.put(kPlanPrefix + spec.name, *plan_to_store);
    txn.commit();
    if (page.done) plan_to_store.reset();
    merged += page_merged;
    call.throw_if_cancelled();
    ctx_.report_status(spec.name + ": backfilling new field(s), " + std::to_string(merged) +
                       " of " + std::to_string(page.total_size) + " records");
  };
  if (plan.query_all) {
    client.query_all(soql, on_page);
  } else {
    client.query(soql, on_page);
  }
  return merged;
}

}  // namespace sfplugin
