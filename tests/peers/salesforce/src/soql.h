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
  // Projected records, each with {"attributes":{"type","url"}, fields...}; empty for COUNT().
  std::vector<boost::json::object> records;
};

// Runs `soql` against `store`. Deleted rows are included only when `include_deleted`
// (queryAll). `version_path` is "/services/data/vXX.X" (used in attribute URLs).
std::variant<SoqlResult, SoqlError> RunSoql(const DataStore& store, std::string_view soql,
                                            bool include_deleted, std::int64_t now_ms,
                                            std::string_view version_path);

// SQL LIKE with % and _ wildcards, case-insensitive.
bool SoqlLike(std::string_view text, std::string_view pattern);

}  // namespace chpeer::sf
