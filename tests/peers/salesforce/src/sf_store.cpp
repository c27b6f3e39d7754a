// chpeer::sf::DataStore: validation, coercion and system fields for peer records.
#include "sf_store.h"

#include <boost/json.hpp>

#include <algorithm>

#include "chpeer/http_types.h"
#include "sf_util.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;

RecordError InvalidField(const ObjectDef& object, const std::string& field) {
  return {"INVALID_FIELD", "No such column '" + field + "' on sobject of type " + object.name, {}};
}

RecordError BadValue(const FieldDef& field, const std::string& why) {
  return {"INVALID_TYPE_ON_FIELD_IN_RECORD", field.label + ": " + why, {field.name}};
}

// Coerces a JSON value to the storage form of `field`; error message when impossible.
std::optional<RecordError> Coerce(const FieldDef& field, const json::value& in, json::value* out) {
  if (in.is_null()) {
    *out = nullptr;
    return std::nullopt;
  }
  switch (field.type) {
    case FieldType::kBoolean:
      if (!in.is_bool())
        return BadValue(field, "value not of required type: " + json::serialize(in));
      *out = in;
      return std::nullopt;
    case FieldType::kInt:
      if (in.is_int64() || in.is_uint64()) {
        *out = in.to_number<std::int64_t>();
        return std::nullopt;
      }
      if (in.is_double() &&
          in.as_double() == static_cast<double>(static_cast<std::int64_t>(in.as_double()))) {
        *out = static_cast<std::int64_t>(in.as_double());
        return std::nullopt;
      }
      return BadValue(field, "value not of required type: " + json::serialize(in));
    case FieldType::kDouble:
    case FieldType::kCurrency:
    case FieldType::kPercent:
      if (in.is_number()) {
        *out = in.to_number<double>();
        return std::nullopt;
      }
      if (in.is_string()) {
        try {
          *out = std::stod(std::string(in.as_string()));
          return std::nullopt;
        } catch (...) {
        }
      }
      return BadValue(field, "value not of required type: " + json::serialize(in));
    case FieldType::kDate: {
      if (!in.is_string()) return BadValue(field, "value not of required type");
      std::string text(in.as_string());
      if (auto ms = ParseDate(text.substr(0, 10));
          ms && (text.size() == 10 || ParseDateTime(text))) {
        *out = FormatDate(*ms);
        return std::nullopt;
      }
      return BadValue(field, "value not of required type: " + text);
    }
    case FieldType::kDateTime: {
      if (!in.is_string()) return BadValue(field, "value not of required type");
      std::string text(in.as_string());
      if (auto ms = ParseDateTime(text)) {
        *out = FormatDateTime(*ms);
        return std::nullopt;
      }
      return BadValue(field, "value not of required type: " + text);
    }
    case FieldType::kId:
    case FieldType::kReference: {
      if (!in.is_string()) return BadValue(field, "id value of incorrect type");
      std::string text(in.as_string());
      if (text.empty()) {
        *out = nullptr;
        return std::nullopt;
      }
      auto id = NormalizeId(text);
      if (!id) {
        return RecordError{
            "MALFORMED_ID", field.label + ": id value of incorrect type: " + text, {field.name}};
      }
      *out = *id;
      return std::nullopt;
    }
    default: {
      std::string text;
      if (in.is_string()) {
        text = std::string(in.as_string());
      } else if (in.is_number() || in.is_bool()) {
        text = json::serialize(in);
      } else {
        return BadValue(field, "value not of required type: " + json::serialize(in));
      }
      if (static_cast<int>(text.size()) > field.length && field.type != FieldType::kTextarea) {
        return RecordError{"STRING_TOO_LONG",
                           field.label + ": data value too large: " + text.substr(0, 20) +
                               " (max length=" + std::to_string(field.length) + ")",
                           {field.name}};
      }
      *out = text;
      return std::nullopt;
    }
  }
}

std::string Str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Name is computed from FirstName/LastName on person-like objects.
void ComputeName(const ObjectDef& object, json::object& record) {
  if (!object.FindField("LastName") || !object.FindField("Name")) return;
  std::string first = Str(record, "FirstName");
  std::string last = Str(record, "LastName");
  record["Name"] = first.empty() ? last : first + " " + last;
}

}  // namespace

namespace {

std::string IndexKey(bool text, const json::value& v) {
  if (text && v.is_string()) return "s" + ToLower(v.as_string());
  return "j" + json::serialize(v);
}

void IndexRecord(const ObjectTable& t, const std::string& id, const json::object& record) {
  for (auto& [name, fi] : t.index) {
    const json::value* v = record.if_contains(fi.field);
    if (v && !v->is_null()) fi.ids.emplace(IndexKey(fi.text, *v), id);
  }
}

void UnindexRecord(const ObjectTable& t, const std::string& id, const json::object& record) {
  for (auto& [name, fi] : t.index) {
    const json::value* v = record.if_contains(fi.field);
    if (!v || v->is_null()) continue;
    auto range = fi.ids.equal_range(IndexKey(fi.text, *v));
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == id) {
        fi.ids.erase(it);
        break;
      }
    }
  }
}

}  // namespace

DataStore::DataStore(const ManualClock& clock) : clock_(clock) {}

void DataStore::Reset() {
  schema_ = Schema();
  tables_.clear();
  undo_.clear();
  undo_active_ = false;
}

ObjectTable& DataStore::MutableTable(const ObjectDef& object) {
  return tables_[ToLower(object.name)];
}

void DataStore::Store(ObjectTable& table, const std::string& id, RecordPtr record) {
  auto [it, added] = table.slot_of.try_emplace(id, table.rows.size());
  if (added) {
    table.rows.push_back(nullptr);
    ++table.live_rows;
  } else if (const RecordPtr& old = table.rows[it->second]) {
    UnindexRecord(table, id, *old);
  }
  IndexRecord(table, id, *record);
  table.rows[it->second] = std::move(record);
}

const ObjectTable* DataStore::Table(const ObjectDef& object) const {
  auto it = tables_.find(ToLower(object.name));
  return it == tables_.end() ? nullptr : &it->second;
}

std::optional<RecordError> DataStore::ApplyFields(const ObjectDef& object, const json::object& in,
                                                  json::object& record, bool creating,
                                                  bool allow_system_fields) {
  for (const auto& [key, value] : in) {
    if (key == "attributes") continue;
    const FieldDef* field = object.FindField(key);
    if (!field) return InvalidField(object, std::string(key));
    bool writable = creating ? field->createable : field->updateable;
    if (field->name == "OwnerId") writable = true;
    if (!writable && !(allow_system_fields && creating)) {
      if (field->name == "Id" && !creating) continue;  // PATCH bodies may echo the Id
      return RecordError{"INVALID_FIELD_FOR_INSERT_UPDATE",
                         "Unable to create/update fields: " + field->name +
                             ". Please check the security settings of this field and verify "
                             "that it is read/write for your profile or permission set.",
                         {field->name}};
    }
    json::value coerced;
    if (auto err = Coerce(*field, value, &coerced)) return err;
    if (coerced.is_null() && !field->nillable && !field->system) {
      return RecordError{"REQUIRED_FIELD_MISSING",
                         "Required fields are missing: [" + field->name + "]",
                         {field->name}};
    }
    record[field->name] = std::move(coerced);
  }
  return std::nullopt;
}

std::variant<std::string, RecordError> DataStore::Create(const ObjectDef& object,
                                                         const json::object& fields,
                                                         const std::string& acting_user_id,
                                                         bool allow_system_fields) {
  if (!object.createable && !allow_system_fields) {
    return RecordError{"INSUFFICIENT_ACCESS_OR_READONLY",
                       "entity type " + object.name + " does not support create",
                       {}};
  }
  json::object record;
  if (auto err = ApplyFields(object, fields, record, true, allow_system_fields)) return *err;
  std::vector<std::string> missing;
  for (const auto& f : object.fields) {
    if (record.contains(f.name)) continue;
    if (f.required) {
      missing.push_back(f.name);
    } else if (!f.default_value.is_null()) {
      record[f.name] = f.default_value;
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return RecordError{"REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]",
                       missing};
  }
  std::string id = record.contains("Id") && record["Id"].is_string()
                       ? std::string(record["Id"].as_string())
                       : NewId(object.key_prefix);
  auto& table = MutableTable(object);
  if (table.slot_of.count(id)) {
    return RecordError{"DUPLICATE_VALUE",
                       "duplicate value found: Id duplicates value on record with id: " + id,
                       {"Id"}};
  }
  for (const auto& f : object.fields) {
    if (!f.unique || f.name == "Id" || !record.contains(f.name) || record[f.name].is_null()) {
      continue;
    }
    auto dupes = FindByField(object, f, record[f.name]);
    if (!dupes.empty()) {
      return RecordError{"DUPLICATE_VALUE",
                         "duplicate value found: " + f.name +
                             " duplicates value on record with id: " + dupes.front(),
                         {f.name}};
    }
  }
  std::string now = FormatDateTime(clock_.NowMs());
  std::string user = acting_user_id.empty() ? default_user_id_ : acting_user_id;
  record["Id"] = id;
  auto set_default = [&](const char* name, json::value v) {
    if (!record.contains(name) || record[name].is_null()) record[name] = std::move(v);
  };
  set_default("CreatedDate", json::value(now));
  set_default("LastModifiedDate", json::value(now));
  set_default("SystemModstamp", json::value(now));
  set_default("CreatedById", user.empty() ? json::value(nullptr) : json::value(user));
  set_default("LastModifiedById", user.empty() ? json::value(nullptr) : json::value(user));
  if (object.has_owner)
    set_default("OwnerId", user.empty() ? json::value(nullptr) : json::value(user));
  record["IsDeleted"] = false;
  ComputeName(object, record);
  Remember(object, id);
  Store(table, id, std::make_shared<const json::object>(std::move(record)));
  return id;
}

std::optional<RecordError> DataStore::Update(const ObjectDef& object, const std::string& id,
                                             const json::object& fields,
                                             const std::string& acting_user_id) {
  auto norm = NormalizeId(id);
  auto& table = MutableTable(object);
  const RecordPtr* current = norm ? table.Find(*norm) : nullptr;
  if (current == nullptr || *current == nullptr) {
    return RecordError{"NOT_FOUND", "The requested resource does not exist", {}};
  }
  if ((*current)->at("IsDeleted").as_bool()) {
    return RecordError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  }
  json::object updated = **current;
  if (auto err = ApplyFields(object, fields, updated, false, false)) return err;
  std::string now = FormatDateTime(clock_.NowMs());
  updated["LastModifiedDate"] = now;
  updated["SystemModstamp"] = now;
  std::string user = acting_user_id.empty() ? default_user_id_ : acting_user_id;
  if (!user.empty()) updated["LastModifiedById"] = user;
  ComputeName(object, updated);
  Remember(object, *norm);
  Store(table, *norm, std::make_shared<const json::object>(std::move(updated)));
  return std::nullopt;
}

std::optional<RecordError> DataStore::Delete(const ObjectDef& object, const std::string& id,
                                             const std::string& acting_user_id) {
  auto norm = NormalizeId(id);
  auto& table = MutableTable(object);
  const RecordPtr* current = norm ? table.Find(*norm) : nullptr;
  if (current == nullptr || *current == nullptr) {
    return RecordError{"NOT_FOUND", "The requested resource does not exist", {}};
  }
  if ((*current)->at("IsDeleted").as_bool()) {
    return RecordError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  }
  // The delete log is not undone by an allOrNone rollback; getDeleted only lists what a
  // client then fails to find, which a replication client tolerates.
  table.delete_log.push_back(DeletedEntry{*norm, clock_.NowMs()});
  if (!object.recycle_bin) {
    Purge(object, *norm);
    return std::nullopt;
  }
  Remember(object, *norm);
  std::string now = FormatDateTime(clock_.NowMs());
  json::object deleted = **current;
  deleted["IsDeleted"] = true;
  deleted["LastModifiedDate"] = now;
  deleted["SystemModstamp"] = now;
  std::string user = acting_user_id.empty() ? default_user_id_ : acting_user_id;
  if (!user.empty()) deleted["LastModifiedById"] = user;
  Store(table, *norm, std::make_shared<const json::object>(std::move(deleted)));
  return std::nullopt;
}

void DataStore::Purge(const ObjectDef& object, const std::string& id) {
  auto norm = NormalizeId(id);
  if (!norm) return;
  auto& table = MutableTable(object);
  auto it = table.slot_of.find(*norm);
  if (it == table.slot_of.end()) return;
  Remember(object, *norm);
  RecordPtr& slot = table.rows[it->second];
  UnindexRecord(table, *norm, *slot);
  slot = nullptr;
  --table.live_rows;
  table.slot_of.erase(it);
}

std::int64_t DataStore::EmptyRecycleBin(const ObjectDef& object) {
  auto& table = MutableTable(object);
  std::vector<std::string> binned;
  for (const RecordPtr& row : table.rows) {
    if (row == nullptr) continue;
    const json::value* deleted = row->if_contains("IsDeleted");
    if (deleted != nullptr && deleted->is_bool() && deleted->as_bool()) {
      binned.emplace_back(row->at("Id").as_string());
    }
  }
  for (const std::string& id : binned) Purge(object, id);
  table.delete_log.clear();
  table.log_starts_ms = clock_.NowMs();
  return static_cast<std::int64_t>(binned.size());
}

const json::object* DataStore::Get(const ObjectDef& object, const std::string& id) const {
  RecordPtr shared = GetShared(object, id);
  return shared.get();  // the table keeps its own reference
}

RecordPtr DataStore::GetShared(const ObjectDef& object, const std::string& id) const {
  auto norm = NormalizeId(id);
  const auto* table = Table(object);
  if (!norm || !table) return nullptr;
  const RecordPtr* found = table->Find(*norm);
  return found == nullptr ? nullptr : *found;
}

const ObjectDef* DataStore::ObjectOfId(const std::string& id) const {
  if (id.size() < 3) return nullptr;
  return schema_.FindByKeyPrefix(id.substr(0, 3));
}

std::vector<std::string> DataStore::FindByField(const ObjectDef& object, const FieldDef& field,
                                                const json::value& value) const {
  std::vector<std::string> out;
  const auto* table = Table(object);
  if (!table) return out;
  json::value wanted;
  if (Coerce(field, value, &wanted)) return out;
  bool text = IsTextType(field.type) && field.type != FieldType::kId;
  if (!wanted.is_null()) {
    auto [entry, built] = table->index.try_emplace(ToLower(field.name));
    FieldIndex& fi = entry->second;
    if (built) {
      fi.field = field.name;
      fi.text = text;
      for (const RecordPtr& row : table->rows) {
        if (row == nullptr) continue;
        const json::value* v = row->if_contains(field.name);
        if (v && !v->is_null())
          fi.ids.emplace(IndexKey(text, *v), std::string(row->at("Id").as_string()));
      }
    }
    auto range = fi.ids.equal_range(IndexKey(text, wanted));
    for (auto it = range.first; it != range.second; ++it) {
      if (!(*table->Find(it->second))->at("IsDeleted").as_bool()) out.push_back(it->second);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string wanted_lower = text && wanted.is_string() ? ToLower(wanted.as_string()) : "";
  for (const RecordPtr& row : table->rows) {
    if (row == nullptr || row->at("IsDeleted").as_bool()) continue;
    auto* v = row->if_contains(field.name);
    if (!v) continue;
    bool equal = text && v->is_string() ? ToLower(v->as_string()) == wanted_lower : *v == wanted;
    if (equal) out.push_back(std::string(row->at("Id").as_string()));
  }
  return out;
}

void DataStore::Remember(const ObjectDef& object, const std::string& id) {
  if (!undo_active_) return;
  undo_.push_back(UndoEntry{ToLower(object.name), id, GetShared(object, id)});
}

void DataStore::BeginUndo() {
  undo_.clear();
  undo_active_ = true;
}

void DataStore::CommitUndo() {
  undo_.clear();
  undo_active_ = false;
}

void DataStore::RollbackUndo() {
  undo_active_ = false;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    auto& table = tables_[it->object];
    if (it->before) {
      Store(table, it->id, std::move(it->before));
      continue;
    }
    auto cur = table.slot_of.find(it->id);
    if (cur == table.slot_of.end()) continue;
    if (const RecordPtr& row = table.rows[cur->second]) {
      UnindexRecord(table, it->id, *row);
      --table.live_rows;
    }
    if (cur->second + 1 == table.rows.size()) {
      table.rows.pop_back();  // the usual case: undoing the newest create
    } else {
      table.rows[cur->second] = nullptr;
    }
    table.slot_of.erase(cur);
  }
  undo_.clear();
}

}  // namespace chpeer::sf
