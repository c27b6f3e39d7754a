// Evaluation of parsed SOQL against the peer's DataStore: field resolution (including parent
// relationships such as Account.Name), filter type checks, filtering, ordering and projection.
#include "soql.h"

#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "chpeer/http_types.h"
#include "sf_util.h"
#include "soql_parser.h"

namespace chpeer::sf {
namespace {

namespace json = boost::json;
using soql::Condition;
using soql::CondKind;
using soql::Literal;
using soql::LiteralKind;

constexpr std::int64_t kDayMs = 86400000;

struct PathStep {
  const FieldDef* reference = nullptr;  // reference field followed to the next object
  const ObjectDef* target = nullptr;
  std::string relationship;  // canonical relationship name (Account, Owner, Foo__r)
};

struct ResolvedPath {
  std::vector<PathStep> steps;
  const FieldDef* leaf = nullptr;
  const ObjectDef* leaf_object = nullptr;
};

std::optional<ResolvedPath> Resolve(const Schema& schema, const ObjectDef& root,
                                    std::string_view path) {
  ResolvedPath out;
  const ObjectDef* current = &root;
  auto segments = std::vector<std::string>();
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    segments.emplace_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const std::string& seg = segments[i];
    std::string lower = ToLower(seg);
    const FieldDef* ref = nullptr;
    if (lower.size() > 3 && lower.substr(lower.size() - 3) == "__r") {
      ref = current->FindField(seg.substr(0, seg.size() - 3) + "__c");
    } else {
      ref = current->FindField(seg + "Id");
    }
    if (!ref || ref->type != FieldType::kReference) return std::nullopt;
    std::string target_name = ref->reference_to.empty() ? "User" : ref->reference_to.front();
    if (ref->name == "OwnerId" || ref->name == "CreatedById" || ref->name == "LastModifiedById") {
      target_name = "User";
    }
    const ObjectDef* target = schema.Find(target_name);
    if (!target) return std::nullopt;
    std::string rel = ref->custom ? ref->name.substr(0, ref->name.size() - 3) + "__r"
                                  : ref->name.substr(0, ref->name.size() - 2);
    out.steps.push_back({ref, target, rel});
    current = target;
  }
  out.leaf = current->FindField(segments.back());
  if (!out.leaf) return std::nullopt;
  out.leaf_object = current;
  return out;
}

const json::object* Follow(const DataStore& store, const json::object& record,
                           const PathStep& step) {
  auto* v = record.if_contains(step.reference->name);
  if (!v || !v->is_string()) return nullptr;
  const auto* target = store.Get(*step.target, std::string(v->as_string()));
  return target;
}

const json::value kNull;

// Points into `record` or its parents (valid while the store is not written); kNull when absent.
const json::value& ValueAt(const DataStore& store, const json::object& record,
                           const ResolvedPath& p) {
  const json::object* current = &record;
  for (const auto& step : p.steps) {
    current = Follow(store, *current, step);
    if (!current) return kNull;
  }
  auto* v = current->if_contains(p.leaf->name);
  return v ? *v : kNull;
}

std::optional<std::int64_t> ToMs(FieldType type, const json::value& v) {
  if (!v.is_string()) return std::nullopt;
  return type == FieldType::kDate ? ParseDate(v.as_string()) : ParseDateTime(v.as_string());
}

// Orders two non-null stored values of one field type.
int CompareStored(FieldType type, const json::value& a, const json::value& b) {
  if (IsNumericType(type)) {
    double x = a.is_number() ? a.to_number<double>() : 0;
    double y = b.is_number() ? b.to_number<double>() : 0;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type == FieldType::kBoolean) {
    bool x = a.is_bool() && a.as_bool();
    bool y = b.is_bool() && b.as_bool();
    return static_cast<int>(x) - static_cast<int>(y);
  }
  if (type == FieldType::kDate || type == FieldType::kDateTime) {
    auto x = ToMs(type, a).value_or(0);
    auto y = ToMs(type, b).value_or(0);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  std::string x = a.is_string() ? ToLower(a.as_string()) : json::serialize(a);
  std::string y = b.is_string() ? ToLower(b.as_string()) : json::serialize(b);
  return x.compare(y) < 0 ? -1 : x.compare(y) > 0 ? 1 : 0;
}

std::string TypeWord(FieldType type) {
  switch (type) {
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kInt:
      return "int";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "dateTime";
    case FieldType::kId:
    case FieldType::kReference:
      return "id";
    default:
      return IsNumericType(type) ? "double" : "string";
  }
}

class Evaluator {
 public:
  Evaluator(const DataStore& store, const ObjectDef& object, std::string_view soql,
            std::int64_t now_ms)
      : store_(store), object_(object), soql_(soql), now_ms_(now_ms) {}

  std::optional<SoqlError> Check(const Condition& c) {
    if (c.kind == CondKind::kAnd || c.kind == CondKind::kOr || c.kind == CondKind::kNot) {
      for (const auto& child : c.children) {
        if (auto err = Check(*child)) return err;
      }
      return std::nullopt;
    }
    auto path = ResolveOrError(c.field, c.field_column);
    if (!path) return error_;
    FieldType type = path->leaf->type;
    if (c.kind == CondKind::kLike && !IsTextType(type)) {
      return soql::MakeError("INVALID_FIELD", soql_, c.field_column,
                             "invalid operator on " + TypeWord(type) + " field: LIKE");
    }
    for (const auto& lit : c.values) {
      if (auto err = CheckLiteral(c, type, lit)) return err;
    }
    paths_.emplace(&c, std::move(*path));
    return std::nullopt;
  }

  std::optional<ResolvedPath> ResolveOrError(const std::string& field, int column) {
    auto path = Resolve(store_.schema(), object_, field);
    if (!path) {
      error_ = soql::MakeError(
          "INVALID_FIELD", soql_, column,
          "No such column '" + field + "' on entity '" + object_.name +
              "'. If you are attempting to use a custom field, be sure to append the '__c' "
              "after the custom field name. Please reference your WSDL or the describe call for "
              "the appropriate names.");
    }
    return path;
  }

  bool Matches(const Condition& c, const json::object& record) const {
    switch (c.kind) {
      case CondKind::kAnd:
        return Matches(*c.children[0], record) && Matches(*c.children[1], record);
      case CondKind::kOr:
        return Matches(*c.children[0], record) || Matches(*c.children[1], record);
      case CondKind::kNot:
        return !Matches(*c.children[0], record);
      default:
        break;
    }
    const ResolvedPath& path = paths_.at(&c);
    const json::value& value = ValueAt(store_, record, path);
    FieldType type = path.leaf->type;
    if (c.kind == CondKind::kLike) {
      return value.is_string() && SoqlLike(value.as_string(), c.values[0].text);
    }
    if (c.kind == CondKind::kIn || c.kind == CondKind::kNotIn) {
      bool any = false;
      for (const auto& lit : c.values) any = any || CompareOp("=", type, value, lit);
      return c.kind == CondKind::kIn ? any : (!value.is_null() && !any);
    }
    return CompareOp(c.op, type, value, c.values[0]);
  }

  std::optional<SoqlError> error_;
  std::map<const Condition*, ResolvedPath> paths_;

 private:
  std::optional<SoqlError> CheckLiteral(const Condition& c, FieldType type, const Literal& lit) {
    bool ok = false;
    switch (lit.kind) {
      case LiteralKind::kNull:
        ok = c.kind != CondKind::kCompare || c.op == "=" || c.op == "!=";
        break;
      case LiteralKind::kString:
        ok = IsTextType(type);
        break;
      case LiteralKind::kNumber:
        ok = IsNumericType(type);
        break;
      case LiteralKind::kBool:
        ok = type == FieldType::kBoolean;
        break;
      case LiteralKind::kDate:
        ok = type == FieldType::kDate;
        break;
      case LiteralKind::kDateTime:
        ok = type == FieldType::kDateTime;
        break;
      case LiteralKind::kDateRange:
        ok = type == FieldType::kDate || type == FieldType::kDateTime;
        break;
    }
    if (ok) return std::nullopt;
    bool quoted_wanted = IsTextType(type);
    return soql::MakeError("INVALID_FIELD", soql_, lit.column,
                           "value of filter criterion for field '" + c.field +
                               "' must be of type " + TypeWord(type) + " and should " +
                               (quoted_wanted ? "" : "not ") + "be enclosed in quotes");
  }

  std::pair<std::int64_t, std::int64_t> Range(const Literal& lit) const {
    std::int64_t today =
        (now_ms_ >= 0 ? now_ms_ / kDayMs : (now_ms_ - kDayMs + 1) / kDayMs) * kDayMs;
    if (lit.range_name == "TODAY") return {today, today + kDayMs};
    if (lit.range_name == "YESTERDAY") return {today - kDayMs, today};
    if (lit.range_name == "TOMORROW") return {today + kDayMs, today + 2 * kDayMs};
    if (lit.range_name == "LAST_N_DAYS") return {today - lit.range_n * kDayMs, today + kDayMs};
    return {today + kDayMs, today + (lit.range_n + 1) * kDayMs};  // NEXT_N_DAYS
  }

  bool CompareOp(const std::string& op, FieldType type, const json::value& value,
                 const Literal& lit) const {
    if (lit.kind == LiteralKind::kNull) {
      return op == "=" ? value.is_null() : !value.is_null();
    }
    if (value.is_null()) return op == "!=";
    int cmp = 0;
    if (lit.kind == LiteralKind::kDateRange) {
      auto ms = ToMs(type, value);
      if (!ms) return false;
      auto [start, end] = Range(lit);
      if (op == "=") return *ms >= start && *ms < end;
      if (op == "!=") return !(*ms >= start && *ms < end);
      if (op == "<") return *ms < start;
      if (op == "<=") return *ms < end;
      if (op == ">") return *ms >= end;
      return *ms >= start;  // >=
    }
    switch (lit.kind) {
      case LiteralKind::kNumber: {
        double x = value.is_number() ? value.to_number<double>() : 0;
        cmp = x < lit.number ? -1 : x > lit.number ? 1 : 0;
        break;
      }
      case LiteralKind::kBool:
        cmp = static_cast<int>(value.is_bool() && value.as_bool()) - static_cast<int>(lit.boolean);
        break;
      case LiteralKind::kDate:
      case LiteralKind::kDateTime: {
        auto x = ToMs(type, value);
        auto y = lit.kind == LiteralKind::kDate ? ParseDate(lit.text) : ParseDateTime(lit.text);
        if (!x || !y) return false;
        cmp = *x < *y ? -1 : *x > *y ? 1 : 0;
        break;
      }
      default: {
        std::string wanted = lit.text;
        if (type == FieldType::kId || type == FieldType::kReference) {
          if (auto id = NormalizeId(wanted)) wanted = *id;
        }
        cmp = CompareStored(type, value, json::value(wanted));
        break;
      }
    }
    if (op == "=") return cmp == 0;
    if (op == "!=") return cmp != 0;
    if (op == "<") return cmp < 0;
    if (op == "<=") return cmp <= 0;
    if (op == ">") return cmp > 0;
    return cmp >= 0;
  }

  const DataStore& store_;
  const ObjectDef& object_;
  std::string_view soql_;
  std::int64_t now_ms_;
};

// One ORDER BY item's value of one row, computed once per query (not per comparison): the
// comparison then never parses a datetime or lower-cases a string.
struct SortKey {
  bool null = true;
  double number = 0;  // numbers, booleans, dates and datetimes (epoch ms)
  std::string text;   // text, lower-cased
};

SortKey MakeSortKey(FieldType type, const json::value& v) {
  SortKey key;
  if (v.is_null()) return key;
  key.null = false;
  if (IsNumericType(type)) {
    key.number = v.is_number() ? v.to_number<double>() : 0;
  } else if (type == FieldType::kBoolean) {
    key.number = v.is_bool() && v.as_bool() ? 1 : 0;
  } else if (type == FieldType::kDate || type == FieldType::kDateTime) {
    key.number = static_cast<double>(ToMs(type, v).value_or(0));
  } else {
    key.text = v.is_string() ? ToLower(v.as_string()) : json::serialize(v);
  }
  return key;
}

int CompareKeys(FieldType type, const SortKey& x, const SortKey& y) {
  bool textual = !IsNumericType(type) && type != FieldType::kBoolean && type != FieldType::kDate &&
                 type != FieldType::kDateTime;
  if (textual) return x.text.compare(y.text) < 0 ? -1 : x.text == y.text ? 0 : 1;
  return x.number < y.number ? -1 : x.number > y.number ? 1 : 0;
}

json::object Attributes(const ObjectDef& object, const json::object& record,
                        std::string_view version_path) {
  std::string id = record.contains("Id") ? std::string(record.at("Id").as_string()) : "";
  return json::object{{"type", object.name},
                      {"url", std::string(version_path) + "/sobjects/" + object.name + "/" + id}};
}

// Writes one selected path into the projected record, nesting parent relationships.
void Project(const DataStore& store, const json::object& record, const ResolvedPath& path,
             std::string_view version_path, json::object& out) {
  const json::object* current = &record;
  json::object* target = &out;
  for (const auto& step : path.steps) {
    const json::object* parent = Follow(store, *current, step);
    if (!parent) {
      (*target)[step.relationship] = nullptr;
      return;
    }
    auto& slot = (*target)[step.relationship];
    if (!slot.is_object()) {
      json::object nested;
      nested["attributes"] = Attributes(*step.target, *parent, version_path);
      slot = std::move(nested);
    }
    target = &slot.as_object();
    current = parent;
  }
  auto* v = current->if_contains(path.leaf->name);
  (*target)[path.leaf->name] = v ? *v : json::value(nullptr);
}

}  // namespace

bool SoqlLike(std::string_view text, std::string_view pattern) {
  std::string t = ToLower(text);
  std::string p = ToLower(pattern);
  // Iterative wildcard match with single backtrack point for '%'.
  std::size_t ti = 0, pi = 0, star = std::string::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '_' || p[pi] == t[ti])) {
      ++ti;
      ++pi;
    } else if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      mark = ti;
    } else if (star != std::string::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

struct Projection::Path : ResolvedPath {};

Projection::Projection(const DataStore& store, std::string_view object,
                       const std::vector<std::string>& fields)
    : store_(store), object_(store.schema().Find(object)) {
  for (const auto& f : fields) {
    std::optional<ResolvedPath> path;
    if (object_) path = Resolve(store.schema(), *object_, f);
    paths_.push_back(path ? std::make_shared<const Path>(Path{std::move(*path)}) : nullptr);
  }
}

json::object Projection::Rest(const json::object& row, std::string_view version_path) const {
  json::object out;
  if (!object_) return out;
  out["attributes"] = Attributes(*object_, row, version_path);
  for (const auto& path : paths_) {
    if (path) Project(store_, row, *path, version_path, out);
  }
  return out;
}

const json::value* Projection::Flat(const json::object& row, std::size_t i) const {
  if (i >= paths_.size() || !paths_[i]) return nullptr;
  const json::value& v = ValueAt(store_, row, *paths_[i]);
  return v.is_null() ? nullptr : &v;
}

std::variant<SoqlResult, SoqlError> RunSoql(const DataStore& store, std::string_view soql_text,
                                            bool include_deleted, std::int64_t now_ms) {
  auto parsed = soql::Parse(soql_text);
  if (auto* err = std::get_if<SoqlError>(&parsed)) return *err;
  auto& q = std::get<soql::ParsedQuery>(parsed);
  const ObjectDef* object = store.schema().Find(q.object);
  if (!object) {
    return soql::MakeError(
        "INVALID_TYPE", soql_text, q.object_column,
        "sObject type '" + q.object +
            "' is not supported. If you are attempting to use a custom object, be sure to "
            "append the '__c' after the entity name. Please reference your WSDL or the "
            "describe call for the appropriate names.");
  }
  Evaluator eval(store, *object, soql_text, now_ms);
  std::vector<ResolvedPath> selected;
  for (const auto& item : q.fields) {
    auto path = eval.ResolveOrError(item.path, item.column);
    if (!path) return *eval.error_;
    selected.push_back(std::move(*path));
  }
  std::vector<std::pair<ResolvedPath, const soql::OrderItem*>> order;
  for (const auto& item : q.order_by) {
    auto path = eval.ResolveOrError(item.field, item.column);
    if (!path) return *eval.error_;
    order.emplace_back(std::move(*path), &item);
  }
  if (q.where) {
    if (auto err = eval.Check(*q.where)) return *err;
  }

  std::vector<const RecordPtr*> rows;
  if (const auto* table = store.Table(*object)) {
    for (const RecordPtr& row : table->rows) {
      if (row == nullptr) continue;  // purged
      if (!include_deleted && row->at("IsDeleted").as_bool()) continue;
      if (q.where && !eval.Matches(*q.where, *row)) continue;
      rows.push_back(&row);
    }
  }
  if (!order.empty()) {
    // Keys once per row, then sort row numbers: a full read of 200k rows used to parse two
    // datetimes and lower-case two strings in every one of its ~3.5M comparisons.
    const std::size_t width = order.size();
    std::vector<SortKey> keys(rows.size() * width);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t k = 0; k < width; ++k) {
        const ResolvedPath& path = order[k].first;
        keys[r * width + k] = MakeSortKey(path.leaf->type, ValueAt(store, **rows[r], path));
      }
    }
    std::vector<std::size_t> perm(rows.size());
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
    std::stable_sort(perm.begin(), perm.end(), [&](std::size_t a, std::size_t b) {
      for (std::size_t k = 0; k < width; ++k) {
        const auto& [path, item] = order[k];
        const SortKey& x = keys[a * width + k];
        const SortKey& y = keys[b * width + k];
        bool nulls_first = item->nulls_first.value_or(!item->descending);
        if (x.null || y.null) {
          if (x.null && y.null) continue;
          return x.null ? nulls_first : !nulls_first;
        }
        int cmp = CompareKeys(path.leaf->type, x, y);
        if (cmp == 0) continue;
        return item->descending ? cmp > 0 : cmp < 0;
      }
      return false;
    });
    std::vector<const RecordPtr*> sorted(rows.size());
    for (std::size_t i = 0; i < perm.size(); ++i) sorted[i] = rows[perm[i]];
    rows = std::move(sorted);
  }
  std::size_t offset = static_cast<std::size_t>(std::max<std::int64_t>(q.offset.value_or(0), 0));
  if (offset > rows.size()) offset = rows.size();
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(offset));
  if (q.limit && static_cast<std::size_t>(std::max<std::int64_t>(*q.limit, 0)) < rows.size()) {
    rows.resize(static_cast<std::size_t>(std::max<std::int64_t>(*q.limit, 0)));
  }

  SoqlResult result;
  result.object = object->name;
  result.count_only = q.count_only;
  result.total_size = static_cast<std::int64_t>(rows.size());
  if (q.count_only) return result;
  result.rows.reserve(rows.size());
  for (const RecordPtr* row : rows) result.rows.push_back(*row);
  for (const auto& item : q.fields) result.fields.push_back(item.path);
  return result;
}

}  // namespace chpeer::sf
