// Record storage of the Salesforce peer: records per sObject as JSON objects keyed by
// canonical field names, with system fields maintained on write, soft delete (IsDeleted, only
// visible to queryAll), hard delete, external-ID lookup and an undo log so composite allOrNone
// requests can roll back.
//
// Records are immutable once stored (copy-on-write): a write replaces the shared pointer, so a
// query cursor or a Bulk job keeps a snapshot of its rows by holding the pointers, without
// copying a single record.
#pragma once

#include <cstdint>
#include <memory>
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

// One stored record version; never modified after it is stored.
using RecordPtr = std::shared_ptr<const boost::json::object>;

// One entry of an object's delete log, which getDeleted reads.
struct DeletedEntry {
  std::string id;  // 18-char
  std::int64_t deleted_ms = 0;
};

struct ObjectTable {
  // Insertion order; a purged (hard-deleted) record leaves a null slot, so slot numbers stay
  // stable and a scan never hashes an Id.
  std::vector<RecordPtr> rows;
  std::unordered_map<std::string, std::size_t> slot_of;  // by 18-char Id
  std::size_t live_rows = 0;                             // non-null slots
  // Soft and hard deletes, oldest first. Emptying the Recycle Bin clears it and moves
  // `log_starts_ms` (getDeleted's earliestDateAvailable is never before it).
  std::vector<DeletedEntry> delete_log;
  std::int64_t log_starts_ms = 0;
  // Built on the first lookup by a field (external ids, unique fields) and kept up to date by
  // every write after that, so an upsert does not scan the table. By lower-case field name.
  mutable std::unordered_map<std::string, FieldIndex> index;

  const RecordPtr* Find(const std::string& id18) const {
    auto it = slot_of.find(id18);
    return it == slot_of.end() ? nullptr : &rows[it->second];
  }
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

  // Removes a record outright (no recycle bin): the Organization singleton, hard-delete-only
  // objects, and records emptied from the Recycle Bin. queryAll and getDeleted no longer see it.
  void Purge(const ObjectDef& object, const std::string& id);
  // The admin's "Empty Recycle Bin": purges every soft-deleted record of `object` and clears
  // its delete log, so getDeleted cannot reach back before now. Returns the records purged.
  std::int64_t EmptyRecycleBin(const ObjectDef& object);
  // Live or deleted record; nullptr when unknown. `id` may be 15 or 18 characters. Valid until
  // the next write to that record; keep GetShared's pointer to hold it longer.
  const boost::json::object* Get(const ObjectDef& object, const std::string& id) const;
  RecordPtr GetShared(const ObjectDef& object, const std::string& id) const;
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
    RecordPtr before;  // null: record was created
  };
  std::optional<RecordError> ApplyFields(const ObjectDef& object, const boost::json::object& in,
                                         boost::json::object& record, bool creating,
                                         bool allow_system_fields);
  void Remember(const ObjectDef& object, const std::string& id);
  ObjectTable& MutableTable(const ObjectDef& object);
  // Stores `record` as the new version of `id` (appends a slot for a new Id), re-indexing.
  void Store(ObjectTable& table, const std::string& id, RecordPtr record);

  const ManualClock& clock_;
  Schema schema_;
  std::unordered_map<std::string, ObjectTable> tables_;  // by lower-case object name
  std::string default_user_id_;
  bool undo_active_ = false;
  std::vector<UndoEntry> undo_;
};

}  // namespace chpeer::sf
