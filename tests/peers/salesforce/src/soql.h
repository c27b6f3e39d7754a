// The SOQL subset the Salesforce peer understands:
//   SELECT f1, f2, Rel.f | COUNT() FROM Obj
//   [WHERE f op v [AND|OR ...], NOT, parentheses; ops = != <> < <= > >= LIKE IN, NOT IN]
//   [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
// Literals: 'strings', numbers, true/false, null, 2024-01-01, 2024-01-01T00:00:00Z and the
// date literals TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, NEXT_N_DAYS:n. Errors carry the
// REST errorCode (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE) and the documented message
// layout that points at the offending column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "sf_store.h"

namespace chpeer::sf {

struct SoqlError {
  std::string error_code;
  std::string message;
};

struct SoqlResult {
  std::string object;  // canonical sObject name
  bool count_only = false;
  std::int64_t total_size = 0;
  // The matching rows in result order: a snapshot (shared, immutable record versions), not a
  // copy. Empty for COUNT().
  std::vector<RecordPtr> rows;
  std::vector<std::string> fields;  // the SELECT list as written, e.g. Id, Account.Name
};

// Runs `soql` against `store`. Deleted rows are included only when `include_deleted`
// (queryAll).
std::variant<SoqlResult, SoqlError> RunSoql(const DataStore& store, std::string_view soql,
                                            bool include_deleted, std::int64_t now_ms);

// A SELECT list resolved against the schema, to project snapshot rows a page at a time.
// Resolve it again for each page: it points into the schema, which a seed may grow.
class Projection {
 public:
  Projection(const DataStore& store, std::string_view object,
             const std::vector<std::string>& fields);
  // {"attributes":{"type","url"}, fields...} with parent relationships nested, as REST answers.
  // `version_path` is "/services/data/vXX.X" (used in attribute URLs).
  boost::json::object Rest(const boost::json::object& row, std::string_view version_path) const;
  // The value of SELECT item `i` with parent relationships followed; nullptr when null/absent.
  const boost::json::value* Flat(const boost::json::object& row, std::size_t i) const;
  std::size_t size() const { return paths_.size(); }

  struct Path;  // resolved field path (soql.cpp)

 private:
  const DataStore& store_;
  const ObjectDef* object_ = nullptr;
  std::vector<std::shared_ptr<const Path>> paths_;  // null when no longer resolvable
};

// SQL LIKE with % and _ wildcards, case-insensitive.
bool SoqlLike(std::string_view text, std::string_view pattern);

}  // namespace chpeer::sf
