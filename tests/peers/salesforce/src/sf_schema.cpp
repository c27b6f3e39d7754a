// Standard object definitions and describe output for the Salesforce peer.
#include "sf_schema.h"

#include <algorithm>

#include <boost/json.hpp>

#include "chpeer/http_types.h"

namespace chpeer::sf {
namespace {

struct TypeName {
  FieldType type;
  std::string_view name;
};
constexpr TypeName kTypeNames[] = {
    {FieldType::kId, "id"},
    {FieldType::kString, "string"},
    {FieldType::kTextarea, "textarea"},
    {FieldType::kEmail, "email"},
    {FieldType::kPhone, "phone"},
    {FieldType::kUrl, "url"},
    {FieldType::kPicklist, "picklist"},
    {FieldType::kBoolean, "boolean"},
    {FieldType::kInt, "int"},
    {FieldType::kDouble, "double"},
    {FieldType::kCurrency, "currency"},
    {FieldType::kPercent, "percent"},
    {FieldType::kDate, "date"},
    {FieldType::kDateTime, "datetime"},
    {FieldType::kReference, "reference"},
};

FieldDef F(std::string name, FieldType type) {
  FieldDef f;
  f.label = name;
  f.name = std::move(name);
  f.type = type;
  if (type == FieldType::kBoolean) {
    f.nillable = false;
    f.default_value = false;
  }
  if (type == FieldType::kId || type == FieldType::kReference) f.length = 18;
  return f;
}

FieldDef Required(std::string name, FieldType type) {
  FieldDef f = F(std::move(name), type);
  f.nillable = false;
  f.required = true;
  return f;
}

FieldDef WithDefault(std::string name, FieldType type, boost::json::value value) {
  FieldDef f = F(std::move(name), type);
  f.nillable = false;
  f.default_value = std::move(value);
  return f;
}

FieldDef ReadOnly(std::string name, FieldType type) {
  FieldDef f = F(std::move(name), type);
  f.createable = false;
  f.updateable = false;
  return f;
}

FieldDef Ref(std::string name, std::vector<std::string> to) {
  FieldDef f = F(std::move(name), FieldType::kReference);
  f.reference_to = std::move(to);
  return f;
}

ObjectDef Obj(std::string name, std::string prefix, std::string plural, bool has_owner) {
  ObjectDef o;
  o.label = name;
  o.name = std::move(name);
  o.label_plural = std::move(plural);
  o.key_prefix = std::move(prefix);
  o.has_owner = has_owner;
  return o;
}

}  // namespace

std::string_view FieldTypeName(FieldType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "string";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  std::string lower = ToLower(name);
  for (const auto& t : kTypeNames) {
    if (t.name == lower) return t.type;
  }
  return std::nullopt;
}

bool IsTextType(FieldType type) {
  switch (type) {
    case FieldType::kId:
    case FieldType::kString:
    case FieldType::kTextarea:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kUrl:
    case FieldType::kPicklist:
    case FieldType::kReference:
      return true;
    default:
      return false;
  }
}

bool IsNumericType(FieldType type) {
  return type == FieldType::kInt || type == FieldType::kDouble || type == FieldType::kCurrency ||
         type == FieldType::kPercent;
}

const FieldDef* ObjectDef::FindField(std::string_view name) const {
  auto it = index_.find(ToLower(name));
  return it == index_.end() ? nullptr : &fields[it->second];
}

void ObjectDef::AddField(FieldDef field) {
  auto key = ToLower(field.name);
  auto it = index_.find(key);
  if (it != index_.end()) {
    fields[it->second] = std::move(field);
    return;
  }
  index_[key] = fields.size();
  fields.push_back(std::move(field));
}

Schema::Schema() {
  using T = FieldType;
  {
    ObjectDef user = Obj("User", "005", "Users", false);
    user.soft_delete = false;  // users are deactivated, never deleted: User has no IsDeleted
    auto& o = Add(std::move(user));
    o.AddField(Required("Username", T::kString));
    o.AddField(Required("LastName", T::kString));
    o.AddField(F("FirstName", T::kString));
    o.AddField(ReadOnly("Name", T::kString));
    o.AddField(Required("Email", T::kEmail));
    o.AddField(F("Alias", T::kString));
    o.AddField(WithDefault("IsActive", T::kBoolean, true));
    o.AddField(WithDefault("UserType", T::kPicklist, "Standard"));
    o.AddField(Ref("ProfileId", {"Profile"}));
    o.AddField(Ref("ManagerId", {"User"}));
    o.AddField(WithDefault("TimeZoneSidKey", T::kPicklist, "America/Los_Angeles"));
    o.AddField(WithDefault("LanguageLocaleKey", T::kPicklist, "en_US"));
    o.AddField(WithDefault("LocaleSidKey", T::kPicklist, "en_US"));
    o.AddField(F("Title", T::kString));
    o.AddField(F("Department", T::kString));
    o.AddField(F("CompanyName", T::kString));
  }
  {
    auto& o = Add(Obj("Account", "001", "Accounts", true));
    o.AddField(Required("Name", T::kString));
    o.AddField(F("AccountNumber", T::kString));
    o.AddField(F("Type", T::kPicklist));
    o.AddField(F("Industry", T::kPicklist));
    o.AddField(F("Website", T::kUrl));
    o.AddField(F("Phone", T::kPhone));
    o.AddField(F("BillingCity", T::kString));
    o.AddField(F("BillingCountry", T::kString));
    o.AddField(F("AnnualRevenue", T::kCurrency));
    o.AddField(F("NumberOfEmployees", T::kInt));
    o.AddField(F("Description", T::kTextarea));
    o.AddField(Ref("ParentId", {"Account"}));
  }
  {
    // Field history (StandardObjectNameHistory): append-only rows Salesforce writes when a
    // tracked field changes; Id, IsDeleted, CreatedById, CreatedDate, no modification stamps.
    // Not createable through the API (the peer's control API seeds them).
    ObjectDef history = Obj("AccountHistory", "017", "Account History", false);
    history.label = "Account History";
    history.createable = false;
    history.modification_stamps = false;
    auto& o = Add(std::move(history));
    o.AddField(Ref("AccountId", {"Account"}));
    o.AddField(F("Field", T::kPicklist));
    o.AddField(F("DataType", T::kPicklist));
    o.AddField(F("OldValue", T::kString));
    o.AddField(F("NewValue", T::kString));
  }
  {
    auto& o = Add(Obj("Contact", "003", "Contacts", true));
    o.AddField(Required("LastName", T::kString));
    o.AddField(F("FirstName", T::kString));
    o.AddField(ReadOnly("Name", T::kString));
    o.AddField(F("Email", T::kEmail));
    o.AddField(F("Phone", T::kPhone));
    o.AddField(F("Title", T::kString));
    o.AddField(F("Department", T::kString));
    o.AddField(F("MailingCity", T::kString));
    o.AddField(F("LeadSource", T::kPicklist));
    o.AddField(Ref("AccountId", {"Account"}));
  }
  {
    auto& o = Add(Obj("Campaign", "701", "Campaigns", true));
    o.AddField(Required("Name", T::kString));
    o.AddField(F("Status", T::kPicklist));
  }
  {
    // A junction without a Recycle Bin: a deleted member is gone at once (hard delete).
    ObjectDef member = Obj("CampaignMember", "00v", "Campaign Members", false);
    member.recycle_bin = false;
    auto& o = Add(std::move(member));
    o.AddField(Ref("CampaignId", {"Campaign"}));
    o.AddField(Ref("ContactId", {"Contact"}));
    o.AddField(Ref("LeadId", {"Lead"}));
    o.AddField(F("Status", T::kPicklist));
  }
  {
    auto& o = Add(Obj("Lead", "00Q", "Leads", true));
    o.AddField(Required("LastName", T::kString));
    o.AddField(F("FirstName", T::kString));
    o.AddField(ReadOnly("Name", T::kString));
    o.AddField(Required("Company", T::kString));
    o.AddField(F("Email", T::kEmail));
    o.AddField(F("Phone", T::kPhone));
    o.AddField(F("Title", T::kString));
    o.AddField(WithDefault("Status", T::kPicklist, "Open - Not Contacted"));
    o.AddField(F("LeadSource", T::kPicklist));
    o.AddField(F("Industry", T::kPicklist));
    o.AddField(WithDefault("IsConverted", T::kBoolean, false));
  }
  {
    auto& o = Add(Obj("Opportunity", "006", "Opportunities", true));
    o.AddField(Required("Name", T::kString));
    o.AddField(Required("StageName", T::kPicklist));
    o.AddField(Required("CloseDate", T::kDate));
    o.AddField(F("Amount", T::kCurrency));
    o.AddField(F("Probability", T::kPercent));
    o.AddField(F("Type", T::kPicklist));
    o.AddField(F("LeadSource", T::kPicklist));
    o.AddField(Ref("AccountId", {"Account"}));
    o.AddField(WithDefault("IsClosed", T::kBoolean, false));
    o.AddField(WithDefault("IsWon", T::kBoolean, false));
  }
  {
    auto& o = Add(Obj("Campaign", "701", "Campaigns", true));
    o.AddField(Required("Name", T::kString));
    o.AddField(F("Type", T::kPicklist));
    o.AddField(WithDefault("Status", T::kPicklist, "Planned"));
    o.AddField(F("StartDate", T::kDate));
    o.AddField(F("EndDate", T::kDate));
    o.AddField(WithDefault("IsActive", T::kBoolean, false));
    o.AddField(F("BudgetedCost", T::kCurrency));
  }
  {
    auto& o = Add(Obj("Task", "00T", "Tasks", true));
    o.AddField(F("Subject", T::kString));
    o.AddField(WithDefault("Status", T::kPicklist, "Not Started"));
    o.AddField(WithDefault("Priority", T::kPicklist, "Normal"));
    o.AddField(Ref("WhoId", {"Contact", "Lead"}));
    o.AddField(Ref("WhatId", {"Account", "Opportunity", "Campaign"}));
    o.AddField(F("ActivityDate", T::kDate));
    o.AddField(F("Description", T::kTextarea));
    o.AddField(WithDefault("IsClosed", T::kBoolean, false));
  }
  {
    auto& o = Add(Obj("Event", "00U", "Events", true));
    o.AddField(F("Subject", T::kString));
    o.AddField(F("StartDateTime", T::kDateTime));
    o.AddField(F("EndDateTime", T::kDateTime));
    o.AddField(F("ActivityDateTime", T::kDateTime));
    o.AddField(F("DurationInMinutes", T::kInt));
    o.AddField(F("Location", T::kString));
    o.AddField(WithDefault("IsAllDayEvent", T::kBoolean, false));
    o.AddField(Ref("WhoId", {"Contact", "Lead"}));
    o.AddField(Ref("WhatId", {"Account", "Opportunity", "Campaign"}));
    o.AddField(F("Description", T::kTextarea));
  }
  {
    auto& o = Add(Obj("Organization", "00D", "Organizations", false));
    o.createable = false;
    o.AddField(ReadOnly("Name", T::kString));
    o.AddField(ReadOnly("OrganizationType", T::kPicklist));
    o.AddField(ReadOnly("InstanceName", T::kString));
    o.AddField(ReadOnly("IsSandbox", T::kBoolean));
  }
  {
    // The licence behind a profile: LicenseDefinitionKey SFDC is the full Salesforce licence,
    // PID_INTEGRATION the API-only Salesforce Integration licence.
    auto& o = Add(Obj("UserLicense", "100", "User Licenses", false));
    o.AddField(Required("Name", T::kString));
    o.AddField(Required("MasterLabel", T::kString));
    o.AddField(Required("LicenseDefinitionKey", T::kString));
    o.AddField(WithDefault("Status", T::kPicklist, "Active"));
  }
  {
    auto& o = Add(Obj("Profile", "00e", "Profiles", false));
    o.AddField(Required("Name", T::kString));
    o.AddField(Ref("UserLicenseId", {"UserLicense"}));
    o.AddField(WithDefault("UserType", T::kPicklist, "Standard"));
    o.AddField(F("Description", T::kTextarea));
  }
  {
    auto& o = Add(Obj("PermissionSet", "0PS", "Permission Sets", false));
    o.AddField(Required("Name", T::kString));
    o.AddField(Required("Label", T::kString));
    o.AddField(F("Description", T::kTextarea));
    o.AddField(WithDefault("IsOwnedByProfile", T::kBoolean, false));
    o.AddField(Ref("ProfileId", {"Profile"}));
    // System permissions (a profile's are on the permission set it owns, IsOwnedByProfile).
    for (const char* p : {"PermissionsApiEnabled", "PermissionsViewAllData",
                          "PermissionsModifyAllData", "PermissionsViewAllUsers",
                          "PermissionsManageUsers", "PermissionsManageProfilesPermissionsets",
                          "PermissionsViewRoles", "PermissionsViewSetup"}) {
      o.AddField(WithDefault(p, T::kBoolean, false));
    }
  }
  {
    auto& o = Add(Obj("PermissionSetAssignment", "0Pa", "Permission Set Assignments", false));
    o.AddField(Ref("AssigneeId", {"User"}));
    o.AddField(Ref("PermissionSetId", {"PermissionSet"}));
  }
  {
    auto& o = Add(Obj("ObjectPermissions", "110", "Object Permissions", false));
    o.AddField(Ref("ParentId", {"PermissionSet"}));
    o.AddField(Required("SobjectType", T::kPicklist));
    for (const char* p :
         {"PermissionsRead", "PermissionsCreate", "PermissionsEdit", "PermissionsDelete",
          "PermissionsViewAllRecords", "PermissionsModifyAllRecords"}) {
      o.AddField(WithDefault(p, T::kBoolean, false));
    }
  }
}

ObjectDef& Schema::Add(ObjectDef def) {
  using T = FieldType;
  // System fields every object carries, first, in the order describe lists them.
  ObjectDef full = std::move(def);
  std::vector<FieldDef> declared = std::move(full.fields);
  full.fields.clear();
  auto system = [&](FieldDef f) {
    f.system = true;
    f.createable = false;
    f.updateable = false;
    full.AddField(std::move(f));
  };
  FieldDef id = F("Id", T::kId);
  id.nillable = false;
  id.unique = true;
  system(id);
  if (full.has_owner) {
    FieldDef owner = Ref("OwnerId", {"User"});
    owner.nillable = false;
    owner.system = false;  // clients may assign the owner
    full.AddField(owner);
  }
  // The store keeps IsDeleted and the modification stamps on every record; an object without
  // them in its schema simply does not expose them (SOQL: "No such column", describe, GET).
  if (full.soft_delete) system(WithDefault("IsDeleted", T::kBoolean, false));
  system(F("CreatedDate", T::kDateTime));
  system(Ref("CreatedById", {"User"}));
  if (full.modification_stamps) {
    system(F("LastModifiedDate", T::kDateTime));
    system(Ref("LastModifiedById", {"User"}));
    system(F("SystemModstamp", T::kDateTime));
  }
  for (auto& f : declared) full.AddField(std::move(f));
  auto key = ToLower(full.name);
  auto& slot = objects_[key];
  slot = std::make_unique<ObjectDef>(std::move(full));
  return *slot;
}

const ObjectDef* Schema::Find(std::string_view name) const {
  auto it = objects_.find(ToLower(name));
  return it == objects_.end() ? nullptr : it->second.get();
}

const ObjectDef* Schema::FindByKeyPrefix(std::string_view prefix) const {
  for (const auto& [key, obj] : objects_) {
    if (obj->key_prefix == prefix) return obj.get();
  }
  return nullptr;
}

bool Schema::AddCustomObject(const std::string& name, const std::string& label,
                             std::string* error) {
  if (name.size() < 4 || ToLower(name.substr(name.size() - 3)) != "__c") {
    if (error) *error = "custom object name must end in __c: " + name;
    return false;
  }
  if (Find(name)) return true;  // re-seeding the same object is fine
  // Custom objects get key prefixes a00, a01, ... like a fresh org.
  int n = next_custom_prefix_++;
  static constexpr std::string_view kDigits =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string prefix = "a";
  prefix.push_back(kDigits[(n / 62) % 62]);
  prefix.push_back(kDigits[n % 62]);
  ObjectDef o = Obj(name, prefix, label.empty() ? name : label, true);
  o.label = label.empty() ? name : label;
  o.custom = true;
  o.AddField(F("Name", FieldType::kString));
  Add(std::move(o));
  return true;
}

bool Schema::AddField(const std::string& object, FieldDef field, std::string* error) {
  auto it = objects_.find(ToLower(object));
  if (it == objects_.end()) {
    if (error) *error = "unknown object " + object;
    return false;
  }
  if (field.name.size() < 4 || ToLower(field.name.substr(field.name.size() - 3)) != "__c") {
    if (error) *error = "custom field name must end in __c: " + field.name;
    return false;
  }
  field.custom = true;
  if (field.label.empty()) field.label = field.name;
  it->second->AddField(std::move(field));
  return true;
}

std::vector<const ObjectDef*> Schema::All() const {
  std::vector<const ObjectDef*> out;
  for (const auto& [key, obj] : objects_) out.push_back(obj.get());
  return out;
}

boost::json::object DescribeGlobalEntry(const ObjectDef& object, std::string_view version_path) {
  boost::json::object o;
  std::string base = std::string(version_path) + "/sobjects/" + object.name;
  o["name"] = object.name;
  o["label"] = object.label;
  o["labelPlural"] = object.label_plural;
  o["keyPrefix"] = object.key_prefix;
  o["custom"] = object.custom;
  o["createable"] = object.createable;
  o["updateable"] = object.createable;
  o["deletable"] = object.createable;
  o["queryable"] = true;
  o["searchable"] = true;
  // The rest of the documented DescribeGlobalSObjectResult keys.
  o["activateable"] = false;
  o["customSetting"] = false;
  o["deprecatedAndHidden"] = false;
  o["feedEnabled"] = false;
  o["hasSubtypes"] = false;
  o["isSubtype"] = false;
  o["layoutable"] = true;
  o["mergeable"] = object.name == "Account" || object.name == "Contact" || object.name == "Lead";
  o["mruEnabled"] = true;
  o["replicateable"] = true;
  o["retrieveable"] = true;
  o["triggerable"] = true;
  o["undeletable"] = object.createable;
  o["urls"] = boost::json::object{
      {"sobject", base}, {"describe", base + "/describe"}, {"rowTemplate", base + "/{ID}"}};
  return o;
}

boost::json::object DescribeObject(const ObjectDef& object, std::string_view version_path) {
  boost::json::object o = DescribeGlobalEntry(object, version_path);
  boost::json::array fields;
  for (const auto& f : object.fields) {
    boost::json::object jf;
    jf["name"] = f.name;
    jf["label"] = f.label;
    jf["type"] = FieldTypeName(f.type);
    jf["length"] = IsTextType(f.type) ? f.length : 0;
    jf["createable"] = f.createable;
    jf["updateable"] = f.updateable;
    jf["nillable"] = f.nillable;
    jf["defaultedOnCreate"] = !f.default_value.is_null() || f.system;
    jf["externalId"] = f.external_id;
    jf["idLookup"] = f.external_id || f.type == FieldType::kId;
    jf["unique"] = f.unique;
    jf["custom"] = f.custom;
    jf["filterable"] = true;
    jf["sortable"] = f.type != FieldType::kTextarea;
    jf["calculated"] = false;
    boost::json::array refs;
    for (const auto& r : f.reference_to) refs.push_back(boost::json::value(r));
    jf["referenceTo"] = std::move(refs);
    jf["relationshipName"] = nullptr;
    if (f.type == FieldType::kReference && f.name.size() > 2 &&
        f.name.substr(f.name.size() - 2) == "Id") {
      jf["relationshipName"] = f.name.substr(0, f.name.size() - 2);
    }
    jf["defaultValue"] = f.default_value;
    jf["picklistValues"] = boost::json::array{};
    jf["soapType"] = f.type == FieldType::kBoolean                                 ? "xsd:boolean"
                     : f.type == FieldType::kInt                                   ? "xsd:int"
                     : IsNumericType(f.type)                                       ? "xsd:double"
                     : f.type == FieldType::kDate                                  ? "xsd:date"
                     : f.type == FieldType::kDateTime                              ? "xsd:dateTime"
                     : f.type == FieldType::kId || f.type == FieldType::kReference ? "tns:ID"
                                                                                   : "xsd:string";
    fields.push_back(std::move(jf));
  }
  o["fields"] = std::move(fields);
  o["childRelationships"] = boost::json::array{};
  o["recordTypeInfos"] = boost::json::array{};
  return o;
}

boost::json::array ChildRelationships(const Schema& schema, const ObjectDef& parent) {
  boost::json::array out;
  for (const ObjectDef* child : schema.All()) {
    for (const auto& f : child->fields) {
      if (f.type != FieldType::kReference) continue;
      bool points_here = std::find(f.reference_to.begin(), f.reference_to.end(), parent.name) !=
                         f.reference_to.end();
      if (!points_here) continue;
      // Standard relationships are named by the child's plural label (Contacts); custom ones
      // by the field with __r.
      std::string name;
      if (f.custom) {
        name = f.name.substr(0, f.name.size() - 3) + "s__r";
      } else {
        for (char c : child->label_plural) {
          if (c != ' ') name += c;
        }
      }
      out.push_back(boost::json::object{{"cascadeDelete", false},
                                        {"childSObject", child->name},
                                        {"deprecatedAndHidden", false},
                                        {"field", f.name},
                                        {"junctionIdListNames", boost::json::array{}},
                                        {"junctionReferenceTo", boost::json::array{}},
                                        {"relationshipName", name},
                                        {"restrictedDelete", false}});
    }
  }
  return out;
}

}  // namespace chpeer::sf
