// Record storage of the Salesforce peer: records per sObject as JSON objects keyed by
// canonical field names, with system fields maintained on write, soft delete (IsDeleted, only
// visible to queryAll), external-ID lookup and an undo log so composite allOrNone requests can
// roll back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "chpeer/manual_clock.h"
#include "sf_schema.h"

namespace chpeer::sf {

// A per-record failure as the sObject and Collections APIs report it.
struct RecordError {
  std::string status_code;  // e.g. REQUIRED_FIELD_MISSING
  std::string message;
  std::vector<std::string> fields;
};

// Ids by value of one field (see DataStore::FindByField).
struct FieldIndex {
  std::string field;  // the field's API name as records carry it
  bool text = false;  // compared case-insensitively
  std::unordered_multimap<std::string, std::string> ids;
};

struct ObjectTable {
  std::unordered_map<std::string, boost::json::object> records;  // by 18-char Id
  std::vector<std::string> order;                                // insertion order
  // Built on the first lookup by a field (external ids, unique fields) and kept up to date by
  // every write after that, so an upsert does not scan the table. By lower-case field name.
  mutable std::unordered_map<std::string, FieldIndex> index;
};

class DataStore {
 public:
  explicit DataStore(const ManualClock& clock);

  Schema& schema() { return schema_; }
  const Schema& schema() const { return schema_; }
  // Drops every record and custom definition.
  void Reset();

  // The user the peer attributes writes to when no session is involved (seeds, control API).
  void set_default_user_id(std::string id) { default_user_id_ = std::move(id); }
  const std::string& default_user_id() const { return default_user_id_; }

  // Creates a record; `fields` may carry "attributes" (ignored). System fields are refused
  // unless `allow_system_fields` (seeding may set Id, CreatedDate, ... ).
  std::variant<std::string, RecordError> Create(const ObjectDef& object,
                                                const boost::json::object& fields,
                                                const std::string& acting_user_id,
                                                bool allow_system_fields = false);
  std::optional<RecordError> Update(const ObjectDef& object, const std::string& id,
                                    const boost::json::object& fields,
                                    const std::string& acting_user_id);
  std::optional<RecordError> Delete(const ObjectDef& object, const std::string& id,
                                    const std::string& acting_user_id);

  // Removes a record outright (no recycle bin); used for the Organization singleton.
  void Purge(const ObjectDef& object, const std::string& id);
  // Live or deleted record; nullptr when unknown. `id` may be 15 or 18 characters.
  const boost::json::object* Get(const ObjectDef& object, const std::string& id) const;
  // Object owning an ID, by key prefix.
  const ObjectDef* ObjectOfId(const std::string& id) const;
  // Live record IDs whose `field` equals `value` (external ID lookups; case-insensitive text).
  std::vector<std::string> FindByField(const ObjectDef& object, const FieldDef& field,
                                       const boost::json::value& value) const;
  const ObjectTable* Table(const ObjectDef& object) const;

  // Undo log for allOrNone: Begin, then Commit or Rollback. Not nested.
  void BeginUndo();
  void CommitUndo();
  void RollbackUndo();

 private:
  struct UndoEntry {
    std::string object;  // lower-case object name
    std::string id;
    std::optional<boost::json::object> before;  // nullopt: record was created
  };
  std::optional<RecordError> ApplyFields(const ObjectDef& object, const boost::json::object& in,
                                         boost::json::object& record, bool creating,
                                         bool allow_system_fields);
  void Remember(const ObjectDef& object, const std::string& id);
  ObjectTable& MutableTable(const ObjectDef& object);

  const ManualClock& clock_;
  Schema schema_;
  std::unordered_map<std::string, ObjectTable> tables_;  // by lower-case object name
  std::string default_user_id_;
  bool undo_active_ = false;
  std::vector<UndoEntry> undo_;
};

}  // namespace chpeer::sf
