// The sObject catalogue of the Salesforce peer: field and object definitions for the standard
// objects it plays (User, Account, Contact, Lead, Opportunity, Campaign, Task, Event,
// Organization, UserLicense, Profile, permission objects) plus custom objects/fields declared by
// seeds, and the describe JSON built from them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace chpeer::sf {

enum class FieldType {
  kId = 1,
  kString,
  kTextarea,
  kEmail,
  kPhone,
  kUrl,
  kPicklist,
  kBoolean,
  kInt,
  kDouble,
  kCurrency,
  kPercent,
  kDate,
  kDateTime,
  kReference,
};

std::string_view FieldTypeName(FieldType type);
std::optional<FieldType> ParseFieldType(std::string_view name);
bool IsTextType(FieldType type);
bool IsNumericType(FieldType type);

struct FieldDef {
  std::string name;
  std::string label;
  FieldType type = FieldType::kString;
  int length = 255;
  bool createable = true;
  bool updateable = true;
  bool nillable = true;
  bool required = false;  // must be given on create (not nillable, no default)
  bool external_id = false;
  bool unique = false;
  bool custom = false;
  bool system = false;  // maintained by the peer (Id, CreatedDate, ...)
  std::vector<std::string> reference_to;
  boost::json::value default_value;  // null when none
};

struct ObjectDef {
  std::string name;
  std::string label;
  std::string label_plural;
  std::string key_prefix;
  bool custom = false;
  bool createable = true;
  bool has_owner = true;
  // IsDeleted (the Recycle Bin) is not on every object: User has none.
  bool soft_delete = true;
  // Deleted records go to the Recycle Bin (IsDeleted = true, visible to queryAll). Objects
  // without one (junctions such as CampaignMember) are hard-deleted: the record is gone at
  // once and only the delete log (getDeleted) remembers it.
  bool recycle_bin = true;
  // LastModifiedDate, LastModifiedById and SystemModstamp: append-only objects such as the
  // field history objects (AccountHistory) carry only CreatedDate and CreatedById.
  bool modification_stamps = true;
  std::vector<FieldDef> fields;

  const FieldDef* FindField(std::string_view name) const;  // case-insensitive
  void AddField(FieldDef field);

 private:
  std::map<std::string, std::size_t> index_;  // lower-case name -> position
};

class Schema {
 public:
  Schema();                                            // the standard objects
  const ObjectDef* Find(std::string_view name) const;  // case-insensitive
  const ObjectDef* FindByKeyPrefix(std::string_view prefix) const;
  // Declares a custom object (name must end in __c); fields are added with AddField.
  bool AddCustomObject(const std::string& name, const std::string& label, std::string* error);
  bool AddField(const std::string& object, FieldDef field, std::string* error);
  std::vector<const ObjectDef*> All() const;

 private:
  ObjectDef& Add(ObjectDef def);
  std::map<std::string, std::unique_ptr<ObjectDef>> objects_;  // lower-case name
  int next_custom_prefix_ = 0;
};

// GET /sobjects/{type}/describe body.
boost::json::object DescribeObject(const ObjectDef& object, std::string_view version_path);
// describe's childRelationships: every reference field of any object that points at `parent`.
boost::json::array ChildRelationships(const Schema& schema, const ObjectDef& parent);
// One entry of GET /sobjects "sobjects" array.
boost::json::object DescribeGlobalEntry(const ObjectDef& object, std::string_view version_path);

}  // namespace chpeer::sf
